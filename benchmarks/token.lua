-- wrk script: POST a token request rotating over seeded (key, agent) pairs.
-- WRK_CREDENTIALS: file of "<key> <agent>" lines: (api key, agent id) for /v1/realtime/token;
-- with WRK_ROUTE=livekit, (publishable key, dispatch name) for /v1/livekit/token, sent as
-- LiveKit's TokenSource does from the keys' allowed origin.
-- WRK_RATE_PER_THREAD: requests/s for each wrk thread; 0 or unset sends as fast as answered.
-- done() prints one line "WRK_JSON {...}" with counts and latency percentiles in microseconds.

local requests_ = {}
local next_index = 1

function setup(thread)
  thread_count = (thread_count or 0) + 1
  thread:set("offset", thread_count)
end

function init(args)
  local headers = {["Content-Type"] = "application/json"}
  local livekit = os.getenv("WRK_ROUTE") == "livekit"
  if livekit then
    headers["Origin"] = "http://bench.localhost"
  end
  for line in io.lines(os.getenv("WRK_CREDENTIALS")) do
    local key, agent = line:match("^(%S+) (%S+)$")
    headers["Authorization"] = "Bearer " .. key
    local body = '{"agent_id":"' .. agent .. '","metadata":{"source":"bench"}}'
    if livekit then
      body = '{"participant_name":"Bench","room_config":{"agents":[{"agent_name":"'
        .. agent .. '","metadata":"{\\"source\\":\\"bench\\"}"}]}}'
    end
    requests_[#requests_ + 1] = wrk.format("POST", nil, headers, body)
  end
  next_index = ((offset or 1) - 1) % #requests_ + 1
end

function request()
  local r = requests_[next_index]
  next_index = next_index % #requests_ + 1
  return r
end

local rate = tonumber(os.getenv("WRK_RATE_PER_THREAD") or "0")
if rate > 0 then
  -- Pacing: every request takes the next slot of a per-thread schedule (no catch-up bursts).
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]])
  local now_ts = ffi.new("bench_timespec")
  local CLOCK_MONOTONIC = 1
  local interval_ms = 1000 / rate
  local next_slot = 0

  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
    return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
  end

  function delay()
    local now = now_ms()
    if next_slot < now then
      next_slot = now
    end
    local wait = next_slot - now
    next_slot = next_slot + interval_ms
    return math.floor(wait)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
