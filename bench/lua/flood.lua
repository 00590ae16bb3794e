-- One business's flood of a heavy endpoint (bench/noisy_neighbour.py): every connection
-- sends the same request again as soon as it is answered, except after a 429, when it
-- waits the Retry-After the server asked for, as a well-behaved client does.
--
-- settings = { path, headers, threads, retry_ms }

local refused = 0

function init(args)
  settings = dofile(args[1])
end

function request()
  return wrk.format("GET", settings.path, settings.headers)
end

function response(status, headers, body)
  if status == 429 then
    refused = refused + 1
  end
end

function delay()
  if refused > 0 then
    refused = refused - 1
    return settings.retry_ms
  end
  return 0
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"percentiles_us":{"50":%d,"99":%d}}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)
  ))
end
