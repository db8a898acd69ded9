-- POST registration requests. BENCH_FORMS_LUA names a Lua file (written by bench/run.py)
-- returning {tag = ..., cookie = ..., forms = {{path = ..., body = ...}, ...}}: each body
-- holds the CSRF token and the series' answers; the email, unique per request (run tag,
-- thread, counter), and a signed form_started are added here (each start time stores one
-- request, so thread k of BENCH_WRK_THREADS takes tokens k, k + threads, ...). Forms are
-- used in turn.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local data = dofile(os.getenv("BENCH_FORMS_LUA"))
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = data.cookie,
}
local counter = 0
local threads = 0
local total_threads = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")

setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

request = function()
  counter = counter + 1
  local form = data.forms[(counter % #data.forms) + 1]
  local n = (counter - 1) * total_threads + thread_id
  local started = data.started[((n - 1) % #data.started) + 1]
  local body = string.format(
    "%s&email=bench-%s-%d-%d%%40example.org&form_started=%s",
    form.body, data.tag, thread_id, counter, started
  )
  return wrk.format("POST", form.path, headers, body)
end
