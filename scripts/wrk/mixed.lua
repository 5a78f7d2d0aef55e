-- wrk script for the soak test: a desk's mixed traffic. Each request is
-- drawn at random: intake (with or without an e-mail address and an
-- idempotency key), closing dossiers taken in earlier (withdrawn, so the
-- number of open dossiers stays steady as at a real desk), the citizen's
-- look-up with the right PIN, a guess with a wrong PIN, worklists,
-- catalogue search, log-ins (right and wrong), and bad input (control
-- characters, trailing content, out-of-range numbers, unknown routes).
-- Every request claims another client through X-Forwarded-For, so the
-- server (run with --trusted-proxies 127.0.0.1) keeps many limit buckets.
-- Needs TOKEN (a clerk's) and DOSSIERS (a file of "code pin" lines).
local token = os.getenv("TOKEN")
local dossiers = {}
local counter = 0
-- Dossiers this thread took in and has not closed yet.
local open = {}

function init(args)
  for line in io.lines(os.getenv("DOSSIERS")) do
    local code, pin = line:match("(%S+)%s+(%S+)")
    if code then table.insert(dossiers, { code = code, pin = pin }) end
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

local intake = '{"procedure":"1.001193","applicant":{"name":"Nguyễn Văn An","id_number":"001090012345","phone":"0912345678","address":"Ấp 2"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}],"channel":"counter"}'
local intake_mail = '{"procedure":"1.001193","applicant":{"name":"Trần Thị Bình","id_number":"001090054321","email":"binh@example.vn"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}]}'
local bad_bodies = {
  '{"procedure":"1.001193","applicant":{"name":"A\\u0000B","id_number":"001090012345"}}',
  intake .. 'xyz',
  '{"procedure":"1.001193","applicant":{"name":"' .. string.rep("x", 3000) .. '","id_number":"001090012345"}}',
  '{"procedure": ',
}

local function client()
  return string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

response = function(status, headers, body)
  if status == 201 then
    local code = body:match('"code":"([^"]+)"')
    if code and #open < 1000 then table.insert(open, code) end
  end
end

request = function()
  counter = counter + 1
  local r = math.random(100)
  local h = { ["X-Forwarded-For"] = client() }
  if r <= 25 and #open > 0 then
    local code = table.remove(open, 1)
    h["Authorization"] = "Bearer " .. token
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/dossiers/" .. code .. "/withdraw", h, '{"reason":"Công dân rút hồ sơ"}')
  end
  r = math.random(100)
  if r <= 20 then
    h["Authorization"] = "Bearer " .. token
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/dossiers", h, intake)
  elseif r <= 25 then
    h["Authorization"] = "Bearer " .. token
    h["Content-Type"] = "application/json"
    h["Idempotency-Key"] = string.format("soak-%d-%d", counter, math.random(1e9))
    return wrk.format("POST", "/api/v1/dossiers", h, intake_mail)
  elseif r <= 55 then
    local d = dossiers[math.random(#dossiers)]
    return wrk.format("GET", "/api/v1/public/dossiers/" .. d.code .. "?pin=" .. d.pin, h)
  elseif r <= 65 then
    local d = dossiers[math.random(#dossiers)]
    return wrk.format("GET", "/api/v1/public/dossiers/" .. d.code .. "?pin=ZZZZZZ", h)
  elseif r <= 75 then
    h["Authorization"] = "Bearer " .. token
    return wrk.format("GET", "/api/v1/worklist?limit=50", h)
  elseif r <= 82 then
    return wrk.format("GET", "/api/v1/procedures?q=khai%20sinh", h)
  elseif r <= 92 then
    h["Authorization"] = "Bearer " .. token
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/dossiers", h, bad_bodies[math.random(#bad_bodies)])
  elseif r <= 96 then
    return wrk.format("GET", "/api/v1/handovers/unacknowledged?older_than_minutes=153722867280", h)
  elseif r <= 98 then
    -- Log-ins, right and wrong (each a password hash of 19 MiB).
    h["Content-Type"] = "application/json"
    -- Wrong ones name a different unknown user each time, so no lock
    -- spares the server the (dummy) hash.
    local body = (r == 97) and '{"username":"supervisor","password":"demo"}'
      or string.format('{"username":"guess%d","password":"wrong-password"}', math.random(1e9))
    return wrk.format("POST", "/api/v1/auth/token", h, body)
  else
    return wrk.format("GET", "/api/v1/no/such/route/" .. counter, h)
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
