-- wrk script: strategic-merge PATCH of one Deployment.
--   wrk -s patch.lua URL -- PATH
-- PATH is the Deployment's (/apis/apps/v1/namespaces/NS/deployments/NAME);
-- it must have a container named "app". Each patch sets that container's
-- image, alternating between two tags, merged into the containers list by
-- its "name" key, and sets an annotation to a value unique to the request, so
-- every patch is a real change (a new resourceVersion, committed durably).
-- Headers given with wrk -H (Authorization over HTTPS) go on every request.
-- Only 200 counts as a patch; any other status is an error, reported by
-- done() on a line starting "BENCH".

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

-- globals, so done() can read them with thread:get()
sent, patched, errors = 0, 0, 0
statuses_str = ""
local statuses = {}
local path, headers

function init(args)
   path = args[1]
   headers = {}
   for k, v in pairs(wrk.headers) do headers[k] = v end
   headers["Content-Type"] = "application/strategic-merge-patch+json"
end

function request()
   sent = sent + 1
   local tag = (sent % 2 == 0) and "1.25" or "1.26"
   local body = string.format(
      '{"metadata":{"annotations":{"bench/patch":"%d-%d"}},' ..
      '"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:%s"}]}}}}',
      id, sent, tag)
   return wrk.format("PATCH", path, headers, body)
end

function response(status, hdrs, body)
   if status == 200 then
      patched = patched + 1
   else
      errors = errors + 1
      statuses[status] = (statuses[status] or 0) + 1
      local parts = {}
      for k, v in pairs(statuses) do table.insert(parts, k .. "x" .. v) end
      statuses_str = table.concat(parts, "/")
      if errors <= 3 then
         io.stderr:write(string.format("patch.lua: HTTP %d: %s\n", status, string.sub(body or "", 1, 300)))
      end
   end
end

function done(summary, latency, requests)
   local p, e = 0, 0
   local st = {}
   for _, t in ipairs(threads) do
      p = p + t:get("patched")
      e = e + t:get("errors")
      local s = t:get("statuses_str")
      if s and s ~= "" then table.insert(st, s) end
   end
   local se = summary.errors
   io.write(string.format(
      "BENCH patched=%d errors=%d duration_us=%d sock_connect=%d sock_read=%d sock_write=%d sock_timeout=%d statuses=%s p50_us=%d p99_us=%d\n",
      p, e, summary.duration, se.connect, se.read, se.write, se.timeout,
      (#st > 0) and table.concat(st, ",") or "-",
      latency:percentile(50), latency:percentile(99)))
end
