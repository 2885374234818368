"""One canary step on moto (Compiler Explorer's crowded layout): the AWS calls and sequential round trips from the
step's first route change to its verified weights, read from `ce --verbose` (every call is logged with its round),
for prod (two listeners' default actions) and beta (one rule), with the wall time of that stretch through a proxy
adding the same latency to every call. See canary_step.sh."""
import os
import re
import statistics
import subprocess
import sys

import boto3

from moto_server import latency_proxy, moto_with_layout, ce_home

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
LATENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 25
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CE = os.path.join(ROOT, ".build/release/ce")
CALL = re.compile(r"(ELBv2|SSM|AutoScaling|CloudWatch|EC2) (\w+) \d{3} ([\d.]+) ms \(round (\d+)\)")

with moto_with_layout("--envs", "prod,beta", "--crowded") as moto, latency_proxy(moto, LATENCY) as proxy:
    home, config, env = ce_home()

    def ce(*args):
        result = subprocess.run([CE, "--config", config, "--endpoint-url", proxy.url, *args], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def step(env_name, version):
        """(calls, rounds, milliseconds) from the first weighted route change to the read-back that verified it."""
        ce("--env", env_name, "environment", "cleanup", "--yes", "--force")
        out = ce("--env", env_name, "--verbose", "environment", "refresh", "--strategy", "canary", "--steps", "10",
                 "--step-bake", "0", "--version", version, "--yes")
        calls = [m for m in (CALL.search(line) for line in out.stderr.splitlines()) if m]
        first = next(i for i, m in enumerate(calls) if m.group(2) in ("ModifyListener", "ModifyRule"))
        # The read-back is the first Describe after the route changes.
        last = next(i for i in range(first, len(calls)) if calls[i].group(2).startswith("Describe"))
        rounds = int(calls[last].group(4)) - int(calls[first].group(4)) + 1
        stretch = calls[first:last + 1]
        # Concurrent calls overlap: the stretch's wall time is at least its slowest call per round.
        by_round = {}
        for m in stretch:
            by_round[m.group(4)] = max(by_round.get(m.group(4), 0), float(m.group(3)))
        return len(stretch), rounds, sum(by_round.values()), [m.group(1) + " " + m.group(2) for m in stretch]

    print(f"moto on 127.0.0.1, Compiler Explorer's crowded layout, release build, through a proxy adding {LATENCY} ms "
          f"to every call; {RUNS} runs each, medians. One canary step: from its first route change to its verified weights.")
    print()
    print("| environment | AWS calls | sequential round trips | time (slowest call per round) | calls |")
    print("|---|---|---|---|---|")
    for env_name in ("prod", "beta"):
        rows = [step(env_name, f"{env_name}-c{i}") for i in range(RUNS)]
        print(f"| {env_name} | {statistics.median(r[0] for r in rows):.0f} | {statistics.median(r[1] for r in rows):.0f} | "
              f"{statistics.median(r[2] for r in rows):.0f} ms | {', '.join(rows[0][3])} |")
