-- wrk script: a constant arrival rate (wrk2-style) through wrk's per-connection delay() hook,
-- a unique JSON body per request, and every response time kept (µs -> count) so the benchmark
-- can merge slices exactly. Run with one connection per thread (-tN -cN): each thread then owns
-- one connection, so request() and response() pair up without ids.
-- Usage: wrk -t8 -c8 -d5s -s paced.lua <url> -- <total rate/s> <mode> <seed> <threads>
--   mode: direct (tabular's KServe infer), gateway (POST /api/v1/predict, cache bypassed), health (GET)
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } pr_timespec;
  int clock_gettime(int clk, pr_timespec *tp);
]]
local ts = ffi.new("pr_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local interval_us, mode, next_slot, sent_at
hist = {}
ok = 0
bad = 0

function init(args)
  local rate = tonumber(args[1])
  local n = tonumber(args[4] or "1")
  interval_us = 1e6 * n / rate -- this thread's share of the schedule
  mode = args[2]
  math.randomseed(tonumber(args[3] or "1") * 1000 + id)
  next_slot = now_us() + interval_us * (id - 1) / n -- interleave the threads' grids
end

-- Each request claims the next slot of this thread's evenly spaced schedule; a late response
-- sends at once and the schedule never bunches future slots.
function delay()
  local t = now_us()
  next_slot = next_slot + interval_us
  if next_slot < t then next_slot = t end
  return (next_slot - t) / 1000
end

local function features()
  local f = {}
  for k = 1, 10 do f[k] = string.format("%.6f", math.random()) end
  return table.concat(f, ",")
end

function request()
  sent_at = now_us()
  if mode == "health" then return wrk.format("GET", "/health") end
  if mode == "direct" then
    return wrk.format("POST", "/v2/models/churn/infer", { ["content-type"] = "application/json" },
      '{"inputs":[{"name":"input-0","shape":[1,10],"datatype":"FP32","data":[' .. features() .. ']}]}')
  end
  return wrk.format("POST", "/api/v1/predict",
    { ["content-type"] = "application/json", ["cache-control"] = "no-cache, no-store" },
    '{"features":[' .. features() .. '],"options":{"return_probabilities":true}}')
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local us = math.floor(now_us() - sent_at)
    hist[us] = (hist[us] or 0) + 1
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local merged, okAll, badAll = {}, 0, 0
  for _, thread in ipairs(threads) do
    for us, n in pairs(thread:get("hist")) do merged[us] = (merged[us] or 0) + n end
    okAll = okAll + thread:get("ok")
    badAll = badAll + thread:get("bad")
  end
  local parts = {}
  for us, n in pairs(merged) do parts[#parts + 1] = string.format('"%d":%d', us, n) end
  local e = summary.errors
  io.write(string.format('PACED {"ok":%d,"bad":%d,"errors":%d,"durationUs":%d,"hist":{%s}}\n',
    okAll, badAll, e.connect + e.read + e.write + e.timeout, summary.duration, table.concat(parts, ",")))
end
