#!/usr/bin/env python3
"""Regenerates the seed corpus under Corpus/ from a real run of the server.

Starts the `sendpromptly` binary on a fresh data directory, drives it over HTTP through the
life of a few payment events (project, keys, receipts, results, a timeout, a reprocess whose
repair endpoint is down, a resolve, a settings change), stops it with SIGTERM (which writes a
final snapshot) and keeps:

- ingest-json/:  the receipt and result bodies sent, plus a few edge documents;
- http-request/: the same requests as the raw HTTP/1.1 bytes a client sends;
- snapshot/:     the snapshot file, and each shard's uncompressed section of it;
- journal/:      the journal segment(s).

Usage: Fuzz/make-corpus.py [PATH-TO-sendpromptly]   (default: builds it with `swift build`)
Seeds of regression cases (Corpus/*/regression-*) are left alone.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
CORPUS = os.path.join(FUZZ, "Corpus")
ADMIN = "spa_fuzzcorpusadmintoken0123456789"


def server_binary():
    if len(sys.argv) > 1:
        return sys.argv[1]
    subprocess.run(["swift", "build", "--product", "sendpromptly"], cwd=ROOT, check=True)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "sendpromptly")


class Server:
    def __init__(self, binary, data_dir):
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--data-dir", data_dir, "--admin-token", ADMIN, "--shards", "2",
             "--log-level", "warning", "--repair-timeout", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.base = None
        for line in self.process.stdout:
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.base = match.group(1)
            if "sendpromptly ready" in line:
                break
        if self.base is None:
            raise SystemExit("the server did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


class Client:
    """Sends each request and keeps its raw HTTP/1.1 bytes and its JSON body as seeds."""

    def __init__(self, base):
        self.base = base
        self.http_seeds = []
        self.json_seeds = []

    def call(self, method, path, token, body=None, key=None):
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            self.json_seeds.append(data)
        if key is not None:
            headers["Idempotency-Key"] = key
        raw = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        raw += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        raw += f"Content-Length: {len(data or b'')}\r\n\r\n"
        self.http_seeds.append(raw.encode() + (data or b""))
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"null")


def drive(client):
    project = client.call("POST", "/admin/v1/projects", ADMIN, {
        "name": "Shop", "alert_emails": ["ops@example.com"], "default_timeout_minutes": 30,
        "repair_url": "http://127.0.0.1:9/sendpromptly/repair"})
    key, project_id = project["api_key"], project["project_id"]
    ingest = client.call("POST", f"/admin/v1/projects/{project_id}/keys", ADMIN, {"label": "ingest only", "scope": "ingest"})
    client.call("DELETE", f"/admin/v1/projects/{project_id}/keys/{ingest['key_id']}", ADMIN)
    client.call("POST", f"/admin/v1/projects/{project_id}/signing-secret/rotate", ADMIN)
    client.call("PATCH", f"/admin/v1/projects/{project_id}", ADMIN, {"name": "Shop EU", "default_timeout_minutes": 45})
    second = client.call("POST", "/admin/v1/projects", ADMIN, {"name": "Shopify store", "mode": "test"})
    receipts = [
        {"provider": "stripe", "provider_event_id": "evt_1Q2w3E", "event_type": "checkout.session.completed",
         "effect_type": "access_unlock", "internal_reference": "user_42", "timeout_minutes": 30},
        {"provider": "stripe", "stripe_event_id": "evt_2R3t4Y", "event_type": "invoice.paid",
         "effect_type": "credit_grant", "occurred_at": "2026-11-30T12:00:00.123Z", "timeout_seconds": 600},
        {"provider": "stripe", "provider_event_id": "evt_3T4y5U", "event_type": "customer.subscription.updated",
         "effect_type": "subscription_state_apply", "timeout_seconds": 1},
        {"provider": "stripe", "provider_event_id": "evt_4Y5u6I", "event_type": "checkout.session.completed",
         "effect_type": "seat_update"},
    ]
    for index, receipt in enumerate(receipts):
        client.call("POST", "/api/v1/receipt", key, receipt, key=f"receipt-{index}")
    client.call("POST", "/v1/receipt", second["api_key"], {
        "provider": "shopify", "provider_event_id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "event_type": "orders/paid",
        "effect_type": "access_revocation", "shopify_shop_domain": "shop.myshopify.com",
        "internal_reference": "caf\u00e9 \u2603 \U0001F600"}, key="receipt-shopify")
    # A provider redelivery, and an idempotent replay of the first receipt.
    client.call("POST", "/api/v1/receipt", key, receipts[0], key="receipt-redelivered")
    client.call("POST", "/api/v1/receipt", key, receipts[0], key="receipt-0")
    client.call("POST", "/api/v1/result", key, {"provider_event_id": "evt_1Q2w3E", "status": "failed",
                                                "error_code": "db_timeout", "error_message": "entitlements table locked"},
                key="result-1")
    client.call("POST", "/api/v1/result", key, {"stripe_event_id": "evt_2R3t4Y", "status": "success"}, key="result-2")
    # The 1-second receipt times out into an incident.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        incidents = client.call("GET", "/api/v1/incidents?status=open", key)["incidents"]
        if len(incidents) >= 2:
            break
        time.sleep(0.2)
    failed = [incident for incident in incidents if incident["reason"] == "failed"][0]
    timed_out = [incident for incident in incidents if incident["reason"] == "timeout"][0]
    replay = client.call("POST", f"/api/v1/incidents/{failed['id']}/reprocess", key)
    client.call("POST", "/api/v1/result", key, {"event_id": failed["event_id"], "status": "failed",
                                                "replay_id": replay["replay_id"], "error_code": "still_locked"},
                key="repair-1")
    client.call("POST", f"/api/v1/incidents/{timed_out['id']}/resolve", key, {"note": "granted by hand"})
    client.call("POST", "/api/v1/incidents/reprocess", key, {"effect_type": "access_unlock", "since": "2026-01-01T00:00:00Z"})


def write_seeds(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for path in glob.glob(os.path.join(directory, "seed-*")):
        os.remove(path)
    for seed in seeds:
        name = "seed-" + hashlib.sha256(seed).hexdigest()[:16]
        with open(os.path.join(directory, name), "wb") as file:
            file.write(seed)


def varint(data, offset):
    value, shift = 0, 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7


def snapshot_sections(data):
    """Each shard's uncompressed section of a snapshot file (layout in SnapshotFormat.swift)."""
    header_length = struct.unpack_from("<I", data, 12)[0]
    header = data[16:16 + header_length]
    _, offset = varint(header, 0)  # created-at
    count, offset = varint(header, offset)
    lengths = []
    for _ in range(count):
        _, offset = varint(header, offset)  # sequence
        length, offset = varint(header, offset)
        lengths.append(length)
    payload_start = 16 + header_length + 8
    payload = zlib.decompress(data[payload_start:-4])
    sections, offset = [], 0
    for length in lengths:
        sections.append(payload[offset:offset + length])
        offset += length
    return sections


