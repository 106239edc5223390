-- wrk script: cycles through pre-signed requests, one per line of a file.
--   wrk -t1 -c8 -d8s -s bench/replay.lua http://127.0.0.1:8766 -- FILE [DELAY_MS]
-- A line is: path TAB n TAB header1 TAB value1 ... TAB headerN TAB valueN TAB body.
-- Every line is a different transaction; past the end the file starts again (replays, which
-- the benchmark does not count as applied). DELAY_MS (default 0) paces each connection, for the
-- latency at a given rate. done() prints one line "WRKJSON {...}" with the latency percentiles.
local requests = {}
local i = 0
local pause = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local parts = {}
    for part in string.gmatch(line, "[^\t]+") do parts[#parts + 1] = part end
    local n = tonumber(parts[2])
    local headers = {["Content-Type"] = "application/json"}
    for k = 0, n - 1 do headers[parts[3 + 2 * k]] = parts[4 + 2 * k] end
    requests[#requests + 1] = wrk.format("POST", parts[1], headers, parts[3 + 2 * n])
  end
  file:close()
  pause = tonumber(args[2] or "0")
end

function request()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end

function delay()
  return pause
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_s": %.3f, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
