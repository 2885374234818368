"""A moto server on a free 127.0.0.1 port with Compiler Explorer's layout, for the benchmark scripts; optionally
behind a proxy that adds the same latency to every call (as from an admin host to a regional AWS endpoint)."""
import contextlib
import http.server
import os
import socket
import subprocess
import tempfile
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    """What `latency_proxy` yields: its URL, and the calls it passed on."""

    def __init__(self):
        self.url = None
        self.lock = threading.Lock()
        self.calls = []  # (arrived, answered) per request, in seconds

    def take(self):
        """The calls since the last take: (count, sequential round trips). A call's round is one more than the
        highest round among the calls answered before it arrived."""
        with self.lock:
            calls, self.calls = sorted(self.calls), []
        rounds = []
        for arrived, _ in calls:
            rounds.append(1 + max([r for (a, answered), r in zip(calls, rounds) if answered <= arrived], default=0))
        return len(calls), max(rounds, default=0)


@contextlib.contextmanager
def latency_proxy(target, milliseconds):
    """Yields a `Proxy` on 127.0.0.1 that waits `milliseconds`, then passes each request on to `target` (also on
    127.0.0.1) and its answer back, noting when each call arrived and was answered."""
    proxy = Proxy()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            arrived = time.monotonic()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(milliseconds / 1000)
            request = urllib.request.Request(target + self.path, data=body, method="POST",
                                             headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, headers, data = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                status, headers, data = error.code, error.headers, error.read()
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            with proxy.lock:
                proxy.calls.append((arrived, time.monotonic()))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()


@contextlib.contextmanager
def moto_with_layout(*layout_args):
    """Yields the endpoint URL; kills the server by PID afterwards. `layout_args` go to scripts/moto_layout.py."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts/moto_layout.py"), "--endpoint", endpoint, *layout_args],
                       check=True, stdout=subprocess.DEVNULL)
        yield endpoint
    finally:
        moto.kill()
        moto.wait()


FAST_CONFIG = "defaults:\n  bake: 0\n  health: {stable: 0s, poll: 1s}\n"


def ce_home(config_text=FAST_CONFIG):
    """A fresh HOME with a ce.yaml holding `config_text`, and the environment a `ce` run against moto needs
    (moto's test credentials, no instance metadata). Returns (home, config path, env)."""
    home = tempfile.mkdtemp()
    config = os.path.join(home, "ce.yaml")
    with open(config, "w") as f:
        f.write(config_text)
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    return home, config, env
