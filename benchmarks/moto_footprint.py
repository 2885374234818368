"""Peak memory (RSS, GNU time's %M) and wall time of `ce environment status` and a blue-green `environment refresh`
against moto on 127.0.0.1 (Compiler Explorer's crowded layout), release build. See moto_footprint.sh."""
import os
import statistics
import subprocess
import sys
import time

from moto_server import moto_with_layout, ce_home

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CE = os.environ.get("CE_BINARY", os.path.join(ROOT, ".build/release/ce"))

with moto_with_layout("--envs", "prod,beta", "--crowded") as moto:
    home, config, env = ce_home()
    rss_file = os.path.join(home, "rss")

    def ce(*args):
        """(wall ms, peak RSS MiB) of one run, which must succeed."""
        start = time.monotonic()
        result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, CE, "--config", config, "--endpoint-url", moto, *args],
                                env=env, capture_output=True, text=True)
        wall = (time.monotonic() - start) * 1000
        assert result.returncode == 0, result.stdout + result.stderr
        with open(rss_file) as f:
            return wall, int(f.read().split()[-1]) / 1024

    print(f"moto on 127.0.0.1, Compiler Explorer's crowded layout (prod: 2 listeners' defaults; beta: one rule among "
          f"other services' rules), {CE}, bake 0, gate stable 0 s, poll 1 s; {RUNS} runs each, medians.")
    print()
    print("| command | wall time | peak RSS |")
    print("|---|---|---|")
    for name, runs in (
        ("ce --env prod environment status", [ce("--env", "prod", "environment", "status") for _ in range(RUNS)]),
        ("ce --env prod environment refresh --version vN --yes (blue-green)",
         [ce("--env", "prod", "environment", "refresh", "--version", f"v{i + 2}", "--yes", "--force") for i in range(RUNS)]),
        ("ce --env beta environment refresh --version vN --yes (blue-green)",
         [ce("--env", "beta", "environment", "refresh", "--version", f"v{i + 2}", "--yes", "--force") for i in range(RUNS)]),
    ):
        print(f"| `{name}` | {statistics.median(r[0] for r in runs):.0f} ms | {statistics.median(r[1] for r in runs):.1f} MiB |")
