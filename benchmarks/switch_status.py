"""Calls and wall time of `ce environment status` and `switch` on moto; see switch_status.sh."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import boto3

from moto_server import moto_with_layout

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CE = os.path.join(ROOT, ".build/release/ce")

with moto_with_layout() as endpoint:
    env = {"HOME": tempfile.mkdtemp(), "PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    asg = boto3.client("autoscaling", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")

    def ce(*args):
        start = time.perf_counter()
        result = subprocess.run([CE, "--endpoint-url", endpoint, "--env", "prod", *args], env=env,
                                capture_output=True, text=True)
        return (time.perf_counter() - start) * 1000, result

    def calls(result):
        return len(re.findall(r"\(round \d+\)", result.stderr))

    print(f"moto 5.2.1 on 127.0.0.1, Compiler Explorer's layout, release build, {RUNS} runs each (medians).")
    print()
    print("| command | instances in live colour | AWS calls | wall time |")
    print("|---|---|---|---|")
    for size in (2, 20):
        asg.update_auto_scaling_group(AutoScalingGroupName="prod-blue", MaxSize=24, DesiredCapacity=size)
        _, verbose = ce("environment", "status", "--verbose")
        times = [ce("environment", "status")[0] for _ in range(RUNS)]
        print(f"| environment status | {size} | {calls(verbose)} | {statistics.median(times):.0f} ms |")

    asg.update_auto_scaling_group(AutoScalingGroupName="prod-green", MinSize=2, MaxSize=24, DesiredCapacity=2)
    totals, windows, counts = [], [], []
    for i in range(RUNS):
        to = "green" if i % 2 == 0 else "blue"
        elapsed, result = ce("environment", "switch", "--to", to, "--yes", "--verbose")
        assert result.returncode == 0, result.stderr
        totals.append(elapsed)
        counts.append(calls(result))
        windows.append(float(re.search(r"switch\s+([0-9.]+) s", result.stdout).group(1)) * 1000)
    print(f"| environment switch (2 listeners) | 2 | {statistics.median(counts):.0f} | {statistics.median(totals):.0f} ms |")
    print()
    print(f"Switch window (both ModifyListener calls, concurrently, until both answered): median "
          f"{statistics.median(windows):.0f} ms, max {max(windows):.0f} ms.")
