"""A SendPromptly repair endpoint (Python 3.11, standard library only).

When your operator clicks "reprocess" on an incident, SendPromptly POSTs a signed callback to
your repair URL. This endpoint verifies it, answers 202 at once, then reruns the effect
(idempotently, keyed on replay_id) in a background thread and reports the outcome with
POST /api/v1/result.

    PORT=3000 SENDPROMPTLY_URL=http://127.0.0.1:8080 SENDPROMPTLY_API_KEY=sk_... \\
    SENDPROMPTLY_SIGNING_SECRET=sps_... python3 examples/python/repair.py

Environment: PORT (0 = any free port), SENDPROMPTLY_URL, SENDPROMPTLY_API_KEY,
SENDPROMPTLY_SIGNING_SECRET, REPAIR_EFFECT_OUTCOME (success | failed: simulates the effect).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from signals import send_result
from verify import NonceStore, VerificationError, verify_callback

SECRET = os.environ.get("SENDPROMPTLY_SIGNING_SECRET", "")
EFFECT_OUTCOME = os.environ.get("REPAIR_EFFECT_OUTCOME", "success")
MAX_BODY_BYTES = 64 * 1024

nonces = NonceStore()

# replay_id -> outcome. A replay_id seen again (SendPromptly retries a delivery whose answer it
# did not get, always with the same replay_id) reports the stored outcome instead of running the
# effect twice. In memory here; in production keep it in your database.
outcomes: dict[str, dict[str, str]] = {}
outcomes_lock = threading.Lock()


def log(line: str) -> None:
    print(line, flush=True)


def run_effect(callback: dict[str, Any]) -> dict[str, str]:
    """The business effect, simulated. Real code: unlock access for
    callback["internal_reference"], idempotently."""
    if EFFECT_OUTCOME == "failed":
        return {
            "status": "failed",
            "error_code": "effect_failed",
            "error_message": f"{callback.get('effect_type')} failed (simulated)",
        }
    return {"status": "success"}


def repair(callback: dict[str, Any]) -> None:
    """Runs after the 202 was sent: rerun the effect once per replay_id, then report."""
    replay_id = callback["replay_id"]
    # The lock is held while the effect runs so that two deliveries of one replay_id never run
    # it twice; a real effect would rather take a row lock on the replay_id.
    with outcomes_lock:
        outcome = outcomes.get(replay_id)
        if outcome is not None:
            log(f"{replay_id} already applied; reporting its stored outcome again")
        else:
            try:
                outcome = run_effect(callback)
            except Exception as error:  # noqa: BLE001 - any failure of the effect is reported
                outcome = {"status": "failed", "error_code": "effect_failed", "error_message": str(error)}
            outcomes[replay_id] = outcome
            log(f"effect {callback.get('effect_type')} ran for {callback['event_id']} ({replay_id}): {outcome['status']}")
    report(callback, outcome)


def report(callback: dict[str, Any], outcome: dict[str, str]) -> None:
    """POST /api/v1/result with the replay_id; retried a few times on network errors, 429, 5xx."""
    replay_id = callback["replay_id"]
    for attempt in range(1, 4):
        try:
            status, _ = send_result(
                event_id=callback["event_id"],
                replay_id=replay_id,
                idempotency_key=f"repair-{replay_id}",
                **outcome,
            )
            if (status != 429 and status < 500) or attempt == 3:
                log(f"reported {replay_id} {outcome['status']} -> {status}")
                return
        except OSError as error:
            if attempt == 3:
                log(f"reporting {replay_id} failed: {error}")
                return
        time.sleep(2**attempt)


def parse_callback(raw_body: bytes) -> dict[str, Any] | None:
    """The fields the repair needs; anything else is a malformed body."""
    try:
        callback = json.loads(raw_body)
    except ValueError:
        return None
    if not isinstance(callback, dict) or callback.get("type") != "reprocess.requested":
        return None
    for field in ("replay_id", "event_id"):
        if not isinstance(callback.get(field), str) or not callback[field]:
            return None
    return callback


class RepairHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            log("rejected callback: body too large")
            self.close_connection = True
            self.answer(413, {"error": "body too large"})
            return
        raw_body = self.rfile.read(length)
        if self.path != "/sendpromptly/repair":
            self.answer(404, {"error": "not found"})
            return
        try:
            verify_callback(self.headers, raw_body, SECRET, nonces)
        except VerificationError as error:
            log(f"rejected callback: {error}")
            self.answer(401, {"error": str(error)})
            return
        callback = parse_callback(raw_body)
        if callback is None:
            log("rejected callback: malformed body")
            self.answer(400, {"error": "malformed body"})
            return
        log(f"accepted {callback['replay_id']} attempt {callback.get('attempt')} for {callback['event_id']}")
        self.answer(202, {"accepted": True})
        # After the answer: SendPromptly waits at most 10 s for it, the effect may take longer.
        threading.Thread(target=repair, args=(callback,), daemon=True).start()

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # one line per callback is logged above; no access log


def main() -> int:
    if not SECRET:
        print("SENDPROMPTLY_SIGNING_SECRET is not set", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "3000"))), RepairHandler)
    server.daemon_threads = True
    log(f"listening on http://127.0.0.1:{server.server_address[1]}")
    # SIGTERM stops like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
