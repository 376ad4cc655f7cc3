<?php

// A SendPromptly repair endpoint as a Laravel controller (Laravel 10 or later, PHP 8.1+).
//
// When your operator clicks "reprocess" on an incident, SendPromptly POSTs a signed callback to
// your repair URL. This controller verifies it, answers 202, and after the response has been
// sent reruns the effect (idempotently, keyed on replay_id) and reports the outcome with
// POST /api/v1/result.
//
// Wiring:
//   - put this file at app/Http/Controllers/SendPromptlyRepairController.php and the verifier at
//     app/Support/SendPromptlyVerifier.php;
//   - routes/api.php:  Route::post('/sendpromptly/repair', SendPromptlyRepairController::class);
//     (the api middleware group has no CSRF check; under routes/web.php exclude the path from
//     VerifyCsrfToken);
//   - config/services.php:
//       'sendpromptly' => [
//           'url' => env('SENDPROMPTLY_URL'),
//           'api_key' => env('SENDPROMPTLY_API_KEY'),
//           'signing_secret' => env('SENDPROMPTLY_SIGNING_SECRET'),
//       ],
//   - a cache store shared by all your servers (redis, database): seen nonces and replay
//     outcomes live there.

declare(strict_types=1);

namespace App\Http\Controllers;

use App\Support\SendPromptlyVerifier;
use Illuminate\Http\Client\ConnectionException;
use Illuminate\Http\Client\RequestException;
use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Cache;
use Illuminate\Support\Facades\Http;
use Illuminate\Support\Facades\Log;
use Throwable;

class SendPromptlyRepairController extends Controller
{
    public function __invoke(Request $request): JsonResponse
    {
        $verifier = new SendPromptlyVerifier(
            (string) config('services.sendpromptly.signing_secret'),
            // Cache::add stores only when the key is absent, atomically: false means seen before.
            fn (string $nonce, int $ttl): bool => Cache::add("sendpromptly:nonce:$nonce", true, $ttl),
        );
        $rawBody = $request->getContent(); // the exact bytes that were signed
        $reason = $verifier->verify(
            $request->header('X-SendPromptly-Timestamp'),
            $request->header('X-SendPromptly-Nonce'),
            $request->header('X-SendPromptly-Signature'),
            $rawBody,
        );
        if ($reason !== null) {
            Log::warning("SendPromptly callback rejected: $reason");
            return response()->json(['error' => $reason], 401);
        }

        $callback = json_decode($rawBody, true);
        if (!is_array($callback)
            || ($callback['type'] ?? null) !== 'reprocess.requested'
            || !is_string($callback['replay_id'] ?? null)
            || !is_string($callback['event_id'] ?? null)) {
            Log::warning('SendPromptly callback rejected: malformed body');
            return response()->json(['error' => 'malformed body'], 400);
        }

        Log::info("SendPromptly callback accepted: {$callback['replay_id']} attempt " . ($callback['attempt'] ?? '?'));
        // Runs after the 202 has been sent (SendPromptly waits at most 10 s for it). To run it on
        // a queue worker instead, move repair() into a queued job and dispatch that.
        dispatch(static fn () => self::repair($callback))->afterResponse();
        return response()->json(['accepted' => true], 202);
    }

    /**
     * Reruns the effect once per replay_id, then reports. A replay_id seen again (SendPromptly
     * retries a delivery whose answer it did not get, always with the same replay_id) reports
     * its stored outcome instead of running the effect twice.
     */
    private static function repair(array $callback): void
    {
        $replayId = $callback['replay_id'];
        $outcome = Cache::lock("sendpromptly:replay-lock:$replayId", 120)->block(30, function () use ($callback, $replayId): array {
            $stored = Cache::get("sendpromptly:replay:$replayId");
            if (is_array($stored)) {
                return $stored;
            }
            try {
                $outcome = self::runEffect($callback);
            } catch (Throwable $error) {
                report($error);
                $outcome = ['status' => 'failed', 'error_code' => 'effect_failed', 'error_message' => $error->getMessage()];
            }
            Cache::put("sendpromptly:replay:$replayId", $outcome, now()->addDays(7));
            return $outcome;
        });

        $response = Http::withToken((string) config('services.sendpromptly.api_key'))
            ->acceptJson()
            ->withHeaders(['Idempotency-Key' => "repair-$replayId"]) // same key and body: safe to retry
            ->timeout(10)
            // Retry network errors, 429 and 5xx; any other answer is final.
            ->retry(3, 1000, fn (Throwable $error): bool => $error instanceof ConnectionException
                || ($error instanceof RequestException
                    && ($error->response->status() === 429 || $error->response->serverError())), throw: false)
            ->post(rtrim((string) config('services.sendpromptly.url'), '/') . '/api/v1/result', array_filter([
                'event_id' => $callback['event_id'],
                'status' => $outcome['status'],
                'replay_id' => $replayId,
                'error_code' => $outcome['error_code'] ?? null,
                'error_message' => $outcome['error_message'] ?? null,
            ], fn ($value) => $value !== null));
        Log::info("SendPromptly result reported: $replayId {$outcome['status']} -> {$response->status()}");
    }

    /**
     * The business effect. Replace with yours, and make it idempotent on its own too: e.g.
     * unlocking access twice for the same internal_reference changes nothing.
     */
    private static function runEffect(array $callback): array
    {
        // e.g. User::findOrFail($callback['internal_reference'])->unlockAccess();
        return ['status' => 'success'];
    }
}
