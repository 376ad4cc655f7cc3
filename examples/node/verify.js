'use strict';
// Verifies that a repair callback really comes from SendPromptly (Node 20, no dependencies).
//
// SendPromptly signs every callback with your project's signing secret (sps_...):
//
//   X-SendPromptly-Timestamp: 1764397800                  unix seconds
//   X-SendPromptly-Nonce:     9f2c4a...                   32 lowercase hex chars, new for every attempt
//   X-SendPromptly-Signature: v1=<64 lowercase hex>       during a secret rotation: "v1=<new> v1=<old>"
//
//   signature = hex(HMAC-SHA256(key = signing secret, message = timestamp + "." + nonce + "." + raw body))
//
// A callback is genuine when its timestamp is within 5 minutes of our clock, its nonce was not
// seen before, and ANY of the v1= signatures matches. Always verify the raw bytes you received:
// re-serialising parsed JSON changes them.

const crypto = require('node:crypto');

/** How far a timestamp may be from our clock, either way, in seconds. */
const TOLERANCE_SECONDS = 300;

/**
 * Remembers the nonces of accepted callbacks for as long as their timestamp would still be
 * accepted, so that a captured callback cannot be sent again. In memory: fine for a single
 * process; with several instances use a shared store (Redis SET NX with an expiry, or a table
 * with a unique key).
 */
class NonceStore {
  constructor() {
    this.expiries = new Map(); // nonce -> unix seconds after which it can be forgotten
  }

  /** Records `nonce`; false when it was already recorded. */
  remember(nonce, timestamp, now) {
    for (const [seen, expiry] of this.expiries) {
      if (expiry < now) this.expiries.delete(seen);
    }
    if (this.expiries.has(nonce)) return false;
    this.expiries.set(nonce, timestamp + TOLERANCE_SECONDS);
    return true;
  }
}

/** Checks one callback. Answers {ok: true} or {ok: false, reason}; the reason never holds the secret. */
function verifyCallback({ headers, rawBody, secret, nonces, now = Math.floor(Date.now() / 1000) }) {
  // node:http gives header names in lower case.
  const timestampHeader = headers['x-sendpromptly-timestamp'];
  const nonce = headers['x-sendpromptly-nonce'];
  const signatureHeader = headers['x-sendpromptly-signature'];
  if (!timestampHeader) return { ok: false, reason: 'missing X-SendPromptly-Timestamp header' };
  if (!nonce) return { ok: false, reason: 'missing X-SendPromptly-Nonce header' };
  if (!signatureHeader) return { ok: false, reason: 'missing X-SendPromptly-Signature header' };

  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'malformed timestamp' };
  const timestamp = Number(timestampHeader);
  if (Math.abs(now - timestamp) > TOLERANCE_SECONDS) {
    return { ok: false, reason: 'timestamp outside the 300 s tolerance' };
  }
  if (!/^[0-9a-f]{32}$/.test(nonce)) return { ok: false, reason: 'malformed nonce' };

  const expected = Buffer.from(
    crypto
      .createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(`${timestampHeader}.${nonce}.`)
      .update(rawBody)
      .digest('hex'),
    'utf8',
  );
  // Several signatures during a secret rotation: accept when any one matches. Compare in
  // constant time (timingSafeEqual needs equal lengths, so check that first).
  let matched = false;
  for (const part of signatureHeader.split(' ')) {
    if (!part.startsWith('v1=')) continue;
    const candidate = Buffer.from(part.slice(3), 'utf8');
    if (candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'no matching v1 signature' };

  // Only a genuine callback uses up its nonce.
  if (!nonces.remember(nonce, timestamp, now)) return { ok: false, reason: 'nonce already used (replayed callback)' };
  return { ok: true };
}

module.exports = { verifyCallback, NonceStore, TOLERANCE_SECONDS };
