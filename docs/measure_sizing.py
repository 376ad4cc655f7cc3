#!/usr/bin/env python3
"""Measures what docs/operations.md's sizing section quotes: resident memory per pending
receipt, and journal and snapshot bytes per receipt, on a real `sendpromptly serve`.

    python3 docs/measure_sizing.py --binary .build/release/sendpromptly --receipts 100000

It starts the server on a fresh data directory (--durability none, so the client is the
bottleneck, not fsync), reads its resident set size (VmRSS), sends N receipts with distinct
provider event ids over keep-alive connections, reads VmRSS again, then stops it with SIGTERM
(which writes the final snapshot) and reports the journal and snapshot sizes. Then it restarts
the server on the same data and sends a result for every receipt, to size a whole payment
(receipt and result) in memory, in the journal and in the snapshot. Numbers are per receipt; run it twice and compare, the machine may be busy.
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

ADMIN = "sizing-admin-token-0123456789"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start(binary, data, extra=()):
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--data-dir", data, "--admin-token", ADMIN, "--durability", "none",
         "--log-level", "error", "--snapshot-interval", "86400", *extra],
        stdout=subprocess.PIPE, text=True)
    port = None
    for line in process.stdout:
        match = re.search(r"listening on http://[^:]+:(\d+)", line)
        if match:
            port = int(match.group(1))
        if "sendpromptly ready" in line:
            return process, port
    raise RuntimeError("the server did not start")


def request(connection, method, path, token, body=None, key=None):
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def in_threads(port, count, threads, send):
    """Calls send(connection, index) for every index, spread over `threads` connections."""
    def worker(offset):
        connection = http.client.HTTPConnection("127.0.0.1", port)
        for index in range(offset, count, threads):
            send(connection, index)
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


def size(data, prefix, suffix):
    return sum(os.path.getsize(os.path.join(data, name)) for name in os.listdir(data)
               if name.startswith(prefix) and name.endswith(suffix))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/sendpromptly")
    parser.add_argument("--receipts", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()
    data = tempfile.mkdtemp(prefix="sendpromptly-sizing-")
    count = options.receipts

    process, port = start(options.binary, data)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    status, project = request(connection, "POST", "/admin/v1/projects", ADMIN, {"name": "Sizing"})
    assert status == 201, project
    key = project["api_key"]
    before = rss_kib(process.pid)
    event_ids = [None] * count

    def receipt(connection, index):
        status, answer = request(connection, "POST", "/api/v1/receipt", key, {
            "provider": "stripe", "provider_event_id": f"evt_sizing_{index:09d}", "event_type": "checkout.session.completed",
            "effect_type": "access_unlock", "internal_reference": f"user_{index}", "timeout_minutes": 10080,
        }, key=f"receipt-{index}")
        assert status == 202, answer
        event_ids[index] = answer["event_id"]

    started = time.time()
    in_threads(port, count, options.threads, receipt)
    elapsed = time.time() - started
    after = rss_kib(process.pid)
    journal_receipts = size(data, "journal-", ".log")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=600) == 0
    snapshot_pending = size(data, "snapshot-", ".snap")

    process, port = start(options.binary, data)

    def result(connection, index):
        status, answer = request(connection, "POST", "/api/v1/result", key,
                                 {"event_id": event_ids[index], "status": "success"}, key=f"result-{index}")
        assert status == 200, answer

    journal_before_results = size(data, "journal-", ".log")
    recovered = rss_kib(process.pid)
    in_threads(port, count, options.threads, result)
    completed = rss_kib(process.pid)
    journal_results = size(data, "journal-", ".log") - journal_before_results
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=600) == 0
    snapshot_done = size(data, "snapshot-", ".snap")

    print(f"receipts: {count} in {elapsed:.1f} s ({count / elapsed:.0f}/s from this client)")
    print(f"resident memory: {before} KiB before, {after} KiB after: {(after - before) * 1024 / count:.0f} B per pending receipt")
    print(f"after a restart: {recovered} KiB with the receipts pending, {completed} KiB once each has its result: "
          f"{(completed - before) * 1024 / count:.0f} B per completed event over the empty server's {before} KiB")
    print(f"journal: {journal_receipts / count:.0f} B per receipt, {journal_results / count:.0f} B per result")
    print(f"snapshot: {snapshot_pending / count:.0f} B per pending receipt, {snapshot_done / count:.0f} B per completed event "
          f"(idempotency records included, within their 24 h)")
    print(f"data directory: {data}")


if __name__ == "__main__":
    sys.exit(main())
