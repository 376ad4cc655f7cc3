<?php
// The two signals a payment webhook handler sends to SendPromptly (plain PHP 8, no packages,
// no curl extension needed: PHP's own HTTP stream wrapper).
//
//   1. sendpromptly_send_receipt(...) right after the provider's webhook is verified and durably
//      stored, before the business effect runs: "I accepted this payment event".
//   2. sendpromptly_send_result(...) once the effect (unlock access, grant credits, ...) ran:
//      success or failed.
//
// A failed result, or no result before the deadline, opens an incident for your operator.
//
// Run as a script it demonstrates both:
//   SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... php examples/php/signals.php evt_123

declare(strict_types=1);

/**
 * POSTs `$body` as JSON; answers [status, decoded body]. Every POST to receipt or result
 * carries an Idempotency-Key: retrying with the same key and body is always safe.
 * Throws RuntimeException when SendPromptly cannot be reached.
 */
function sendpromptly_post(string $path, array $body, string $idempotencyKey): array
{
    $baseUrl = rtrim(getenv('SENDPROMPTLY_URL') ?: 'http://127.0.0.1:8080', '/');
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => implode("\r\n", [
            'Authorization: Bearer ' . (getenv('SENDPROMPTLY_API_KEY') ?: ''),
            'Content-Type: application/json',
            'Accept: application/json',
            'Idempotency-Key: ' . $idempotencyKey,
        ]),
        'content' => json_encode($body),
        'timeout' => 10,
        'ignore_errors' => true, // give us the body of 4xx and 5xx answers too
    ]]);
    $text = @file_get_contents($baseUrl . $path, false, $context);
    if ($text === false || !isset($http_response_header[0])) {
        throw new RuntimeException("cannot reach $baseUrl");
    }
    // $http_response_header[0] is the status line, e.g. "HTTP/1.1 202 Accepted".
    preg_match('{^HTTP/\S+ (\d{3})}', $http_response_header[0], $match);
    return [(int) ($match[1] ?? 0), json_decode($text, true)];
}

/**
 * The acceptance signal. `$effectType` is one of access_unlock, credit_grant, seat_update,
 * subscription_state_apply, access_revocation, credit_deduction. Answers
 * [202, {event_id, timeout_at, accepted}] (also for a provider redelivery, with "duplicate": true).
 */
function sendpromptly_send_receipt(
    string $provider,
    string $providerEventId,
    string $eventType,
    string $effectType,
    ?string $internalReference = null,
    ?int $timeoutMinutes = null,
): array {
    $body = [
        'provider' => $provider,                   // "stripe" or "shopify"
        'provider_event_id' => $providerEventId,   // Stripe evt_..., Shopify webhook id
        'event_type' => $eventType,                // e.g. checkout.session.completed
        'effect_type' => $effectType,
    ];
    if ($internalReference !== null) {
        $body['internal_reference'] = $internalReference; // your user/account id
    }
    if ($timeoutMinutes !== null) {
        $body['timeout_minutes'] = $timeoutMinutes;       // 1..10080, default 30
    }
    return sendpromptly_post('/api/v1/receipt', $body, "receipt-$providerEventId");
}

/**
 * The outcome signal ("success" or "failed"). Name the event by `$eventId` (from the receipt's
 * answer) or by `$providerEventId`; `$replayId` is set when reporting the outcome of a repair
 * callback. Answers [200, {event_id, status, incident_id, incident_status}].
 */
function sendpromptly_send_result(
    string $status,
    ?string $eventId = null,
    ?string $providerEventId = null,
    ?string $errorCode = null,
    ?string $errorMessage = null,
    ?string $replayId = null,
    ?string $idempotencyKey = null,
): array {
    $body = $eventId !== null ? ['event_id' => $eventId] : ['provider_event_id' => $providerEventId];
    $body['status'] = $status;
    if ($replayId !== null) {
        $body['replay_id'] = $replayId;
    }
    if ($errorCode !== null) {
        $body['error_code'] = $errorCode;       // short machine-readable label, <= 100 chars
    }
    if ($errorMessage !== null) {
        $body['error_message'] = $errorMessage; // <= 2000 chars
    }
    $key = $idempotencyKey ?? 'result-' . ($eventId ?? $providerEventId) . "-$status";
    return sendpromptly_post('/api/v1/result', $body, $key);
}

// The demo, only when this file is run itself (not when repair.php includes it): what a Stripe
// webhook handler does for checkout.session.completed.
if (PHP_SAPI === 'cli' && isset($argv[0]) && realpath($argv[0]) === __FILE__) {
    if (count($argv) !== 2) {
        fwrite(STDERR, "usage: php signals.php <provider_event_id>\n");
        exit(2);
    }
    $providerEventId = $argv[1];
    try {
        // (Your handler has verified Stripe's signature and stored the event at this point.)
        [$status, $receipt] = sendpromptly_send_receipt(
            provider: 'stripe',
            providerEventId: $providerEventId,
            eventType: 'checkout.session.completed',
            effectType: 'access_unlock',
            internalReference: 'user_42',
            timeoutMinutes: 30,
        );
        echo "receipt -> $status " . json_encode($receipt) . "\n";
        if ($status !== 202) {
            exit(1);
        }

        // The business effect; a fake one here. Real code unlocks access idempotently.
        $unlockAccess = fn (string $userId): bool => $userId !== '';
        $ok = $unlockAccess('user_42');

        [$status, $result] = sendpromptly_send_result(
            status: $ok ? 'success' : 'failed',
            eventId: $receipt['event_id'],
            errorCode: $ok ? null : 'unlock_failed',
        );
        echo "result -> $status " . json_encode($result) . "\n";
        exit($status === 200 ? 0 : 1);
    } catch (RuntimeException $error) {
        fwrite(STDERR, 'signals failed: ' . $error->getMessage() . "\n");
        exit(1);
    }
}
