#!/usr/bin/env python3
"""The soak test of issue 8: a release server under steady load for a bounded time (10 minutes
by default), with malformed requests mixed in and its mail server and repair endpoint going
down and coming back, a short retention so that memory must level off, then an account of
everything it acknowledged.

Load: `--threads` clients sending `--rate` events a second in all, each a receipt and then its
result: 98 % success, 1 % failed (an incident and an alert), 1 % never reported (a 2 s
deadline: a timeout incident and an alert), so that the opened and resolved alerts stay under
their pacing of 20 a second per project; and after every fifth event one malformed request
(bad JSON, no Idempotency-Key, an oversized body or the wrong Content-Type), which must get its
documented 4xx. Every 5 s every open incident is reprocessed (one bulk request); the repair
endpoint answers each signed callback 200 and then reports the replay's success, which
resolves the incident. The SMTP server (aiosmtpd, the tests' script) and the repair endpoint
are each down for 15 s of every 60.

The server runs with `--retention` and `--idempotency-window` of `--retention` seconds (2
minutes): a finished event leaves that long after its last change. So events are verified
while they are still kept, and the leaving is verified too:
- 20 s after it was acknowledged, every failed and silent event and every tenth successful one
  is read back: in the state its signals put it in, a failed or silent one with exactly one
  incident of the right reason (no incident id twice), a successful one with none;
- every hundredth successful event is read again `--retention` + 15 s after its result: 404.

Checked at the end, after the outboxes drain and the last checks ran (bounded waits):
- no 5xx, and every malformed request got the 4xx the contract gives it;
- the checks above;
- one "Incident opened" alert email per incident (subject and Message-ID), none lost across
  the SMTP server's outages;
- resident memory flat after the warm-up (`--warm-up`, 4 minutes: the retention plus the time
  events take to finish, so that the engine holds a steady window of events): the highest
  sample after it at most `--bound` (1.15) times the highest sample of the warm-up's last
  minute (a minute: one snapshot interval, whose buffers are the largest transient).
  Without retention memory grew 1,648 B per event acknowledged; with it, the heap levels off
  at about 85-95 MB at the default load, so the bound (about 13 MB over the last six minutes,
  some 70,000 events) fails a leak of about 190 B per event or more.

    Benchmarks/soak.py [--seconds 600] [--threads 4] [--rate 200] [--retention 120] [--warm-up 240]

Needs python3 with aiosmtpd (pip install aiosmtpd) and a release build:
    swift build -c release --product sendpromptly --scratch-path .build-release
    SENDPROMPTLY_BINARY=.build-release/release/sendpromptly python3 Benchmarks/soak.py
Exits 1 when a check fails.
"""
import argparse, collections, datetime, glob, heapq, http.server, json, os, shutil, sys, tempfile, threading, time

from alerts import start_smtp
from benchlib import Client, Server, free_port, release_binary, wait_for


class RepairEndpoint:
    """A repair endpoint that accepts every callback while up (and then reports the replay's
    success to the server, as a real endpoint does once it reran the effect) and refuses
    connections while down."""

    def __init__(self, port):
        self.port, self.callbacks, self.server = port, 0, None
        self.server_port, self.key = None, None
        self.results = collections.Counter()
        self.lock = threading.Lock()

    def up(self):
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                callback = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with endpoint.lock:
                    endpoint.callbacks += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.wfile.flush()
                endpoint.report(callback)

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def report(self, callback):
        # Callbacks are at least once: the same replay reports under the same key.
        status, _ = Client(self.server_port).request(
            "POST", "/api/v1/result", {"event_id": callback["event_id"], "status": "success", "replay_id": callback["replay_id"]},
            self.key, "repair-" + callback["replay_id"])
        with self.lock:
            self.results[status] += 1

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


