<?php
// Verifies that a repair callback really comes from SendPromptly (plain PHP 8, no packages).
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
// seen before, and ANY of the v1= signatures matches. Always verify the raw body
// (file_get_contents('php://input')): re-encoding parsed JSON changes it.
//
// PHP forgets its variables after every request, so seen nonces (and the outcomes of replays,
// see repair.php) live in small JSON files guarded by flock(), in the directory named by the
// environment variable REPAIR_STATE_DIR (default: a folder in the system temp dir). With several
// servers use a shared store instead (a table with a unique key, or Redis SET NX with expiry).

declare(strict_types=1);

/** How far a timestamp may be from our clock, either way, in seconds. */
const SENDPROMPTLY_TOLERANCE_SECONDS = 300;

/** The directory holding this endpoint's state files; created (mode 0700) when missing. */
function sendpromptly_state_dir(): string
{
    $dir = getenv('REPAIR_STATE_DIR') ?: sys_get_temp_dir() . DIRECTORY_SEPARATOR . 'sendpromptly-repair';
    if (!is_dir($dir) && !mkdir($dir, 0700, true) && !is_dir($dir)) {
        throw new RuntimeException("cannot create the state directory $dir");
    }
    return $dir;
}

/**
 * Opens `$file` in the state directory, takes an exclusive lock on it, hands its decoded JSON
 * to `$change` (by reference), writes the array back and releases the lock. Answers what
 * `$change` answers. Concurrent requests (php-fpm workers) wait for each other here.
 */
function sendpromptly_with_locked_state(string $file, callable $change): mixed
{
    $handle = fopen(sendpromptly_state_dir() . DIRECTORY_SEPARATOR . $file, 'c+');
    if ($handle === false || !flock($handle, LOCK_EX)) {
        throw new RuntimeException("cannot lock the state file $file");
    }
    try {
        $data = json_decode(stream_get_contents($handle) ?: '{}', true);
        if (!is_array($data)) {
            $data = [];
        }
        $answer = $change($data);
        ftruncate($handle, 0);
        rewind($handle);
        fwrite($handle, json_encode((object) $data));
        fflush($handle);
        return $answer;
    } finally {
        flock($handle, LOCK_UN);
        fclose($handle);
    }
}

/** Records `$nonce` until its timestamp expires; false when it was already recorded. */
function sendpromptly_remember_nonce(string $nonce, int $timestamp, int $now): bool
{
    return sendpromptly_with_locked_state('nonces.json', function (array &$expiries) use ($nonce, $timestamp, $now): bool {
        $expiries = array_filter($expiries, fn ($expiry) => $expiry >= $now);
        if (isset($expiries[$nonce])) {
            return false;
        }
        $expiries[$nonce] = $timestamp + SENDPROMPTLY_TOLERANCE_SECONDS;
        return true;
    });
}

/**
 * Checks one callback. Answers null when it is genuine, otherwise the reason (never the
 * secret). `$headers` maps lower-case header names to values.
 */
function sendpromptly_verify_callback(array $headers, string $rawBody, string $secret, ?int $now = null): ?string
{
    $now ??= time();
    $timestampHeader = $headers['x-sendpromptly-timestamp'] ?? '';
    $nonce = $headers['x-sendpromptly-nonce'] ?? '';
    $signatureHeader = $headers['x-sendpromptly-signature'] ?? '';
    if ($timestampHeader === '') {
        return 'missing X-SendPromptly-Timestamp header';
    }
    if ($nonce === '') {
        return 'missing X-SendPromptly-Nonce header';
    }
    if ($signatureHeader === '') {
        return 'missing X-SendPromptly-Signature header';
    }

    if (preg_match('/^[0-9]{1,12}$/D', $timestampHeader) !== 1) {
        return 'malformed timestamp';
    }
    $timestamp = (int) $timestampHeader;
    if (abs($now - $timestamp) > SENDPROMPTLY_TOLERANCE_SECONDS) {
        return 'timestamp outside the 300 s tolerance';
    }
    if (preg_match('/^[0-9a-f]{32}$/D', $nonce) !== 1) {
        return 'malformed nonce';
    }

    $expected = hash_hmac('sha256', $timestampHeader . '.' . $nonce . '.' . $rawBody, $secret);
    // Several signatures during a secret rotation: accept when any one matches, each compared
    // in constant time with hash_equals (known string first).
    $matched = false;
    foreach (explode(' ', $signatureHeader) as $part) {
        if (str_starts_with($part, 'v1=') && hash_equals($expected, substr($part, 3))) {
            $matched = true;
        }
    }
    if (!$matched) {
        return 'no matching v1 signature';
    }

    // Only a genuine callback uses up its nonce.
    if (!sendpromptly_remember_nonce($nonce, $timestamp, $now)) {
        return 'nonce already used (replayed callback)';
    }
    return null;
}
