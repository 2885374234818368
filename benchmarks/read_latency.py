"""Times one AWS read against moto with ce (release build), the AWS CLI and boto3; see read_latency.sh."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

from moto_server import moto_with_layout

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

with moto_with_layout() as endpoint:
    home = tempfile.mkdtemp()
    env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    boto = ("import boto3; c = boto3.client('{svc}', endpoint_url='" + endpoint + "'); c.{op}()")
    ce = os.path.join(ROOT, ".build/release/ce")
    reads = {
        "STS GetCallerIdentity": {
            "ce": [ce, "doctor", "--service", "STS", "--endpoint-url", endpoint],
            "aws cli": ["aws", "sts", "get-caller-identity", "--endpoint-url", endpoint],
            "boto3": [sys.executable, "-c", boto.format(svc="sts", op="get_caller_identity")],
        },
        "ELBv2 DescribeLoadBalancers": {
            "ce": [ce, "doctor", "--service", "ELBv2", "--endpoint-url", endpoint],
            "aws cli": ["aws", "elbv2", "describe-load-balancers", "--endpoint-url", endpoint],
            "boto3": [sys.executable, "-c", boto.format(svc="elbv2", op="describe_load_balancers")],
        },
    }

    def measure(command):
        for _ in range(2):
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    print(f"Median wall time of one read against moto 5.2.1 on 127.0.0.1, {RUNS} runs each after 2 warm-ups.")
    print()
    print("| read | ce | aws cli | boto3 script | aws cli / ce | boto3 / ce |")
    print("|---|---|---|---|---|---|")
    for name, commands in reads.items():
        medians = {tool: measure(command) for tool, command in commands.items()}
        print(f"| {name} | {medians['ce']:.0f} ms | {medians['aws cli']:.0f} ms | {medians['boto3']:.0f} ms "
              f"| {medians['aws cli'] / medians['ce']:.1f}x | {medians['boto3'] / medians['ce']:.1f}x |")
