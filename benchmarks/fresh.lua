-- wrk script for the "new quiz every request" row: GET $WRK_PREFIX<random seed>$WRK_SUFFIX,
-- e.g. /q/all-facts.20.frt.<seed>.81ba5022, so (almost) every request makes a quiz nobody asked for yet.
local prefix = os.getenv("WRK_PREFIX") or "/"
local suffix = os.getenv("WRK_SUFFIX") or ""

function init(args)
  -- Each wrk thread has its own Lua state: seed each differently so they do not repeat each other.
  local address = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  math.randomseed(os.time() + address % 1000003)
end

function request()
  return wrk.format("GET", prefix .. tostring(math.random(1, 999999999)) .. suffix)
end
