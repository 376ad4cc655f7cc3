<?php

// Verifies that a repair callback really comes from SendPromptly. Framework-agnostic: the
// Laravel controller beside it hands it the headers, the raw body and a nonce store.
//
// SendPromptly signs every callback with your project's signing secret (sps_...):
//
//   X-SendPromptly-Timestamp: 1764397800                  unix seconds
//   X-SendPromptly-Nonce:     9f2c4a...                   32 lowercase hex chars, new for every attempt
//   X-SendPromptly-Signature: v1=<64 lowercase hex>       during a secret rotation: "v1=<new> v1=<old>"
//
//   signature = hex(HMAC-SHA256(key = signing secret, message = timestamp . "." . nonce . "." . raw body))
//
// A callback is genuine when its timestamp is within 5 minutes of our clock, its nonce was not
// seen before, and ANY of the v1= signatures matches.
//
// Put it at app/Support/SendPromptlyVerifier.php.

declare(strict_types=1);

namespace App\Support;

use Closure;

final class SendPromptlyVerifier
{
    /** How far a timestamp may be from our clock, either way, in seconds. */
    public const TOLERANCE_SECONDS = 300;

    /**
     * @param string $secret the project's signing secret
     * @param Closure(string $nonce, int $ttlSeconds): bool $rememberNonce records a nonce for
     *        `$ttlSeconds` and answers false when it was already recorded (atomically, e.g.
     *        `Cache::add(...)`)
     */
    public function __construct(
        private readonly string $secret,
        private readonly Closure $rememberNonce,
    ) {
    }

    /**
     * Answers null when the callback is genuine, otherwise the reason (never the secret).
     * `$rawBody` must be the exact bytes received (`$request->getContent()`).
     */
    public function verify(?string $timestampHeader, ?string $nonce, ?string $signatureHeader, string $rawBody, ?int $now = null): ?string
    {
        $now ??= time();
        if ($timestampHeader === null || $timestampHeader === '') {
            return 'missing X-SendPromptly-Timestamp header';
        }
        if ($nonce === null || $nonce === '') {
            return 'missing X-SendPromptly-Nonce header';
        }
        if ($signatureHeader === null || $signatureHeader === '') {
            return 'missing X-SendPromptly-Signature header';
        }

        if (preg_match('/^[0-9]{1,12}$/D', $timestampHeader) !== 1) {
            return 'malformed timestamp';
        }
        $timestamp = (int) $timestampHeader;
        if (abs($now - $timestamp) > self::TOLERANCE_SECONDS) {
            return 'timestamp outside the 300 s tolerance';
        }
        if (preg_match('/^[0-9a-f]{32}$/D', $nonce) !== 1) {
            return 'malformed nonce';
        }

        $expected = hash_hmac('sha256', $timestampHeader . '.' . $nonce . '.' . $rawBody, $this->secret);
        // Several signatures during a secret rotation: accept when any one matches, each
        // compared in constant time.
        $matched = false;
        foreach (explode(' ', $signatureHeader) as $part) {
            if (str_starts_with($part, 'v1=') && hash_equals($expected, substr($part, 3))) {
                $matched = true;
            }
        }
        if (!$matched) {
            return 'no matching v1 signature';
        }

        // Only a genuine callback uses up its nonce; keep it while its timestamp is acceptable.
        $ttl = max(1, $timestamp + self::TOLERANCE_SECONDS - $now);
        if (!($this->rememberNonce)($nonce, $ttl)) {
            return 'nonce already used (replayed callback)';
        }
        return null;
    }
}
