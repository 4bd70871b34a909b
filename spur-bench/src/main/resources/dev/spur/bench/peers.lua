-- wrk script of `spur bench --peers`, the same for every system: POST {} as JSON, count what is not
-- a success, and print one machine-readable line at the end (latencies in microseconds).
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  functionErrors = 0
  statuses = {}
end

-- Invoke answers 200 with X-Amz-Function-Error when the handler failed: that is no success either.
-- Header names are case-insensitive, and servers spell this one differently.
local function functionFailed(headers)
  for name, _ in pairs(headers) do
    if string.lower(name) == "x-amz-function-error" then
      return true
    end
  end
  return false
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  elseif functionFailed(headers) then
    functionErrors = functionErrors + 1
  end
end

function done(summary, latency, requests)
  local non2xxTotal, functionErrorsTotal, byStatus = 0, 0, {}
  for _, thread in ipairs(threads) do
    non2xxTotal = non2xxTotal + thread:get("non2xx")
    functionErrorsTotal = functionErrorsTotal + thread:get("functionErrors")
    for status, n in pairs(thread:get("statuses")) do
      byStatus[status] = (byStatus[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(byStatus) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format('WRK-RESULT {"requests":%d,"durationMicros":%d,"non2xx":%d,"functionErrors":%d,'
      .. '"socketErrors":%d,"timeouts":%d,"p50Micros":%d,"p90Micros":%d,"p99Micros":%d,"non2xxByStatus":{%s}}\n',
      summary.requests, summary.duration, non2xxTotal, functionErrorsTotal, e.connect + e.read + e.write,
      e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), table.concat(parts, ",")))
end
