#!/usr/bin/env python3
"""The soak test of issue 8: a release server under steady load for a bounded time (10 minutes
by default), with malformed requests mixed in and its mail server and repair endpoint going
down and coming back, then an account of everything it acknowledged.

Load: `--threads` clients sending `--rate` events a second in all, each a receipt and then its
result: 96 % success, 2 % failed (an incident and an alert), 2 % never reported (a 2 s
deadline: a timeout incident and an alert), so that alerts stay under their pacing of 20 a
second per project; and after every fifth event one malformed request (bad JSON, no
Idempotency-Key, an oversized body or the wrong Content-Type), which must get its documented
4xx. Every 30 s the oldest open incidents are reprocessed (signed callbacks to the repair
endpoint). The SMTP server (aiosmtpd, the tests' script) and the repair endpoint are each down
for 15 s of every 60.

Checked at the end, after the outboxes drain (bounded wait):
- no 5xx, and every malformed request got the 4xx the contract gives it;
- every acknowledged event is in the state its signals put it in (a sample of 2,000, and every
  failed and silent one through their incidents): one incident per failed or silent event,
  none for the others, none twice;
- one alert email per incident opened (subject and Message-ID), none lost across the SMTP
  server's outages;
- resident memory: sampled every 10 s; printed as growth after the warm-up (first 60 s) per
  event acknowledged since, since the engine keeps every event (a retention policy is open).

    Benchmarks/soak.py [--seconds 600] [--threads 8] [--rate 300]

Needs python3 with aiosmtpd (pip install aiosmtpd) and a release build:
    swift build -c release --product sendpromptly --scratch-path .build-release
Exits 1 when a check fails.
"""
import argparse, collections, glob, http.server, json, os, random, shutil, socket, sys, tempfile, threading, time

from alerts import start_smtp
from benchlib import Client, Server, free_port, release_binary, wait_for


class RepairEndpoint:
    """A repair endpoint that accepts every callback while up and refuses connections while down."""

    def __init__(self, port):
        self.port, self.callbacks, self.server = port, 0, None
        self.lock = threading.Lock()

    def up(self):
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with endpoint.lock:
                    endpoint.callbacks += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()


