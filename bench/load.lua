-- wrk script of bench/load.py (it prepends the request tables KINDS, ACTIONS, WEIGHTS and THINK_MS, SEED).
-- Each wrk connection is one person: it thinks (exponential, mean THINK_MS), then sends one request of a kind
-- drawn by WEIGHTS. Staff actions are each sent once (split among the threads); when a thread has used its
-- share it shows a case page instead. WeChat message ids ({MSGID}) are made unique per request.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

local total_weight, action_next, action_step, sent_id = 0, 1, 1, 0
statuses = {}
action_last = 0  -- the last staff action this thread sent (index into ACTIONS); the next run starts after it

function init(args)
  math.randomseed(SEED + id * 7919)
  for _, pair in ipairs(WEIGHTS) do total_weight = total_weight + pair[2] end
  -- args: threads, and how many actions earlier runs used (each case is acted on once across the steps)
  action_next, action_step = (tonumber(args[2]) or 0) + id + 1, tonumber(args[1]) or 1
  for _, entries in pairs(KINDS) do
    for _, e in ipairs(entries) do
      if THINK_MS > 0 then
        -- a person comes back after thinking on a new connection, as a browser does once the server has closed
        -- the idle one (uvicorn after 5 s): without this wrk would write into the closed socket and count an error
        e.headers["Connection"] = "close"
      end
      if not string.find(e.body, "{MSGID}", 1, true) then
        e.formatted = wrk.format(e.method, e.path, e.headers, e.body ~= "" and e.body or nil)
      end
    end
  end
end

-- A think time is cut at 55 s. wrk opens a person's next connection before they think, where a browser opens it
-- when it has something to send, and nginx closes a connection that sends no request for 60 s
-- (client_header_timeout): each longer think (e^-6 of them at a 10 s mean, 0.25 %) was a socket read error that
-- nginx never logged (530 in a 30-minute soak). The mean moves by 10 s * e^-5.5, 0.04 s.
local MAX_THINK_MS = 55000

if THINK_MS > 0 then  -- without think time (the per-endpoint table) wrk sends back to back
  function delay()
    return math.min(MAX_THINK_MS, math.floor(-THINK_MS * math.log(1 - math.random())))
  end
end

local function pick(entries)
  return entries[math.random(#entries)]
end

local function send(e)
  if e.formatted then return e.formatted end
  sent_id = sent_id + 1
  local body = string.gsub(e.body, "{MSGID}", tostring(id * 100000000 + sent_id) .. tostring(math.random(1000, 9999)))
  return wrk.format(e.method, e.path, e.headers, body)
end

function request()
  local roll = math.random() * total_weight
  local kind = WEIGHTS[#WEIGHTS][1]
  for _, pair in ipairs(WEIGHTS) do
    roll = roll - pair[2]
    if roll <= 0 then kind = pair[1]; break end
  end
  if kind == "staff_action" then
    local e = ACTIONS[action_next]
    if e then
      action_last = action_next
      action_next = action_next + action_step
      if THINK_MS > 0 then e.headers["Connection"] = "close" end
      return wrk.format(e.method, e.path, e.headers, e.body)
    end
    kind = KINDS["staff_case"] and "staff_case" or "home"
  end
  return send(pick(KINDS[kind]))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_status, last_action = {}, 0
  for _, thread in ipairs(threads) do
    last_action = math.max(last_action, thread:get("action_last") or 0)
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do by_status[status] = (by_status[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(by_status) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "statuses": {%s}, ' ..
    '"actions_used": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", "), last_action))
end