class Checks:
    """Reads events back at given times: while they are kept, and once they should have left."""

    def __init__(self, port, key):
        self.client, self.key = Client(port), key
        self.due = []  # heap of (monotonic time, sequence, check, arguments)
        self.sequence = 0
        self.lock = threading.Lock()
        self.failures, self.counts = [], collections.Counter()
        self.incident_of = {}

    def schedule(self, at, check, *arguments):
        with self.lock:
            self.sequence += 1
            heapq.heappush(self.due, (at, self.sequence, check, arguments))

    def pending(self):
        with self.lock:
            return len(self.due)

    def run(self, stop):
        while True:
            with self.lock:
                ready = self.due and self.due[0][0] <= time.monotonic()
                item = heapq.heappop(self.due) if ready else None
                empty = not self.due
            if item is None:
                if stop.is_set() and empty:
                    return
                time.sleep(0.05)  # pacing the poll of the schedule, not waiting for a result
                continue
            _, _, check, arguments = item
            check(*arguments)

    def fail(self, text):
        with self.lock:
            self.failures.append(text)

    def kept(self, kind, event_id, name):
        status, event = self.client.request("GET", f"/api/v1/events/{event_id}", key=self.key)
        self.counts["kept " + kind] += 1
        if status != 200:
            return self.fail(f"{kind} event {name} ({event_id}) answered {status} while it should be kept")
        if kind == "success":
            if event.get("state") != "succeeded" or event.get("incident_id") is not None:
                self.fail(f"successful event {name}: {event}")
            return
        expected_state, reason = {"failed": ("failed", "failed"), "silent": ("timed_out", "timeout")}[kind]
        incident_id = event.get("incident_id")
        # A repaired event has succeeded since (a replay's success resolved its incident).
        if incident_id is None or event.get("state") not in (expected_state, "succeeded"):
            return self.fail(f"{kind} event {name}: {event}")
        status, incident = self.client.request("GET", f"/api/v1/incidents/{incident_id}", key=self.key)
        if status != 200 or incident.get("reason") != reason or incident.get("event_id") != event_id:
            return self.fail(f"{kind} event {name}: incident {incident_id} answered {status} {incident}")
        with self.lock:
            if incident_id in self.incident_of:
                self.failures.append(f"incident {incident_id} belongs to {self.incident_of[incident_id]} and {event_id}")
            self.incident_of[incident_id] = event_id

    def gone(self, event_id, name):
        status, answer = self.client.request("GET", f"/api/v1/events/{event_id}", key=self.key)
        self.counts["gone"] += 1
        if status != 404 or answer.get("error", {}).get("code") != "not_found":
            self.fail(f"successful event {name} ({event_id}) answered {status} past the retention")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rate", type=float, default=200, help="events a second over all clients")
    parser.add_argument("--retention", type=int, default=120, help="seconds; also the idempotency window (at least 60)")
    parser.add_argument("--warm-up", type=int, default=240, help="seconds before memory must stay flat")
    parser.add_argument("--bound", type=float, default=1.15, help="highest sample after the warm-up / highest of its last minute")
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
        "--retention", f"{options.retention}s", "--idempotency-window", f"{options.retention}s",
        "--alert-retry-schedule", "1,2,5,5,5,5,5,5,5,5,5,5", "--repair-retry-schedule", "1,2,5,5,5,5,5,5,5,5"])
    _, project = server.request("POST", "/admin/v1/projects", {
        "name": "soak", "alert_emails": ["ops@example.com"], "repair_url": f"http://127.0.0.1:{repair_port}/repair"})
    key = project["api_key"]
    repair.server_port, repair.key = server.port, key
    checks = Checks(server.port, key)

    statuses = collections.Counter()
    wrong_errors = []
    events = {"success": [], "failed": [], "silent": []}
    lock = threading.Lock()
    stop, checked = threading.Event(), threading.Event()
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
            kind = "failed" if number % 100 == 3 else "silent" if number % 100 == 7 else "success"
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
            acknowledged = time.monotonic()
            with lock:
                events[kind].append((answer["event_id"], name))
            if kind != "success" or number % 10 == 0:
                checks.schedule(acknowledged + 20, checks.kept, kind, answer["event_id"], name)
            if kind == "success" and number % 100 == 0:
                checks.schedule(acknowledged + options.retention + 15, checks.gone, answer["event_id"], name)
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

    since = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def reprocessing():
        # Until the last checks ran: incidents of the last events get repaired too.
        client = Client(server.port)
        while not checked.wait(5):
            status, answer = client.request("POST", "/api/v1/incidents/reprocess", {"since": since}, key)
            with lock:
                statuses[status] += 1

    def sampling():
        while not stop.wait(10):
            with open(f"/proc/{server.process.pid}/status") as f:
                kib = int(next(line for line in f if line.startswith("VmRSS")).split()[1])
            with lock:
                rss.append((time.monotonic(), kib, sum(len(v) for v in events.values())))

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(options.threads)]
    threads += [threading.Thread(target=f) for f in (outages, sampling)]
    checker = threading.Thread(target=checks.run, args=(stop,))
    background = [checker, threading.Thread(target=reprocessing)]
    for thread in threads + background:
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
    # The last checks are due a retention after the last events.
    checker.join(options.retention + 120)
    checked.set()
    background[1].join()

    failures = list(checks.failures)
    if checker.is_alive():
        failures.append(f"{checks.pending()} checks still waiting")
    acknowledged = sum(len(v) for v in events.values())
    expected_incidents = len(events["failed"]) + len(events["silent"])
    expected_kept = len(events["failed"]) + len(events["silent"]) + sum(1 for _, name in events["success"] if int(name.rsplit("_", 1)[1]) % 10 == 0)
    expected_gone = sum(1 for _, name in events["success"] if int(name.rsplit("_", 1)[1]) % 100 == 0)
    read_back = sum(count for check, count in checks.counts.items() if check.startswith("kept"))
    if read_back != expected_kept or checks.counts["gone"] != expected_gone:
        failures.append(f"{read_back} of {expected_kept} events read back while kept, {checks.counts['gone']} of {expected_gone} after leaving")
    if len(checks.incident_of) != expected_incidents:
        failures.append(f"{len(checks.incident_of)} distinct incidents for {expected_incidents} failed and silent events")

    def alerts(headline):
        """Deliveries of alerts whose subject starts with `headline`, by Message-ID, and the provider event each names."""
        deliveries, names = collections.Counter(), {}
        for path in glob.glob(os.path.join(messages, "*", "message-*.json")):
            with open(path) as f:
                headers = dict(json.load(f)["headers"])
            if headline in headers["Subject"]:
                deliveries[headers["Message-ID"]] += 1
                names[headers["Message-ID"]] = headers["Subject"].split(" stripe ", 1)[1].split(" ", 1)[0]
        return deliveries, names
    def all_alerted():
        count = len(alerts("Incident opened:")[0])
        if count < expected_incidents and int(time.monotonic()) % 15 == 0:
            print(f"waiting for alerts: {count} of {expected_incidents}", flush=True)
        return count >= expected_incidents
    wait_for(all_alerted, 300, "an alert for every incident")
    deliveries, names = alerts("Incident opened:")
    alerted = collections.Counter(names.values())
    unalerted = [name for kind in ("failed", "silent") for _, name in events[kind] if alerted[name] != 1]
    if unalerted:
        failures.append(f"{len(unalerted)} incidents without exactly one opened alert, e.g. {unalerted[:3]}")
    duplicates = [message for message, count in deliveries.items() if count > 1]
    resolved_alerts = len(alerts("Incident resolved:")[0])

    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    server_errors += sum(count for status, count in repair.results.items() if status >= 500)
    if server_errors:
        failures.append(f"{server_errors} answers with a 5xx status")
    if wrong_errors:
        failures.append(f"{len(wrong_errors)} malformed requests without their documented error, e.g. {wrong_errors[:2]}")

    warm_end = began + options.warm_up
    baseline = max(kib for at, kib, _ in rss if warm_end - 60 <= at <= warm_end)
    after = [kib for at, kib, _ in rss if at > warm_end]
    highest, last = max(after), rss[-1][1]
    if highest > options.bound * baseline:
        failures.append(f"resident memory not flat: {highest // 1024} MB after the warm-up, over {options.bound} x {baseline // 1024} MB")
    print(f"soak: {options.seconds} s, {options.threads} clients, retention and idempotency window {options.retention} s; "
          f"answers by status {dict(sorted(statuses.items()))}")
    print(f"acknowledged events: {acknowledged} ({len(events['success'])} succeeded, {len(events['failed'])} failed, "
          f"{len(events['silent'])} silent); incidents {len(checks.incident_of)} (expected {expected_incidents})")
    print(f"read back while kept: {read_back} ({dict(sorted(checks.counts.items()))}); answered 404 after the retention: {checks.counts['gone']}")
    print(f"opened alerts received: {len(deliveries)} distinct, {len(duplicates)} delivered more than once "
          f"(at least once: a retry after an outage); resolved alerts received: {resolved_alerts}")
    print(f"repair callbacks received: {repair.callbacks}; replay results reported: {dict(sorted(repair.results.items()))}")
    print(f"resident memory: {rss[0][1] // 1024} MB at 10 s, {baseline // 1024} MB at most in the warm-up's last minute, "
          f"{highest // 1024} MB at most after it, {last // 1024} MB at the end: "
          f"{highest / baseline:.2f}x and {last / baseline:.2f}x the warm-up's (bound {options.bound}x)")
    print("samples (s, MB): " + ", ".join(f"{at - began:.0f}:{kib // 1024}" for at, kib, _ in rss))
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
