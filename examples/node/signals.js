'use strict';
// The two signals a payment webhook handler sends to SendPromptly (Node 20, global fetch).
//
//   1. sendReceipt(...) right after the provider's webhook is verified and durably stored,
//      before the business effect runs: "I accepted this payment event".
//   2. sendResult(...) once the effect (unlock access, grant credits, ...) ran: success or failed.
//
// A failed result, or no result before the deadline, opens an incident for your operator.
//
// Run as a script it demonstrates both:
//   SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... node examples/node/signals.js evt_123

const BASE_URL = (process.env.SENDPROMPTLY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const API_KEY = process.env.SENDPROMPTLY_API_KEY || '';

/**
 * POSTs `body` as JSON and answers {status, body}. Every POST to receipt or result carries an
 * Idempotency-Key: retrying with the same key and body is always safe.
 */
async function post(path, body, idempotencyKey) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${API_KEY}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'Idempotency-Key': idempotencyKey,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { raw: text };
  }
  return { status: response.status, body: json };
}

/**
 * The acceptance signal. `effectType` is one of access_unlock, credit_grant, seat_update,
 * subscription_state_apply, access_revocation, credit_deduction. Answers
 * 202 {event_id, timeout_at, accepted} (also for a provider redelivery, with "duplicate": true).
 */
async function sendReceipt({ provider, providerEventId, eventType, effectType, internalReference, timeoutMinutes }) {
  const body = {
    provider, // "stripe" or "shopify"
    provider_event_id: providerEventId, // Stripe evt_..., Shopify webhook id
    event_type: eventType, // e.g. checkout.session.completed
    effect_type: effectType,
  };
  if (internalReference !== undefined) body.internal_reference = internalReference; // your user/account id
  if (timeoutMinutes !== undefined) body.timeout_minutes = timeoutMinutes; // 1..10080, default 30
  return post('/api/v1/receipt', body, `receipt-${providerEventId}`);
}

/**
 * The outcome signal. Name the event by `eventId` (from the receipt's answer) or by
 * `providerEventId`. `replayId` is set when reporting the outcome of a repair callback.
 * Answers 200 {event_id, status, incident_id, incident_status}.
 */
async function sendResult({ eventId, providerEventId, status, errorCode, errorMessage, replayId, idempotencyKey }) {
  const body = eventId ? { event_id: eventId } : { provider_event_id: providerEventId };
  body.status = status; // "success" or "failed"
  if (replayId) body.replay_id = replayId;
  if (errorCode) body.error_code = errorCode; // short machine-readable label, <= 100 chars
  if (errorMessage) body.error_message = errorMessage; // <= 2000 chars
  const key = idempotencyKey || `result-${eventId || providerEventId}-${status}`;
  return post('/api/v1/result', body, key);
}

module.exports = { sendReceipt, sendResult };

// The demo: what a Stripe webhook handler does for checkout.session.completed.
async function main() {
  const providerEventId = process.argv[2];
  if (!providerEventId) {
    console.error('usage: node signals.js <provider_event_id>');
    process.exit(2);
  }
  // (Your handler has verified Stripe's signature and stored the event at this point.)
  const receipt = await sendReceipt({
    provider: 'stripe',
    providerEventId,
    eventType: 'checkout.session.completed',
    effectType: 'access_unlock',
    internalReference: 'user_42',
    timeoutMinutes: 30,
  });
  console.log(`receipt -> ${receipt.status} ${JSON.stringify(receipt.body)}`);
  if (receipt.status !== 202) process.exit(1);

  // The business effect; a fake one here. Real code unlocks access idempotently.
  const unlockAccess = async (userId) => userId !== '';
  const ok = await unlockAccess('user_42');

  const result = await sendResult({
    eventId: receipt.body.event_id,
    status: ok ? 'success' : 'failed',
    errorCode: ok ? undefined : 'unlock_failed',
  });
  console.log(`result -> ${result.status} ${JSON.stringify(result.body)}`);
  if (result.status !== 200) process.exit(1);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`signals failed: ${error.message}`);
    process.exit(1);
  });
}
