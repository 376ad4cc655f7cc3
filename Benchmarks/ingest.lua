-- wrk script: POST a receipt and then its success result, each with a fresh Idempotency-Key and
-- provider event id, with the API key in SENDPROMPTLY_KEY. Every connection numbers its own
-- requests, so no two requests anywhere repeat a key. With SENDPROMPTLY_RECEIPTS_ONLY=1 it
-- sends receipts only, which stay pending (to fill the engine).
local counter = 0
local thread_id = 0
local key = os.getenv("SENDPROMPTLY_KEY")
-- Results name a receipt sent `lag` requests earlier: with 64 connections in flight, its
-- answer has long arrived, so the result finds the event.
local lag = 512
local sent = {}
local receipts_only = os.getenv("SENDPROMPTLY_RECEIPTS_ONLY") == "1"

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
  if not receipts_only and counter % 2 == 0 and sent[counter - lag] ~= nil then
    local body = '{"provider_event_id": "' .. sent[counter - lag] .. '", "status": "success"}'
    sent[counter - lag] = nil
    return wrk.format("POST", "/api/v1/result", headers, body)
  end
  local pending_event = "evt_" .. id
  sent[counter] = pending_event
  local body = '{"provider": "stripe", "provider_event_id": "' .. pending_event ..
    '", "event_type": "invoice.paid", "effect_type": "credit_grant", "timeout_minutes": 30}'
  return wrk.format("POST", "/api/v1/receipt", headers, body)
end

response = function(status, headers, body)
  if status >= 300 then
    errors = (errors or 0) + 1
  end
end