EDGE_JSON = [b"{}", b"[]", b"null", b"-0", b"1e400", b"\"\\ud83d\\ude00\"", b"{\"a\":[1,2.5,-3e-2,true,false,null]}",
             b"{\"provider\":\"stripe\",\"provider\":\"shopify\"}", b" \t\r\n\"\\u00e9\\n\\\"\" "]


def main():
    binary = server_binary()
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir)
        client = Client(server.base)
        try:
            drive(client)
        finally:
            server.stop()
        snapshots = [open(path, "rb").read() for path in sorted(glob.glob(os.path.join(data_dir, "snapshot-*.snap")))]
        journals = [open(path, "rb").read() for path in sorted(glob.glob(os.path.join(data_dir, "journal-*.log")))]
    if not snapshots or not journals:
        raise SystemExit("the run left no snapshot or no journal")
    write_seeds(os.path.join(CORPUS, "ingest-json"), client.json_seeds + EDGE_JSON)
    write_seeds(os.path.join(CORPUS, "http-request"), client.http_seeds)
    write_seeds(os.path.join(CORPUS, "snapshot"), snapshots + [s for snap in snapshots for s in snapshot_sections(snap)])
    write_seeds(os.path.join(CORPUS, "journal"), journals)
    print(f"seeds: {len(client.json_seeds) + len(EDGE_JSON)} json, {len(client.http_seeds)} http, "
          f"{len(snapshots)} snapshot(s), {len(journals)} journal segment(s)")


if __name__ == "__main__":
    main()
