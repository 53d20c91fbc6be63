-- wrk script of the benchmark (bench/run.py).
--
-- Every request says it came through the TLS-terminating proxy (else production settings
-- answer 301 to https). With the argument "unique" (wrk ... URL -- unique) every request
-- gets its own address: "_=<thread>-<n>" is appended, a parameter the registry's filters
-- ignore, so that a cache of whole pages keyed on the address never answers and the page
-- is built for every request, as for a first visitor. done() prints one JSON line with
-- the figures bench/run.py reads.

wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Accept-Language"] = "de"

local threads = {}
local unique = false
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  unique = args[1] == "unique"
end

function request()
  if not unique then
    return wrk.format()
  end
  counter = counter + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "_=" .. id .. "-" .. counter)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "bytes": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
