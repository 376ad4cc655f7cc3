"""Verifies that a repair callback really comes from SendPromptly (Python 3.11, standard library).

SendPromptly signs every callback with your project's signing secret (sps_...):

    X-SendPromptly-Timestamp: 1764397800                  unix seconds
    X-SendPromptly-Nonce:     9f2c4a...                   32 lowercase hex chars, new for every attempt
    X-SendPromptly-Signature: v1=<64 lowercase hex>       during a secret rotation: "v1=<new> v1=<old>"

    signature = hex(HMAC-SHA256(key = signing secret, message = timestamp + "." + nonce + "." + raw body))

A callback is genuine when its timestamp is within 5 minutes of our clock, its nonce was not
seen before, and ANY of the v1= signatures matches. Always verify the raw bytes you received:
re-serialising parsed JSON changes them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from typing import Mapping

# How far a timestamp may be from our clock, either way, in seconds.
TOLERANCE_SECONDS = 300

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[0-9a-f]{32}")


class VerificationError(Exception):
    """The callback is not genuine; str(error) says why (never the secret)."""


class NonceStore:
    """Remembers the nonces of accepted callbacks while their timestamp would still be accepted.

    In memory and thread-safe: fine for one process. With several processes or machines use a
    shared store (Redis SET NX with an expiry, or a table with a unique key).
    """

    def __init__(self) -> None:
        self._expiries: dict[str, int] = {}
        self._lock = threading.Lock()

    def remember(self, nonce: str, timestamp: int, now: int) -> bool:
        """Records `nonce`; False when it was already recorded."""
        with self._lock:
            for seen in [n for n, expiry in self._expiries.items() if expiry < now]:
                del self._expiries[seen]
            if nonce in self._expiries:
                return False
            self._expiries[nonce] = timestamp + TOLERANCE_SECONDS
            return True


def verify_callback(
    headers: Mapping[str, str], raw_body: bytes, secret: str, nonces: NonceStore, now: int | None = None
) -> None:
    """Raises VerificationError unless the callback is genuine. `headers` is case-insensitive
    (http.server's headers are); `raw_body` the exact bytes received."""
    now = int(time.time()) if now is None else now
    timestamp_header = headers.get("X-SendPromptly-Timestamp")
    nonce = headers.get("X-SendPromptly-Nonce")
    signature_header = headers.get("X-SendPromptly-Signature")
    if not timestamp_header:
        raise VerificationError("missing X-SendPromptly-Timestamp header")
    if not nonce:
        raise VerificationError("missing X-SendPromptly-Nonce header")
    if not signature_header:
        raise VerificationError("missing X-SendPromptly-Signature header")

    if not _TIMESTAMP.fullmatch(timestamp_header):
        raise VerificationError("malformed timestamp")
    timestamp = int(timestamp_header)
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise VerificationError("timestamp outside the 300 s tolerance")
    if not _NONCE.fullmatch(nonce):
        raise VerificationError("malformed nonce")

    message = f"{timestamp_header}.{nonce}.".encode() + raw_body
    expected = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    # Several signatures during a secret rotation: accept when any one matches, each compared
    # in constant time.
    candidates = [part[3:] for part in signature_header.split(" ") if part.startswith("v1=")]
    if not any(hmac.compare_digest(candidate.encode(), expected.encode()) for candidate in candidates):
        raise VerificationError("no matching v1 signature")

    # Only a genuine callback uses up its nonce.
    if not nonces.remember(nonce, timestamp, now):
        raise VerificationError("nonce already used (replayed callback)")
