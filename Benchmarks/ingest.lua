-- wrk script: POST a receipt and then its success result, each with a fresh Idempotency-Key and
-- provider event id, with the API key in SENDPROMPTLY_KEY. Every connection numbers its own
-- requests, so no two requests anywhere repeat a key.
local counter = 0
local thread_id = 0
local key = os.getenv("SENDPROMPTLY_KEY")
local pending_event = nil

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  math.randomseed(os.time() + thread_id)
  prefix = string.format("t%d-%d", thread_id, math.random(1, 1e9))
end

request = function()
  counter = counter + 1
  local id = prefix .. "-" .. counter
  local headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = id,
  }
  if pending_event ~= nil and counter % 2 == 0 then
    local body = '{"provider_event_id": "' .. pending_event .. '", "status": "success"}'
    pending_event = nil
    return wrk.format("POST", "/api/v1/result", headers, body)
  end
  pending_event = "evt_" .. id
  local body = '{"provider": "stripe", "provider_event_id": "' .. pending_event ..
    '", "event_type": "invoice.paid", "effect_type": "credit_grant", "timeout_minutes": 30}'
  return wrk.format("POST", "/api/v1/receipt", headers, body)
end

response = function(status, headers, body)
  if status >= 300 then
    errors = (errors or 0) + 1
  end
end
