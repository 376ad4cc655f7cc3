#!/usr/bin/env python3
"""Repair callbacks per second, side by side with the endpoint's own ceiling, in one run.

The repair endpoint is nginx answering 200 to POST /repair (access log on, to count the
callbacks it received). The baseline is wrk posting a callback-sized signed body to the same
nginx with the same number of connections the dispatcher may use (--concurrency, default 64).
Then the real server (release build) gets N failed incidents of one project and a bulk
reprocess (in pages of 1000); we time from the first bulk request until nginx has logged N
callbacks, and read the server's CPU time over that interval from /proc.

    Benchmarks/callbacks.py [--incidents 5000] [--concurrency 64]

Needs nginx and wrk (Debian: apt-get install nginx-light wrk) and a release build:
    swift build -c release --product sendpromptly
Prints callbacks/s for both and their ratio, and the server's CPU time per callback
(signing, HTTP client, journaling the attempt).
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time

from benchlib import ADMIN, Server, free_port, release_binary, wait_for

def start_nginx(workdir, port):
    conf = os.path.join(workdir, "nginx.conf")
    log = os.path.join(workdir, "access.log")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1; daemon off; pid {workdir}/nginx.pid; error_log {workdir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log {log};
  client_body_buffer_size 64k;
  server {{ listen 127.0.0.1:{port}; location /repair {{ return 200 '{{"ok":true}}'; }} }}
}}""")
    process = subprocess.Popen(["nginx", "-c", conf, "-p", workdir], stderr=subprocess.DEVNULL)
    wait_for(lambda: os.path.exists(f"{workdir}/nginx.pid"), 10, "nginx")
    return process, log


def wrk_baseline(port, connections, seconds, body):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write('wrk.method = "POST"\n'
                 f'wrk.body = {json.dumps(body)}\n'
                 'wrk.headers["Content-Type"] = "application/json"\n'
                 'wrk.headers["X-SendPromptly-Timestamp"] = "1764397800"\n'
                 'wrk.headers["X-SendPromptly-Nonce"] = "0123456789abcdef0123456789abcdef"\n'
                 f'wrk.headers["X-SendPromptly-Signature"] = "v1={"0" * 64}"\n')
    script.close()
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script.name, f"http://127.0.0.1:{port}/repair"],
        capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--baseline-seconds", type=int, default=10)
    args = parser.parse_args()
    binary = release_binary()
    workdir = tempfile.mkdtemp(prefix="sendpromptly-callbacks-")
    port = free_port()
    nginx, access_log = start_nginx(workdir, port)
    server = None
    try:
        server = Server(binary, workdir, ["--repair-rate", "10000"])
        status, project = server.request("POST", "/admin/v1/projects", {"name": "bench", "repair_url": f"http://127.0.0.1:{port}/repair"})
        key = project["api_key"]
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        for index in range(args.incidents):
            _, receipt = server.request("POST", "/api/v1/receipt", {
                "provider": "stripe", "provider_event_id": f"evt_{index}", "event_type": "invoice.paid",
                "effect_type": "credit_grant", "internal_reference": f"order-{index}"}, key, f"r-{index}")
            server.request("POST", "/api/v1/result", {"event_id": receipt["event_id"], "status": "failed",
                                                      "error_code": "db_timeout"}, key, f"f-{index}")
        # The baseline body: a real callback body's size.
        body = json.dumps({"type": "reprocess.requested", "replay_id": "rpl_" + "0" * 26, "attempt": 1,
                           "incident_id": "inc_" + "0" * 26, "event_id": "ev_" + "0" * 26, "project_id": project["project_id"],
                           "mode": "live", "provider": "stripe", "provider_event_id": "evt_00000", "event_type": "invoice.paid",
                           "effect_type": "credit_grant", "internal_reference": "order-00000", "occurred_at": None,
                           "incident_reason": "failed", "last_error": {"code": "db_timeout", "message": None},
                           "requested_at": "2026-11-30T12:00:00.000Z"})
        baseline = wrk_baseline(port, args.concurrency, args.baseline_seconds, body)
        open(access_log, "w").close()  # count the dispatcher's callbacks only

        cpu_before = server.cpu_seconds()
        started = time.monotonic()
        remaining = args.incidents
        while remaining > 0:
            _, answer = server.request("POST", "/api/v1/incidents/reprocess", {"since": since, "limit": 1000}, key)
            remaining -= answer["count"]
            if answer["count"] == 0:
                break
        def received():
            with open(access_log, "rb") as f:
                return f.read().count(b"\n")
        wait_for(lambda: received() >= args.incidents, 600, f"{args.incidents} callbacks")
        elapsed = time.monotonic() - started
        cpu = server.cpu_seconds() - cpu_before
        rate = args.incidents / elapsed
        print(f"{'':32} {'callbacks/s':>12} {'vs wrk':>8}")
        print(f"{'wrk -c' + str(args.concurrency) + ' to the same nginx':32} {baseline:12.0f} {1:8.2f}")
        print(f"{'sendpromptly dispatcher':32} {rate:12.0f} {rate / baseline:8.2f}")
        print(f"\n{args.incidents} callbacks in {elapsed:.2f} s; server CPU {cpu * 1e6 / args.incidents:.0f} µs per callback "
              f"(sign, send, journal the attempt), {1e6 / baseline:.0f} µs of wall time per request for wrk")
    finally:
        if server:
            server.stop()
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
