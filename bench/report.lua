-- wrk script of the benchmark (bench/run.py).
--
-- Every request says it came through the TLS-terminating proxy (else production settings
-- answer 301 to https). With the argument "unique" (wrk ... URL -- unique) every request
-- gets its own address: "_=<thread>-<n>" is appended, a parameter the registry's filters
-- ignore, so that a cache of whole pages keyed on the address never answers and the page
-- is built for every request, as for a first visitor. With the arguments "paths FILE
-- OFFSET THREADS" the requests go, in turn, to the addresses listed in FILE (one per line,
-- starting at line OFFSET + 1, each thread taking every THREADS-th line), so that each
-- request asks for a filter combination or search that no cache has seen (until the list
-- wraps). done() prints one JSON line with the figures bench/run.py reads.

wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Accept-Language"] = "de"

local threads = {}
local unique = false
local counter = 0
local paths = nil
local offset = 0
local stride = 1

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  unique = args[1] == "unique"
  if args[1] == "paths" then
    paths = {}
    for line in io.lines(args[2]) do
      if line ~= "" then table.insert(paths, line) end
    end
    offset = tonumber(args[3]) or 0
    stride = tonumber(args[4]) or 1
  end
end

function request()
  if paths then
    local index = (offset + counter * stride + id - 1) % #paths + 1
    counter = counter + 1
    return wrk.format(nil, paths[index])
  end
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
