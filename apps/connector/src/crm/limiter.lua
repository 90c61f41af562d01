-- Shared leaky bucket of one Bitrix24 portal (one per portal + egress IP, like the portal's own).
-- Every worker of every connector process reserves its request slots here, so together they never
-- send faster than the portal drains. Time comes from Redis (TIME), so all processes share one clock.
--
-- KEYS[1]  bucket hash: level, ts (ms), factor (drain multiplier 0..1], cap (learned capacity), calm (ms),
--          hit (ms of the last 503)
-- ARGV[1]  "acquire" | "resync" | "peek"
-- ARGV[2]  configured burst (capacity, already minus the safety margin)
-- ARGV[3]  configured drain per second
-- ARGV[4]  cost (acquire) | pause ms (resync)
-- ARGV[5]  max wait ms a reservation may be made for (acquire)
-- ARGV[6]  recover after ms without a penalty
-- ARGV[7]  min factor
-- ARGV[8]  min capacity
-- ARGV[9]  key ttl ms
--
-- acquire -> {1, waitMs}: slot reserved, send after waitMs (GCRA: the level already includes the
--            requests reserved but not yet sent, so waits are FIFO across processes);
--            {0, waitMs}: the wait would exceed ARGV[5], nothing reserved, ask again later.
-- resync -> the portal answered 503 although we thought there was room: its bucket is full NOW (someone
--            else spent part of it: another app on the same IP, a request sent before this bucket existed).
--            The bucket is set to full plus a pause; the drain rate stays what the portal drains, so the
--            limit is held exactly, without slack. Only a second 503 within ARGV[6] ms of the previous one
--            means the portal is tighter than configured: drain x0.8, capacity x0.9, recovering +10 % per
--            ARGV[6] ms without a 503.
local key = KEYS[1]
local mode = ARGV[1]
local burst = tonumber(ARGV[2])
local drainCfg = tonumber(ARGV[3])
local x = tonumber(ARGV[4])
local maxWait = tonumber(ARGV[5])
local recoverMs = tonumber(ARGV[6])
local minFactor = tonumber(ARGV[7])
local minCap = tonumber(ARGV[8])
local ttl = tonumber(ARGV[9])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local h = redis.call('HMGET', key, 'level', 'ts', 'factor', 'cap', 'calm', 'hit')
local level = tonumber(h[1]) or 0
local ts = tonumber(h[2]) or now
local factor = tonumber(h[3]) or 1
local cap = tonumber(h[4]) or burst
local calm = tonumber(h[5]) or now
local hit = tonumber(h[6])
if cap > burst then cap = burst end

-- slow recovery after the portal stopped complaining
if (factor < 1 or cap < burst) and now - calm >= recoverMs then
  factor = math.min(1, factor + 0.1)
  cap = math.min(burst, cap + math.max(1, math.floor(burst * 0.1)))
  calm = now
end

local drain = drainCfg * factor / 1000.0 -- units per ms
if now > ts then
  level = math.max(0, level - (now - ts) * drain)
  ts = now
end

local result
if mode == 'acquire' then
  local wait = 0
  if level + x > cap then wait = (level + x - cap) / drain end
  if wait > maxWait then
    result = {0, math.ceil(wait)}
  else
    level = level + x
    result = {1, math.ceil(wait)}
  end
elseif mode == 'resync' then
  if hit ~= nil and now - hit < recoverMs then
    factor = math.max(minFactor, factor * 0.8)
    cap = math.max(minCap, math.floor(cap * 0.9))
    drain = drainCfg * factor / 1000.0
    calm = now
  end
  hit = now
  level = math.max(level, cap) + x * drain
  result = {1, 0}
else
  result = {math.floor(level * 1000), math.floor(factor * 1000), cap}
end

redis.call('HSET', key, 'level', tostring(level), 'ts', tostring(ts), 'factor', tostring(factor), 'cap', tostring(cap), 'calm', tostring(calm), 'hit', tostring(hit or 0))
redis.call('PEXPIRE', key, ttl)
return result
