-- wrk script: POST configmaps with unique names and a ~1 KiB data value.
--   wrk -s create.lua URL -- PREFIX [CAP DONEFILE NTHREADS]
-- Names are PREFIX-<thread>-<n>. Only 201 Created counts as a create; any
-- other status is an error, reported by done() on a line starting "BENCH".
-- With CAP (creates per thread), a thread stops once CAP objects have been
-- created; once it has sent CAP creates its connections send cheap
-- GET /version fillers (200 expected), so exactly CAP objects per thread are
-- created. A finished thread appends its id to DONEFILE; wrk itself only ends
-- after -d, so run.sh sends it SIGINT once NTHREADS ids are there (wrk then
-- stops early and still reports): give a generous -d, as a timeout.
-- Headers given with wrk -H (Authorization over HTTPS) go on every request.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local prefix, cap
-- globals, so done() can read them with thread:get()
sent, created, filler, errors = 0, 0, 0, 0
local fillers_sent = 0
statuses_str = ""
local statuses = {}
local path, headers, value
local version_req

function init(args)
   prefix = args[1] or "bench"
   cap = tonumber(args[2] or "0")
   if cap == 0 then cap = nil end
   donefile = args[3]
   nthreads = tonumber(args[4] or "1")
   path = "/api/v1/namespaces/default/configmaps"
   -- wrk.format() sends only the headers it is given: keep wrk -H ones
   -- (the bearer token over HTTPS) in ours.
   headers = {}
   for k, v in pairs(wrk.headers) do headers[k] = v end
   headers["Content-Type"] = "application/json"
   -- 1024 characters of payload
   value = string.rep("0123456789abcdef", 64)
   version_req = wrk.format("GET", "/version")
end

function request()
   -- wrk 4.1 calls request() once on thread 0 before the run, to check what it
   -- returns, and throws the result away: give it a filler so no name is lost.
   if id == 0 and not checked then
      checked = true
      fillers_sent = fillers_sent + 1
      return version_req
   end
   if cap and sent >= cap then
      fillers_sent = fillers_sent + 1
      return version_req
   end
   sent = sent + 1
   local name = string.format("%s-%d-%d", prefix, id, sent)
   local body = '{"metadata":{"name":"' .. name .. '"},"data":{"v":"' .. value .. '"}}'
   return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
   if status == 201 then
      created = created + 1
   elseif status == 200 and filler < fillers_sent then
      filler = filler + 1
   else
      errors = errors + 1
      statuses[status] = (statuses[status] or 0) + 1
      local parts = {}
      for k, v in pairs(statuses) do table.insert(parts, k .. "x" .. v) end
      statuses_str = table.concat(parts, "/")
      if errors <= 3 then
         io.stderr:write(string.format("create.lua: HTTP %d: %s\n", status, string.sub(body or "", 1, 300)))
      end
   end
   if cap and created + errors >= cap and not finished then
      finished = true
      wrk.thread:stop()
      local f = assert(io.open(donefile, "a"))
      f:write(id, "\n")
      f:close()
   end
end

function done(summary, latency, requests)
   local c, e = 0, 0
   local st = {}
   for _, t in ipairs(threads) do
      c = c + t:get("created")
      e = e + t:get("errors")
      local s = t:get("statuses_str")
      if s and s ~= "" then table.insert(st, s) end
   end
   local se = summary.errors
   io.write(string.format(
      "BENCH created=%d errors=%d duration_us=%d sock_connect=%d sock_read=%d sock_write=%d sock_timeout=%d statuses=%s p50_us=%d p99_us=%d\n",
      c, e, summary.duration, se.connect, se.read, se.write, se.timeout,
      (#st > 0) and table.concat(st, ",") or "-",
      latency:percentile(50), latency:percentile(99)))
end
