"""AWS calls, sequential round trips and wall time of `ce environment status`, `switch` and `refresh` on moto
(Compiler Explorer's crowded layout), through a proxy that adds the same latency to every call and counts the calls
and their rounds itself (so any binary can be measured the same way). With a second binary (CE_BASELINE), the same
figures for it, side by side. See round_trips.sh."""
import os
import statistics
import subprocess
import sys
import time

import boto3

from moto_server import latency_proxy, moto_with_layout, ce_home

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
LATENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 25
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARIES = [("this ce", os.path.join(ROOT, ".build/release/ce"))]
if os.environ.get("CE_BASELINE"):
    BINARIES.append(("baseline", os.environ["CE_BASELINE"]))
CROWDED = os.environ.get("CE_LAYOUT", "--crowded") == "--crowded"

layout = ["--envs", "prod,beta,staging"] + (["--crowded"] if CROWDED else [])
with moto_with_layout(*layout) as moto, latency_proxy(moto, LATENCY) as proxy:
    home, config, env = ce_home()
    asg = boto3.client("autoscaling", endpoint_url=moto, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    asg.update_auto_scaling_group(AutoScalingGroupName="prod-green", MinSize=0, MaxSize=24, DesiredCapacity=2)

    def ce(binary, *args, cold=False, endpoint=None):
        if cold:
            subprocess.run(["rm", "-rf", os.path.join(home, ".cache")], check=True)
        proxy.take()
        start = time.perf_counter()
        result = subprocess.run([binary, "--config", config, "--endpoint-url", endpoint or proxy.url, *args], env=env,
                                capture_output=True, text=True)
        elapsed = (time.perf_counter() - start) * 1000
        assert result.returncode == 0, result.stdout + result.stderr
        calls, rounds = proxy.take()
        return elapsed, calls, rounds

    print(f"moto 5.2.1 on 127.0.0.1, Compiler Explorer's {'crowded ' if CROWDED else ''}layout (prod, beta, staging), release "
          f"builds, through a proxy adding {LATENCY} ms to every call; {RUNS} runs each, medians.")
    print()
    print("| command | binary | AWS calls | sequential round trips | wall time |")
    print("|---|---|---|---|---|")
    counter = {"prod": 0, "beta": 0}

    def command(kind):
        if kind == "switch":
            counter["prod"] += 1
            return ["--env", "prod", "environment", "switch", "--to", "green" if counter["prod"] % 2 else "blue", "--yes"]
        if kind == "refresh":
            # The previous deploy's colour is cleaned up first (not measured), so that every refresh is a fresh one.
            for binary in (BINARIES[0][1],):
                ce(binary, "--env", "beta", "environment", "cleanup", "--yes", "--force", endpoint=moto)
            counter["beta"] += 1
            return ["--env", "beta", "environment", "refresh", "--version", f"b{counter['beta']}", "--yes"]
        return ["--env", "prod", "environment", "status"]

    cases = [
        ("status, first run on a machine", "status", True),
        ("status", "status", False),
        ("switch prod --yes (2 listeners)", "switch", False),
    ]
    if CROWDED:
        # (Only here does a preview rule make the load balancer check the new colour, so that the gate reads target
        # health: without one it would probe the instances' addresses, which are moto's fake 10.x ones.)
        cases.append(("refresh beta --yes (bake 0)", "refresh", False))
    for title, kind, cold in cases:
        for name, binary in BINARIES:
            rows = [ce(binary, *command(kind), cold=cold) for _ in range(RUNS)]
            print(f"| {title} | {name} | {statistics.median(r[1] for r in rows):.0f} | "
                  f"{statistics.median(r[2] for r in rows):.0f} | {statistics.median(r[0] for r in rows):.0f} ms |")
