"""What the delivery benchmarks share: the release binary, a server started on a temporary
data directory, requests over one keep-alive connection, and the server's CPU time."""
import http.client, json, os, re, signal, socket, subprocess, sys, time

ADMIN = "benchmark-admin-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.01)


class Server:
    def __init__(self, binary, workdir, extra):
        self.stdout = open(os.path.join(workdir, "server.out"), "w+")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--data-dir", os.path.join(workdir, "data"), "--admin-token", ADMIN,
             "--log-level", "error"] + extra, stdout=self.stdout, stderr=subprocess.STDOUT)
        def ready():
            with open(self.stdout.name) as f:
                text = f.read()
            if self.process.poll() is not None:
                sys.exit("server exited: " + text)
            return "sendpromptly ready" in text
        wait_for(ready, 120, "the server")
        self.ready_at = time.time()
        with open(self.stdout.name) as f:
            self.port = int(re.search(r"listening on http://[\d.]+:(\d+)", f.read()).group(1))
        self.connection = Client(self.port)

    def request(self, *arguments, **options):
        return self.connection.request(*arguments, **options)

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)

    def kill(self):
        self.process.kill()
        self.process.wait(60)


class Client:
    """JSON requests over one keep-alive connection (one per thread)."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def request(self, method, path, body=None, key=ADMIN, idempotency=None):
        headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        self.connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = self.connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}


def release_binary():
    return os.environ.get("SENDPROMPTLY_BINARY") or os.path.join(
        subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], capture_output=True, text=True, check=True).stdout.strip(),
        "sendpromptly")
