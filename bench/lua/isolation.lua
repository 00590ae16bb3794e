-- The cross-tenant check: every request is another tenant's (tokens rotate), and every
-- response is compared with what that tenant, and only it, should get. Run with one
-- connection per thread, so a thread's responses arrive in the order of its requests.
--
-- settings = { threads, entries = { { path, headers, kind = "me" | "page", tenant, count, ids, key } } }
-- A page's rows are named by "id", or on the public pages by their opaque "ref" (key = "ref").

local threads = {}
local counter = 0
local current = nil
checked, wrong, bad_status, first_wrong = 0, 0, 0, ""

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  settings = dofile(args[1])
end

function request()
  counter = counter + 1
  local entries = settings.entries
  current = entries[((counter - 1) * settings.threads + index) % #entries + 1]
  return wrk.format("GET", current.path, current.headers)
end

local function belongs(body)
  if current.kind == "me" then
    local id = string.match(body, '"tenant":%s*{%s*"id":%s*(%d+)')
    return tonumber(id) == current.tenant
  end
  -- A page: its count is the tenant's (or, where the pagination stops counting, says so
  -- and stays below it) and its rows are exactly the tenant's rows of that page.
  local count = tonumber(string.match(body, '"count":%s*(%d+)'))
  local stopped = string.find(body, '"count_is_exact":%s*false') ~= nil
  local count_ok = count == current.count or (stopped and count ~= nil and count < current.count)
  local ids = {}
  local pattern = current.key == "ref" and '"ref":%s*"([%w_-]+)"' or '"id":%s*(%d+)'
  for id in string.gmatch(body, pattern) do
    ids[#ids + 1] = id
  end
  return count_ok and table.concat(ids, ",") == current.ids
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
    return
  end
  checked = checked + 1
  if not belongs(body) then
    wrong = wrong + 1
    if first_wrong == "" then
      first_wrong = current.path .. " tenant " .. current.tenant .. ": " .. string.sub(body, 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local total_checked, total_wrong, total_bad, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    total_checked = total_checked + thread:get("checked")
    total_wrong = total_wrong + thread:get("wrong")
    total_bad = total_bad + thread:get("bad_status")
    if sample == "" then
      sample = thread:get("first_wrong")
    end
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"mean_us":%f,' ..
    '"max_us":%d,"percentiles_us":{"50":%d,"99":%d},"checked":%d,"wrong":%d,"bad_status":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(99), total_checked, total_wrong, total_bad
  ))
  if sample ~= "" then
    io.write("WRK_FIRST_WRONG " .. sample .. "\n")
  end
end