MALFORMED = [
    # (content type, body, idempotency key?, expected status, expected code)
    ("application/json", b'{"provider": "stripe",', True, 400, "invalid_json"),
    ("application/json", b'{"provider": "stripe"}', False, 400, "missing_idempotency_key"),
    ("application/json", b'{"pad": "' + b"x" * 20000 + b'"}', True, 413, "payload_too_large"),
    ("text/plain", b'{}', True, 415, "unsupported_media_type"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rate", type=float, default=300, help="events a second over all clients")
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="soak-")
    smtp_port, repair_port = free_port(), free_port()
    # One directory per start of the SMTP server: its message numbers start again each time.
    messages = os.path.join(workdir, "messages")
    starts = [0]

    def start_mail():
        starts[0] += 1
        return start_smtp(smtp_port, os.path.join(messages, str(starts[0])))
    smtp = start_mail()
    repair = RepairEndpoint(repair_port)
    repair.up()
    server = Server(release_binary(), workdir, [
        "--smtp-url", f"smtp://127.0.0.1:{smtp_port}?starttls=never", "--durability", "fsync",
        "--alert-retry-schedule", "1,2,5,5,5,5,5,5,5,5,5,5", "--repair-retry-schedule", "1,2,5,5,5,5,5,5,5,5"])
    _, project = server.request("POST", "/admin/v1/projects", {
        "name": "soak", "alert_emails": ["ops@example.com"], "repair_url": f"http://127.0.0.1:{repair_port}/repair"})
    key = project["api_key"]

    statuses = collections.Counter()
    wrong_errors = []
    events = {"success": [], "failed": [], "silent": []}
    lock = threading.Lock()
    stop = threading.Event()
    rss = []

    def client_loop(index):
        client = Client(server.port)
        number = 0
        interval = options.threads / options.rate
        next_event = time.monotonic()
        while not stop.is_set():
            # Pacing, not waiting for a condition: a steady load is the point of a soak.
            next_event += interval
            stop.wait(max(0, next_event - time.monotonic()))
            number += 1
            name = f"evt_{index}_{number}"
            kind = "failed" if number % 50 == 3 else "silent" if number % 50 == 7 else "success"
            body = {"provider": "stripe", "provider_event_id": name, "event_type": "invoice.paid",
                    "effect_type": "credit_grant"}
            if kind == "silent":
                body["timeout_seconds"] = 2
            status, answer = client.request("POST", "/api/v1/receipt", body, key, "r-" + name)
            with lock:
                statuses[status] += 1
            if status != 202:
                continue
            if kind != "silent":
                status, _ = client.request("POST", "/api/v1/result", {"event_id": answer["event_id"], "status": kind},
                                           key, "s-" + name)
                with lock:
                    statuses[status] += 1
                if status != 200:
                    continue
            with lock:
                events[kind].append((answer["event_id"], name))
            if number % 5 == 0:
                content_type, raw, with_key, expected, code = MALFORMED[number // 5 % len(MALFORMED)]
                headers = {"Authorization": f"Bearer {key}", "Accept": "application/json", "Content-Type": content_type}
                if with_key:
                    headers["Idempotency-Key"] = "m-" + name
                client.connection.request("POST", "/api/v1/receipt", raw, headers)
                response = client.connection.getresponse()
                data = response.read()
                with lock:
                    statuses[response.status] += 1
                    if response.status != expected or json.loads(data)["error"]["code"] != code:
                        wrong_errors.append((code, response.status, data[:200]))
                if response.getheader("Connection") == "close":
                    client = Client(server.port)

    def outages():
        # The mail server and the repair endpoint are each down 15 s of every 60 s.
        started = time.monotonic()
        nonlocal smtp
        while not stop.wait(5):
            second = int(time.monotonic() - started) % 60
            if second < 5 and smtp is not None:
                smtp.kill()
                smtp.wait()
                smtp = None
                repair.down()
            elif second >= 15 and smtp is None:
                smtp = start_mail()
                repair.up()

    def reprocessing():
        client = Client(server.port)
        while not stop.wait(30):
            _, listing = client.request("GET", "/api/v1/incidents?status=open&limit=20", key=key)
            for incident in listing.get("incidents", []):
                status, _ = client.request("POST", f"/api/v1/incidents/{incident['id']}/reprocess", {}, key)
                with lock:
                    statuses[status] += 1

    def sampling():
        while not stop.wait(10):
            with open(f"/proc/{server.process.pid}/status") as f:
                kib = int(next(line for line in f if line.startswith("VmRSS")).split()[1])
            with lock:
                rss.append((time.monotonic(), kib, sum(len(v) for v in events.values())))

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(options.threads)]
    threads += [threading.Thread(target=f) for f in (outages, reprocessing, sampling)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    while time.monotonic() - began < options.seconds:
        time.sleep(1)
        if server.process.poll() is not None:
            sys.exit("the server exited during the soak")
    stop.set()
    for thread in threads:
        thread.join()
    if smtp is None:
        smtp = start_mail()
        repair.up()

    failures = []
    acknowledged = sum(len(v) for v in events.values())
    expected_incidents = len(events["failed"]) + len(events["silent"])
    client = Client(server.port)

    def incidents():
        found, cursor = [], None
        while True:
            _, page = client.request("GET", "/api/v1/incidents?limit=200" + (f"&cursor={cursor}" if cursor else ""), key=key)
            found += page["incidents"]
            cursor = page.get("next_cursor")
            if not cursor:
                return found

    # Silent deadlines are 2 s; alerts retry every 5 s at most: give both a bounded time.
    wait_for(lambda: len(incidents()) >= expected_incidents, 120, "every incident")
    opened = incidents()
    by_event = collections.Counter(incident["event_id"] for incident in opened)
    reasons = {incident["event_id"]: incident["reason"] for incident in opened}
    for kind, reason in (("failed", "failed"), ("silent", "timeout")):
        missing = [event for event, _ in events[kind] if by_event[event] != 1 or reasons[event] != reason]
        if missing:
            failures.append(f"{len(missing)} {kind} events without exactly one {reason} incident, e.g. {missing[:3]}")
    extra = [event for event, _ in events["success"] if by_event[event]]
    if extra:
        failures.append(f"{len(extra)} successful events with an incident")
    for event, _ in random.sample(events["success"], min(2000, len(events["success"]))):
        status, answer = client.request("GET", f"/api/v1/events/{event}", key=key)
        if status != 200 or answer.get("state") != "succeeded":
            failures.append(f"event {event}: {status} {answer}")
            break

    def opened_alerts():
        """Deliveries of "Incident opened" alerts by Message-ID, and the provider event each names."""
        deliveries, names = collections.Counter(), {}
        for path in glob.glob(os.path.join(messages, "*", "message-*.json")):
            with open(path) as f:
                headers = dict(json.load(f)["headers"])
            if "Incident opened:" in headers["Subject"]:
                deliveries[headers["Message-ID"]] += 1
                names[headers["Message-ID"]] = headers["Subject"].split(" stripe ", 1)[1].split(" ", 1)[0]
        return deliveries, names
    def all_alerted():
        count = len(opened_alerts()[0])
        if count < expected_incidents and int(time.monotonic()) % 15 == 0:
            print(f"waiting for alerts: {count} of {expected_incidents}", flush=True)
        return count >= expected_incidents
    wait_for(all_alerted, 300, "an alert for every incident")
    deliveries, names = opened_alerts()
    alerted = collections.Counter(names.values())
    unalerted = [name for kind in ("failed", "silent") for _, name in events[kind] if alerted[name] != 1]
    if unalerted:
        failures.append(f"{len(unalerted)} incidents without exactly one opened alert, e.g. {unalerted[:3]}")
    duplicates = [message for message, count in deliveries.items() if count > 1]

    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    if server_errors:
        failures.append(f"{server_errors} answers with a 5xx status")
    if wrong_errors:
        failures.append(f"{len(wrong_errors)} malformed requests without their documented error, e.g. {wrong_errors[:2]}")

    warm = [sample for sample in rss if sample[0] - began >= 60] or rss
    first, last = warm[0], warm[-1]
    growth = (last[1] - first[1]) * 1024 / max(1, last[2] - first[2])
    print(f"soak: {options.seconds} s, {options.threads} clients; answers by status {dict(sorted(statuses.items()))}")
    print(f"acknowledged events: {acknowledged} ({len(events['success'])} succeeded, {len(events['failed'])} failed, "
          f"{len(events['silent'])} silent); incidents {len(opened)} (expected {expected_incidents})")
    print(f"opened alerts received: {len(deliveries)} distinct, {len(duplicates)} delivered more than once "
          f"(at least once: a retry after an outage)")
    print(f"repair callbacks received: {repair.callbacks}")
    print(f"resident memory: {rss[0][1] // 1024} MB at 10 s, {first[1] // 1024} MB after warm-up, {last[1] // 1024} MB at the end; "
          f"{growth:.0f} bytes per event acknowledged after warm-up")
    server.stop()
    smtp.kill()
    repair.down()
    shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASSED")


if __name__ == "__main__":
    main()
