#!/usr/bin/env python3
"""Round trips of a 32-byte message over loopback TCP between two processes at a fixed rate,
latency from each intended send time: the machine's own wake-up latency, with nothing of ours
in the path. Python keeps up to about 2,000 round trips a second here.

    python3 echo.py RATE SECONDS
"""
import os, socket, sys, time
rate, seconds = float(sys.argv[1]), float(sys.argv[2])
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
port = listener.getsockname()[1]
if os.fork() == 0:
    connection, _ = listener.accept()
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = connection.recv(64)
        if not data: os._exit(0)
        connection.sendall(data)
client = socket.create_connection(("127.0.0.1", port)); client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
samples = []; interval = 1 / rate; start = time.perf_counter(); n = 0
while time.perf_counter() - start < seconds:
    intended = start + n * interval; n += 1
    now = time.perf_counter()
    if now < intended: time.sleep(intended - now)
    client.sendall(b"x" * 32); client.recv(64)
    samples.append((time.perf_counter() - intended) * 1000)  # from the intended send time
client.close(); os.wait()
samples.sort(); q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"{len(samples)} round trips at {rate:.0f}/s: p50 {q(.5):.3f} ms  p90 {q(.9):.3f}  p99 {q(.99):.3f}  p99.9 {q(.999):.3f}  max {samples[-1]:.3f}")
