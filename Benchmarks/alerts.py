#!/usr/bin/env python3
"""Alert email throughput for a burst of incidents, and alert latency, with a baseline in the
same run.

Burst: N failed incidents (default 10,000, over 100 projects, since alerts are paced per
project) are opened while the mail server's port only accepts connections and never greets, so
every alert sits in the outbox. The server is killed (kill -9), a real SMTP server (aiosmtpd,
the tests' script, plain SMTP) takes the port, and the server restarts: it resumes the whole
outbox at once. We time from "ready" to the last message the SMTP server accepted.
Baseline: Python's smtplib sending the same number of messages of the same size to the same
SMTP server from as many threads as the notifier keeps in flight (16).
Latency: then, with everything up, incidents are opened one at a time and we measure from the
incident's opened_at to the SMTP server accepting its alert (median, p99).

    Benchmarks/alerts.py [--incidents 10000] [--latency-samples 200]

Needs python3 with aiosmtpd (pip install aiosmtpd) and a release build:
    swift build -c release --product sendpromptly
"""
import argparse, calendar, concurrent.futures, glob, json, os, shutil, smtplib, socket, statistics, subprocess, sys, tempfile, time
from email.message import EmailMessage

from benchlib import Client, Server, free_port, release_binary, wait_for

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SendPromptlyMailTests", "Support", "smtp_server.py")
CONCURRENCY = 16


def start_smtp(port, messages):
    os.makedirs(messages, exist_ok=True)
    process = subprocess.Popen([sys.executable, SCRIPT, "--messages", messages, "--port", str(port)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("ready"):
        sys.exit("the SMTP server did not start")
    return process


def received(messages):
    return sorted(glob.glob(os.path.join(messages, "message-*.json")))


def parse_time(text):
    seconds, _, fraction = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(seconds, "%Y-%m-%dT%H:%M:%S")) + float("0." + (fraction or "0"))


def open_incidents(port, projects, per_project, offset):
    def work(project):
        client = Client(port)
        for index in range(per_project):
            name = f"evt_{project['project_id']}_{offset + index}"
            _, receipt = client.request("POST", "/api/v1/receipt", {
                "provider": "stripe", "provider_event_id": name, "event_type": "invoice.paid",
                "effect_type": "credit_grant", "internal_reference": name}, project["api_key"], "r-" + name)
            client.request("POST", "/api/v1/result", {"event_id": receipt["event_id"], "status": "failed",
                                                      "error_code": "db_timeout"}, project["api_key"], "f-" + name)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(work, projects))


def smtplib_baseline(port, count, size):
    message = EmailMessage()
    message["From"] = "alerts@sendpromptly.test"
    message["To"] = "ops@shop.example"
    message["Subject"] = "[SendPromptly] Incident opened: credit_grant not applied"
    message.set_content("x" * size)
    message.add_alternative("<p>" + "x" * size + "</p>", subtype="html")

    def send(_):
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(send, range(count)))
    return count / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=200)
    args = parser.parse_args()
    binary = release_binary()
    workdir = tempfile.mkdtemp(prefix="sendpromptly-alerts-")
    port = free_port()
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", port))
    silent.listen(1024)
    flags = ["--smtp-url", f"smtp://127.0.0.1:{port}?starttls=never", "--mail-from", "alerts@sendpromptly.test"]
    server = Server(binary, workdir, flags)
    smtp = None
    try:
        projects = []
        for index in range(args.projects):
            _, project = server.request("POST", "/admin/v1/projects", {"name": f"shop {index}", "alert_emails": [f"ops@shop{index}.example"]})
            projects.append(project)
        open_incidents(server.port, projects, args.incidents // args.projects, 0)
        server.kill()
        silent.close()

        burst = os.path.join(workdir, "burst")
        smtp = start_smtp(port, burst)
        server = Server(binary, workdir, flags)
        wait_for(lambda: len(received(burst)) >= args.incidents, 1200, f"{args.incidents} alerts")
        last = max(json.load(open(path))["received_at"] for path in received(burst))
        alert_rate = args.incidents / (last - server.ready_at)
        sample = json.load(open(received(burst)[0]))
        incidents = {dict(json.load(open(path))["headers"]).get("X-SendPromptly-Incident") for path in received(burst)}

        baseline_dir = os.path.join(workdir, "baseline")
        smtp.stdin.close()
        smtp.wait(10)
        smtp = start_smtp(port, baseline_dir)
        baseline = smtplib_baseline(port, args.incidents, len(sample["data"]) // 2)

        latency_dir = os.path.join(workdir, "latency")
        smtp.stdin.close()
        smtp.wait(10)
        smtp = start_smtp(port, latency_dir)
        latencies = []
        for index in range(args.latency_samples):
            project = projects[index % len(projects)]
            name = f"evt_latency_{index}"
            _, receipt = server.request("POST", "/api/v1/receipt", {
                "provider": "stripe", "provider_event_id": name, "event_type": "invoice.paid", "effect_type": "credit_grant"},
                project["api_key"], "r-" + name)
            _, result = server.request("POST", "/api/v1/result", {"event_id": receipt["event_id"], "status": "failed"}, project["api_key"], "f-" + name)
            _, incident = server.request("GET", f"/api/v1/incidents/{result['incident_id']}", key=project["api_key"])
            path = os.path.join(latency_dir, f"message-{index + 1}.json")
            wait_for(lambda: os.path.exists(path), 60, "the alert")
            record = json.load(open(path))
            latencies.append(record["received_at"] - parse_time(incident["opened_at"]))
        latencies.sort()

        print(f"{'':40} {'messages/s':>11} {'vs smtplib':>11}")
        print(f"{'smtplib, ' + str(CONCURRENCY) + ' threads, same SMTP server':40} {baseline:11.0f} {1:11.2f}")
        print(f"{'sendpromptly notifier, outbox burst':40} {alert_rate:11.0f} {alert_rate / baseline:11.2f}")
        print(f"\n{args.incidents} alerts after restart, {len(incidents)} distinct incidents; "
              f"latency opened -> accepted over {len(latencies)} alerts: "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms")
    finally:
        server.stop()
        if smtp:
            smtp.stdin.close()
            smtp.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
