-- GET the URL given on the command line, as an anonymous visitor (no cookies).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
