"""A moto server on a free 127.0.0.1 port with the design document's layout, for the benchmark scripts."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def moto_with_layout():
    """Yields the endpoint URL; kills the server by PID afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts/moto_layout.py"), "--endpoint", endpoint],
                       check=True, stdout=subprocess.DEVNULL)
        yield endpoint
    finally:
        moto.kill()
        moto.wait()
