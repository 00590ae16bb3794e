-- One benchmark phase: requests rotate over the phase's paths (or, for creates, over
-- distinct free slots), with the phase's headers. bench/load.py writes the phase's
-- settings as a Lua table and passes its file name after "--".
--
-- settings = { method, headers, paths, threads, create = { path, base, step, choices } }

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  settings = dofile(args[1])
end

function request()
  counter = counter + 1
  -- A number no other request of the phase has, whichever thread sends it.
  local n = (counter - 1) * settings.threads + index
  local create = settings.create
  if create then
    -- Each request its own slot, one service length apart: no two creates overlap, so
    -- none is refused as a double booking. Staff rotate, so no one row lock serialises them.
    local choice = create.choices[(n % #create.choices) + 1]
    local body = string.format(
      '{"client":%d,"service":%d,"staff":%d,"starts_at":"%s"}',
      choice.client, choice.service, choice.staff, os.date("!%Y-%m-%dT%H:%M:%SZ", create.base + n * create.step)
    )
    return wrk.format("POST", create.path, settings.headers, body)
  end
  return wrk.format(settings.method, settings.paths[(n % #settings.paths) + 1], settings.headers)
end

function done(summary, latency, requests)
  local parts = {}
  for _, p in ipairs({1, 5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 95, 97, 98, 99, 99.5, 99.9}) do
    table.insert(parts, string.format('"%s":%d', tostring(p), latency:percentile(p)))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"mean_us":%f,"max_us":%d,"percentiles_us":{%s}}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency.mean, latency.max, table.concat(parts, ",")
  ))
end
