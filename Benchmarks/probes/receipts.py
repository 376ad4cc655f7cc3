#!/usr/bin/env python3
"""Receipts at a fixed rate over one keep-alive connection, latency from each request's
intended send time: an independent check of `sendpromptly bench`'s fixed-rate figures, with a
client far lighter than a 32-connection generator. Python keeps up to about 1,000 receipts a
second here.

    python3 receipts.py URL API_KEY RATE SECONDS
"""
import json, socket, sys, time
url, key, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
host, port = url.split("//")[1].split(":")
sock = socket.create_connection((host, int(port))); sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def request(n):
    body = json.dumps({"provider": "stripe", "provider_event_id": f"evt_probe_{n}", "event_type": "invoice.paid",
                       "effect_type": "credit_grant", "timeout_minutes": 30}).encode()
    head = (f"POST /api/v1/receipt HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
            f"Accept: application/json\r\nContent-Type: application/json\r\nIdempotency-Key: probe-{n}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    return head + body
samples = []; start = time.perf_counter(); n = 0; interval = 1 / rate
while time.perf_counter() - start < seconds:
    payload = request(n)
    intended = start + n * interval; n += 1
    now = time.perf_counter()
    if now < intended: time.sleep(intended - now)
    sock.sendall(payload)
    answer = b""
    while b"\r\n\r\n" not in answer: answer += sock.recv(4096)
    headers, _, rest = answer.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in headers.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length: rest += sock.recv(4096)
    assert headers.startswith(b"HTTP/1.1 202"), headers[:40]
    samples.append((time.perf_counter() - intended) * 1000)
samples.sort(); q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"{len(samples)} receipts at {rate:.0f}/s: p50 {q(.5):.3f} ms  p90 {q(.9):.3f}  p99 {q(.99):.3f}  p99.9 {q(.999):.3f}  max {samples[-1]:.3f}")
