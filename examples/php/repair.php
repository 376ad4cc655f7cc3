<?php
// A SendPromptly repair endpoint in plain PHP 8 (no framework, no packages).
//
// When your operator clicks "reprocess" on an incident, SendPromptly POSTs a signed callback to
// your repair URL. This script verifies it, answers 202, then reruns the effect (idempotently,
// keyed on replay_id) and reports the outcome with POST /api/v1/result.
//
// Try it with PHP's built-in server (it takes the port on its command line):
//
//   SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... \
//   SENDPROMPTLY_SIGNING_SECRET=sps_... php -S 127.0.0.1:3000 examples/php/repair.php
//
// Environment: SENDPROMPTLY_URL, SENDPROMPTLY_API_KEY, SENDPROMPTLY_SIGNING_SECRET,
// REPAIR_STATE_DIR (where nonces and replay outcomes are kept; default: the system temp dir),
// REPAIR_EFFECT_OUTCOME (success | failed: simulates the effect).
//
// The built-in server prints "PHP ... Development Server (http://127.0.0.1:3000) started" on
// stderr when it listens; this script logs one line per callback on stdout.

declare(strict_types=1);

require __DIR__ . '/verify.php';
require __DIR__ . '/signals.php';

/** One log line: stdout under `php -S`, the PHP error log under php-fpm or Apache. */
function repair_log(string $line): void
{
    if (PHP_SAPI === 'cli-server') {
        file_put_contents('php://stdout', $line . "\n");
    } else {
        error_log($line);
    }
}

function repair_answer(int $status, array $body): void
{
    $text = json_encode($body);
    http_response_code($status);
    header('Content-Type: application/json');
    header('Content-Length: ' . strlen($text));
    echo $text;
}

/** The business effect, simulated. Real code: unlock access for $callback['internal_reference'], idempotently. */
function repair_run_effect(array $callback): array
{
    if ((getenv('REPAIR_EFFECT_OUTCOME') ?: 'success') === 'failed') {
        return ['status' => 'failed', 'errorCode' => 'effect_failed', 'errorMessage' => ($callback['effect_type'] ?? 'effect') . ' failed (simulated)'];
    }
    return ['status' => 'success'];
}

/**
 * Reruns the effect once per replay_id. A replay_id seen again (SendPromptly retries a delivery
 * whose answer it did not get, always with the same replay_id) answers its stored outcome. The
 * lock on replays.json is held while the effect runs, so two deliveries never run it twice.
 */
function repair_apply_once(array $callback): array
{
    return sendpromptly_with_locked_state('replays.json', function (array &$outcomes) use ($callback): array {
        $replayId = $callback['replay_id'];
        if (isset($outcomes[$replayId])) {
            repair_log("$replayId already applied; reporting its stored outcome again");
            return $outcomes[$replayId];
        }
        try {
            $outcome = repair_run_effect($callback);
        } catch (Throwable $error) {
            $outcome = ['status' => 'failed', 'errorCode' => 'effect_failed', 'errorMessage' => $error->getMessage()];
        }
        $outcomes[$replayId] = $outcome;
        $effect = $callback['effect_type'] ?? 'effect';
        repair_log("effect $effect ran for {$callback['event_id']} ($replayId): {$outcome['status']}");
        return $outcome;
    });
}

/** POST /api/v1/result with the replay_id; retried a few times on network errors, 429 and 5xx. */
function repair_report(array $callback, array $outcome): void
{
    $replayId = $callback['replay_id'];
    for ($attempt = 1; ; $attempt++) {
        try {
            [$status] = sendpromptly_send_result(
                status: $outcome['status'],
                eventId: $callback['event_id'],
                errorCode: $outcome['errorCode'] ?? null,
                errorMessage: $outcome['errorMessage'] ?? null,
                replayId: $replayId,
                idempotencyKey: "repair-$replayId",
            );
            if (($status !== 429 && $status < 500) || $attempt === 3) {
                repair_log("reported $replayId {$outcome['status']} -> $status");
                return;
            }
        } catch (RuntimeException $error) {
            if ($attempt === 3) {
                repair_log("reporting $replayId failed: " . $error->getMessage());
                return;
            }
        }
        sleep(2 ** $attempt);
    }
}

/** The fields the repair needs; null for a malformed body. */
function repair_parse_callback(string $rawBody): ?array
{
    $callback = json_decode($rawBody, true);
    if (!is_array($callback) || array_is_list($callback) || ($callback['type'] ?? null) !== 'reprocess.requested') {
        return null;
    }
    foreach (['replay_id', 'event_id'] as $field) {
        if (!is_string($callback[$field] ?? null) || $callback[$field] === '') {
            return null;
        }
    }
    return $callback;
}

// --- the request ---

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST' || $path !== '/sendpromptly/repair') {
    repair_answer(404, ['error' => 'not found']);
    return;
}

$secret = getenv('SENDPROMPTLY_SIGNING_SECRET') ?: '';
if ($secret === '') {
    repair_log('SENDPROMPTLY_SIGNING_SECRET is not set');
    repair_answer(500, ['error' => 'not configured']);
    return;
}

$rawBody = file_get_contents('php://input') ?: '';
$headers = [
    'x-sendpromptly-timestamp' => $_SERVER['HTTP_X_SENDPROMPTLY_TIMESTAMP'] ?? '',
    'x-sendpromptly-nonce' => $_SERVER['HTTP_X_SENDPROMPTLY_NONCE'] ?? '',
    'x-sendpromptly-signature' => $_SERVER['HTTP_X_SENDPROMPTLY_SIGNATURE'] ?? '',
];
$reason = sendpromptly_verify_callback($headers, $rawBody, $secret);
if ($reason !== null) {
    repair_log("rejected callback: $reason");
    repair_answer(401, ['error' => $reason]);
    return;
}
$callback = repair_parse_callback($rawBody);
if ($callback === null) {
    repair_log('rejected callback: malformed body');
    repair_answer(400, ['error' => 'malformed body']);
    return;
}
repair_log("accepted {$callback['replay_id']} attempt " . ($callback['attempt'] ?? '?') . " for {$callback['event_id']}");

// Answer 202 first, then repair: SendPromptly waits at most 10 s for the answer. Under php-fpm,
// fastcgi_finish_request() ends the response and the script goes on. `php -S` has no such
// function: there the output buffers are flushed, and with Content-Length set the client has
// its whole answer while the script goes on (the built-in server serves one request at a time,
// so the next callback waits until this report is sent; use php-fpm in production).
repair_answer(202, ['accepted' => true]);
ignore_user_abort(true);
if (function_exists('fastcgi_finish_request')) {
    fastcgi_finish_request();
} else {
    while (ob_get_level() > 0) {
        ob_end_flush();
    }
    flush();
}

repair_report($callback, repair_apply_once($callback));
