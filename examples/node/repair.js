'use strict';
// A SendPromptly repair endpoint (Node 20, node:http, no dependencies).
//
// When your operator clicks "reprocess" on an incident, SendPromptly POSTs a signed callback
// to your repair URL. This endpoint verifies it, answers 202 at once, then reruns the effect
// (idempotently, keyed on replay_id) and reports the outcome with POST /api/v1/result.
//
//   PORT=3000 SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... \
//   SENDPROMPTLY_SIGNING_SECRET=sps_... node examples/node/repair.js
//
// Environment: PORT (0 = any free port), SENDPROMPTLY_URL, SENDPROMPTLY_API_KEY,
// SENDPROMPTLY_SIGNING_SECRET, REPAIR_EFFECT_OUTCOME (success | failed: simulates the effect).

const http = require('node:http');
const { verifyCallback, NonceStore } = require('./verify');
const { sendResult } = require('./signals');

const PORT = Number(process.env.PORT || 3000);
const SECRET = process.env.SENDPROMPTLY_SIGNING_SECRET || '';
const EFFECT_OUTCOME = process.env.REPAIR_EFFECT_OUTCOME || 'success';
const MAX_BODY_BYTES = 64 * 1024;

if (!SECRET) {
  console.error('SENDPROMPTLY_SIGNING_SECRET is not set');
  process.exit(2);
}

const nonces = new NonceStore();

// replay_id -> Promise of the outcome. A replay_id seen again (SendPromptly retries a delivery
// whose answer it did not get, always with the same replay_id) reports the stored outcome
// instead of running the effect twice. In memory here; in production keep it in your database.
const outcomes = new Map();

function log(line) {
  process.stdout.write(`${line}\n`);
}

function answer(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** The business effect, simulated. Real code: unlock access for callback.internal_reference, idempotently. */
async function runEffect(callback) {
  if (EFFECT_OUTCOME === 'failed') {
    return { status: 'failed', errorCode: 'effect_failed', errorMessage: `${callback.effect_type} failed (simulated)` };
  }
  return { status: 'success' };
}

/** Runs after the 202 was sent: rerun the effect once per replay_id, then report the outcome. */
async function repair(callback) {
  let outcome = outcomes.get(callback.replay_id);
  if (outcome) {
    log(`${callback.replay_id} already applied; reporting its stored outcome again`);
  } else {
    outcome = runEffect(callback).catch((error) => ({
      status: 'failed',
      errorCode: 'effect_failed',
      errorMessage: String(error && error.message),
    }));
    outcomes.set(callback.replay_id, outcome);
    log(`effect ${callback.effect_type} ran for ${callback.event_id} (${callback.replay_id}): ${(await outcome).status}`);
  }
  const { status, errorCode, errorMessage } = await outcome;
  await report(callback, { status, errorCode, errorMessage });
}

/** POST /api/v1/result with the replay_id; retried a few times on network errors, 429 and 5xx. */
async function report(callback, outcome) {
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = await sendResult({
        eventId: callback.event_id,
        replayId: callback.replay_id,
        idempotencyKey: `repair-${callback.replay_id}`,
        ...outcome,
      });
      const retry = reply.status === 429 || reply.status >= 500;
      if (!retry || attempt === 3) {
        log(`reported ${callback.replay_id} ${outcome.status} -> ${reply.status}`);
        return;
      }
    } catch (error) {
      if (attempt === 3) {
        log(`reporting ${callback.replay_id} failed: ${error.message}`);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
  }
}

/** The fields the repair needs; anything else is a malformed body. */
function parseCallback(rawBody) {
  let callback;
  try {
    callback = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof callback !== 'object' || callback === null || Array.isArray(callback)) return null;
  if (callback.type !== 'reprocess.requested') return null;
  for (const field of ['replay_id', 'event_id']) {
    if (typeof callback[field] !== 'string' || callback[field] === '') return null;
  }
  return callback;
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/sendpromptly/repair') {
    answer(response, 404, { error: 'not found' });
    return;
  }
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > MAX_BODY_BYTES) {
      log('rejected callback: body too large');
      answer(response, 413, { error: 'body too large' });
      return;
    }
    const rawBody = Buffer.concat(chunks);
    const verdict = verifyCallback({ headers: request.headers, rawBody, secret: SECRET, nonces });
    if (!verdict.ok) {
      log(`rejected callback: ${verdict.reason}`);
      answer(response, 401, { error: verdict.reason });
      return;
    }
    const callback = parseCallback(rawBody);
    if (!callback) {
      log('rejected callback: malformed body');
      answer(response, 400, { error: 'malformed body' });
      return;
    }
    log(`accepted ${callback.replay_id} attempt ${callback.attempt} for ${callback.event_id}`);
    answer(response, 202, { accepted: true });
    // After the answer: SendPromptly waits at most 10 s for it, the effect may take longer.
    setImmediate(() => {
      repair(callback).catch((error) => log(`repair of ${callback.replay_id} failed: ${error.message}`));
    });
  });
});

server.listen(PORT, '127.0.0.1', () => {
  log(`listening on http://127.0.0.1:${server.address().port}`);
});

// Stop cleanly on SIGTERM / SIGINT (Ctrl-C).
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
