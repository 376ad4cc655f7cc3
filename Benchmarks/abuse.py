"""Resident memory of `sendpromptly serve` under the abuses its limits bound.

Starts the built server with tight limits, warms it with ordinary receipts, then runs each
abuse a few rounds and prints the server's resident memory (VmRSS) after each, as a ratio of
the memory after the warm-up (the baseline, same run). Bounded means: the ratio stops growing
from round to round.

    ulimit -n 8192; python3 Benchmarks/abuse.py .build/release/sendpromptly
"""
import asyncio, json, os, subprocess, sys, tempfile, time, urllib.request

BINARY = sys.argv[1]
ADMIN = "abuse-admin-token-0123456789"

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

async def request(port, raw, source="127.0.0.1", read=True):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    except OSError:
        return b""
    try:
        writer.write(raw)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 10) if read else b""
    except Exception:
        return b""
    finally:
        writer.close()

async def hold(port, source, seconds):
    """A connection that sends nothing, kept open until the server closes it or `seconds` pass."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    except OSError:
        return
    try:
        await asyncio.wait_for(reader.read(1), seconds)
    except Exception:
        pass
    writer.close()

async def slowloris(port, source, seconds):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    except OSError:
        return
    writer.write(b"POST /api/v1/receipt HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            writer.write(b"a")
            await writer.drain()
            await asyncio.sleep(0.1)
    except Exception:
        pass
    writer.close()

def receipt(key, n, extra=b""):
    body = json.dumps({"provider": "stripe", "provider_event_id": f"evt_{n}", "event_type": "invoice.paid",
                       "effect_type": "credit_grant"}).encode()
    return (b"POST /api/v1/receipt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: application/json\r\n"
            b"Content-Type: application/json\r\nAuthorization: Bearer " + key.encode() +
            f"\r\nIdempotency-Key: k{n}\r\nContent-Length: {len(body)}\r\n".encode() + extra + b"\r\n" + body)

async def gather(coroutines, width=200):
    semaphore = asyncio.Semaphore(width)
    async def run(c):
        async with semaphore:
            return await c
    return await asyncio.gather(*(run(c) for c in coroutines))

async def main():
    data = tempfile.mkdtemp()
    server = subprocess.Popen([BINARY, "serve", "--port", "0", "--data-dir", data + "/d", "--admin-token", ADMIN,
                               "--durability", "none", "--log-level", "critical", "--max-connections", "512",
                               "--max-connections-per-client", "64", "--request-timeout", "2", "--idle-timeout", "5",
                               "--rate-limit", "200"], stdout=subprocess.PIPE, text=True)
    port, ready = None, False
    for line in server.stdout:
        if "listening on" in line:
            port = int(line.rsplit(":", 1)[1])
        ready = ready or "ready" in line
        if port and ready:
            break
    created = urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{port}/admin/v1/projects", data=b'{"name": "abuse"}', method="POST",
        headers={"Authorization": f"Bearer {ADMIN}", "Accept": "application/json", "Content-Type": "application/json"}))
    key = json.load(created)["api_key"]
    counter = iter(range(10**9))
    # Warm-up: ordinary receipts within the rate.
    for _ in range(5):
        await gather([request(port, receipt(key, next(counter))) for _ in range(150)])
        await asyncio.sleep(1)
    baseline = rss_kib(server.pid)
    print(f"baseline after warm-up: {baseline} KiB")
    abuses = {
        "connection flood (3000 held, 1 address + 40 addresses)": lambda: gather(
            [hold(port, "127.0.0.1", 3) for _ in range(1000)] + [hold(port, f"127.0.1.{i % 40 + 1}", 3) for i in range(2000)], 3000),
        "slowloris (400 connections, 3 s)": lambda: gather(
            [slowloris(port, f"127.0.2.{i % 20 + 1}", 3) for i in range(400)], 400),
        "large headers (2000 x 64 KiB)": lambda: gather(
            [request(port, receipt(key, next(counter), b"X-Big: " + b"h" * 65536 + b"\r\n")) for _ in range(2000)]),
        "large bodies (1000 x 1 MiB declared, 64 KiB sent)": lambda: gather(
            [request(port, b"POST /api/v1/receipt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode() +
                     b"\r\nAccept: application/json\r\nContent-Type: application/json\r\nIdempotency-Key: big\r\n"
                     b"Content-Length: 1048576\r\n\r\n" + b"{" * 65536) for _ in range(1000)]),
        "rate flood (5000 receipts, over --rate-limit 200/s)": lambda: gather(
            [request(port, receipt(key, next(counter))) for _ in range(5000)]),
    }
    for name, abuse in abuses.items():
        figures = []
        for _ in range(3):
            replies = await abuse()
            await asyncio.sleep(1)
            figures.append(rss_kib(server.pid) / baseline)
        statuses = {}
        for reply in replies or []:
            if reply:
                status = reply.split(b" ", 2)[1].decode(errors="replace") if reply.startswith(b"HTTP/") else "?"
                statuses[status] = statuses.get(status, 0) + 1
        print(f"{name}: RSS x{figures[0]:.2f}, x{figures[1]:.2f}, x{figures[2]:.2f} of baseline; answers {statuses}")
    server.terminate()
    server.wait()

asyncio.run(main())
