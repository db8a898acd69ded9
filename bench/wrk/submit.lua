-- POST registration requests. BENCH_FORMS_LUA names a Lua file (written by bench/run.py)
-- returning {tag = ..., cookie = ..., forms = {{path = ..., body = ...}, ...}}: each body
-- already holds the CSRF token, a signed form_started and the series' answers; the email,
-- unique per request (run tag, thread, counter), is added here. Forms are used in turn.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local data = dofile(os.getenv("BENCH_FORMS_LUA"))
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = data.cookie,
}
local counter = 0
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

request = function()
  counter = counter + 1
  local form = data.forms[(counter % #data.forms) + 1]
  local body = string.format(
    "%s&email=bench-%s-%d-%d%%40example.org", form.body, data.tag, thread_id, counter
  )
  return wrk.format("POST", form.path, headers, body)
end
