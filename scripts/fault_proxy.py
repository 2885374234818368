"""A proxy on 127.0.0.1 in front of moto that injects faults into `ce`'s AWS calls, for scripts/fault_injection.py.

It counts the calls that change something (ModifyListener, ModifyRule, UpdateAutoScalingGroup, PutParameter,
DeleteParameter, ...) and, as configured for one run:
  - kill:    sends SIGKILL to ce right after the k-th change is made (ce never sees its answer);
  - SIGINT / SIGTERM / SIGHUP: sends that signal to ce right after the k-th change is made, then answers;
  - 500 / denied, "before": answers the k-th change HTTP 500 / AccessDenied without passing it on;
  - 500 / denied, "after":  passes the k-th change on (it is made), then answers HTTP 500 / AccessDenied;
  - throttle: answers a share of all calls with Throttling (seeded), as a busy account does.
Only 127.0.0.1 is ever talked to.
"""
import http.server
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CHANGES = {
    "ModifyListener", "ModifyRule", "CreateRule", "DeleteRule", "RegisterTargets", "DeregisterTargets",
    "UpdateAutoScalingGroup", "SetDesiredCapacity", "StartInstanceRefresh", "CancelInstanceRefresh",
    "AttachLoadBalancerTargetGroups", "DetachLoadBalancerTargetGroups",
    "PutParameter", "DeleteParameter", "LabelParameterVersion", "SetAlarmState",
}
SIGNALS = {"kill": signal.SIGKILL, "SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP}


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1], True
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return fields.get("Action", ["?"])[0], False


def error_answer(kind, is_json):
    """(status, content type, body) of an AWS error answer."""
    if kind == "denied":
        code, status, message = ("AccessDeniedException" if is_json else "AccessDenied"), (400 if is_json else 403), \
            "User: arn:aws:iam::123456789012:user/ce is not authorized to perform this action"
    elif kind == "throttle":
        code, status, message = ("ThrottlingException" if is_json else "Throttling"), 400, "Rate exceeded"
    else:
        code, status, message = ("InternalServerError" if is_json else "InternalFailure"), 500, "injected server error"
    if is_json:
        return status, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    body = (f'<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>")
    return status, "text/xml", body.encode()


class FaultProxy:
    """Use as a context manager; `configure(...)` before each run of ce, `changes` after it."""

    def __init__(self, target):
        self.target = target
        self.lock = threading.Lock()
        self.configure()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                proxy.handle(self)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a killed ce resets its connections: expected, not worth a traceback

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()

    def configure(self, fault=None, at=None, when="before", pid=None, throttle=0.0, seed=1):
        """fault: None, "kill", "SIGINT", "SIGTERM", "SIGHUP", "500" or "denied"; at: the change it hits (1-based)."""
        with self.lock:
            self.fault, self.at, self.when, self.pid = fault, at, when, pid
            self.throttle, self.random = throttle, random.Random(seed)
            self.changes, self.calls, self.fired = 0, 0, False

    def handle(self, request):
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        action, is_json = action_of(request.headers, body)
        with self.lock:
            self.calls += 1
            throttled = self.random.random() < self.throttle
            hit = False
            if not throttled and action in CHANGES:
                self.changes += 1
                hit = self.fault is not None and self.changes == self.at and not self.fired
                self.fired = self.fired or hit
            fault, when, pid = self.fault, self.when, self.pid
        if throttled:
            return self.answer(request, *error_answer("throttle", is_json))
        if hit and fault in ("500", "denied") and when == "before":
            return self.answer(request, *error_answer(fault, is_json))
        status, content_type, data = self.forward(request, body)
        if hit and fault in SIGNALS and pid:
            try:
                os.kill(pid, SIGNALS[fault])
            except ProcessLookupError:
                pass
            if fault == "kill":
                time.sleep(0.05)  # the process is gone; nobody reads the answer
        if hit and fault in ("500", "denied"):
            return self.answer(request, *error_answer(fault, is_json))
        self.answer(request, status, content_type, data)

    def forward(self, request, body):
        outgoing = urllib.request.Request(self.target + request.path, data=body, method="POST",
                                          headers={k: v for k, v in request.headers.items() if k.lower() != "host"})
        try:
            with urllib.request.urlopen(outgoing, timeout=30) as answer:
                return answer.status, answer.headers.get("Content-Type", "text/xml"), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", "text/xml"), error.read()

    @staticmethod
    def answer(request, status, content_type, data):
        try:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
