-- GET a different search URL on every request. BENCH_VARIED_LUA names a Lua file (written
-- by bench/run.py from bench/load_data.py's list) returning {"/library/search/?q=...", ...}:
-- distinct words and pairs, broad and narrow, with and without filters and page numbers.
-- Each thread starts at its own place in the list and walks it in order, so a URL comes
-- back only after every other one has been sent. BENCH_VARIED_OFFSET moves the starting
-- places (the warm-up uses other URLs than the measured run).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local paths = dofile(os.getenv("BENCH_VARIED_LUA"))
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("start", threads * 7919 + tonumber(os.getenv("BENCH_VARIED_OFFSET") or "0"))
end

local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((start + counter) % #paths) + 1])
end
