#!/usr/bin/env python3
"""Fault injection against moto: runs `ce` through scripts/fault_proxy.py, breaks it at every change it makes, lets
the next operator recover, and checks that the environment is consistent after each point.

    python3 scripts/fault_injection.py --endpoint http://127.0.0.1:PORT --ce .build/debug/ce [--bounded | --full]

For each point: a fresh copy of Compiler Explorer's crowded layout (its own name prefix), the command under test
through the proxy with one fault at its k-th change (kill -9; SIGINT, SIGTERM or SIGHUP; HTTP 500 or AccessDenied,
before or after the change is made; optionally 30% of all calls throttled), then — with the faults off — the
recovery (`environment recover`, or `refresh --resume` then `recover` if anything is left; after a signal, none: the
first signal must leave the environment consistent by itself). Then, checked: SSM agrees with every serving route
(status shows no drift), the serving colour has the live floor as its min, the idle colour is not pinned (min 0), no
lock and no unfinished or unreadable journal is left, a following deploy succeeds and leaves it consistent again, and
no output shows a crash, a stack trace or the secret key.

--only NAME runs one command of the list ('refresh prod', 'refresh beta', 'switch prod').
--bounded (CI): every change of one prod refresh × {kill then recover, kill then --resume, SIGINT, AccessDenied
before the change then recover}. --full: refreshes of prod and beta and a prod switch × every fault kind × both
recoveries × with and without throttling. Prints the points tried and the points consistent; exits 1 if any is not.
Only 127.0.0.1 is ever talked to.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boto3  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from moto_layout import build  # noqa: E402

SECRET = "FaultSuiteSecretKeyNeverPrinted0123456789"
FLOORS = {"prod": 2, "beta": 1}


class Run:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err


class Suite:
    def __init__(self, endpoint, ce, verbose):
        self.endpoint, self.ce, self.verbose = endpoint, ce, verbose
        self.home = tempfile.mkdtemp(prefix="ce-faults-")
        self.env = {"HOME": self.home, "PATH": "/usr/bin:/bin", "USER": "faults", "AWS_REGION": "us-east-1",
                    "AWS_ACCESS_KEY_ID": "AKIAFAULTSUITE000001", "AWS_SECRET_ACCESS_KEY": SECRET,
                    "AWS_EC2_METADATA_DISABLED": "true"}
        self.asg = boto3.client("autoscaling", endpoint_url=endpoint, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        self.count = 0
        self.outputs = []

    def layout(self):
        self.count += 1
        prefix = f"fi{os.getpid() % 1000}x{self.count}-"
        build(self.endpoint, prefix=prefix, envs=["prod", "beta"], crowded=True)
        config = os.path.join(self.home, f"{prefix}ce.yaml")
        with open(config, "w") as f:
            f.write(f'defaults:\n  loadBalancer: "{prefix}GccExplorerApp"\n  targetGroupPattern: "{prefix}{{Env}}-{{Color}}"\n'
                    f'  asgPattern: "{prefix}{{env}}-{{color}}"\n  ssmPrefix: "/{prefix}compiler-explorer/{{env}}/"\n'
                    f"  bake: 0\n  health: {{stable: 0s, poll: 1s, timeout: 2m}}\n")
        return prefix, config

    def run(self, config, endpoint, args, proxy=None, fault=None, timeout=180):
        command = [self.ce, "--config", config, "--endpoint-url", endpoint, *args]
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proxy is not None:
            proxy.configure(pid=process.pid, **(fault or {}))
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            err += "\n(timed out)"
        self.outputs.append((" ".join(args), out + err))
        if self.verbose:
            print(f"    $ ce {' '.join(args)} → {process.returncode}", file=sys.stderr)
        return Run(process.returncode, out, err)

    def status(self, config, env):
        result = self.run(config, self.endpoint, ["--env", env, "environment", "status", "--output", "json"])
        try:
            return json.loads(result.out)
        except json.JSONDecodeError:
            return None

    def problems(self, prefix, config, env, follow=True):
        """What is inconsistent about `env` now (empty: consistent), then whether a following deploy succeeds."""
        status = self.status(config, env)
        if status is None:
            return ["status did not answer"]
        found = []
        if status["drift"]:
            found.append("drift: " + "; ".join(status["driftReasons"]))
        if status.get("lock"):
            found.append("a lock is left")
        if status.get("unreadableJournal"):
            found.append("the journal cannot be read")
        if (status.get("deployment") or {}).get("status") == "in-progress":
            found.append(f"an unfinished journal is left (step {status['deployment']['step']})")
        serving = status.get("albColor")
        if serving:
            idle = "green" if serving == "blue" else "blue"
            colors = status["colors"]
            if (colors[serving].get("min") or 0) < FLOORS[env]:
                found.append(f"the serving colour {serving} has min {colors[serving].get('min')} < {FLOORS[env]}")
            if (colors[idle].get("min") or 0) != 0:
                found.append(f"the idle colour {idle} is pinned (min {colors[idle].get('min')})")
        if found or not follow:
            return found
        self.run(config, self.endpoint, ["--env", env, "environment", "cleanup", "--yes", "--force"])
        deploy = self.run(config, self.endpoint, ["--env", env, "environment", "refresh", "--version", "v9", "--yes"])
        if deploy.code != 0:
            return [f"a following deploy failed ({deploy.code}): {deploy.err.strip()[:300]}"]
        return [f"after a following deploy: {p}" for p in self.problems(prefix, config, env, follow=False)]


def commands(full):
    """(name, env, setup, args, recovery kinds)."""
    def scale_green(suite, prefix, config):
        suite.asg.update_auto_scaling_group(AutoScalingGroupName=f"{prefix}prod-green", MinSize=0, MaxSize=24, DesiredCapacity=2)
    refresh_prod = ("refresh prod", "prod", None, ["--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
    if not full:
        return [refresh_prod]
    return [
        refresh_prod,
        ("refresh beta", "beta", None, ["--env", "beta", "environment", "refresh", "--version", "v2", "--yes"]),
        ("switch prod", "prod", scale_green, ["--env", "prod", "environment", "switch", "--to", "green", "--yes"]),
    ]


def faults(full):
    """(label, fault configuration, recoveries)."""
    if not full:
        return [("kill", {"fault": "kill"}, ["recover", "resume"]), ("SIGINT", {"fault": "SIGINT"}, ["none"]),
                ("AccessDenied before", {"fault": "denied", "when": "before"}, ["recover"])]
    kinds = [("kill", {"fault": "kill"}, ["recover", "resume"])]
    kinds += [(name, {"fault": name}, ["none"]) for name in ("SIGINT", "SIGTERM", "SIGHUP")]
    for fault, label in (("500", "HTTP 500"), ("denied", "AccessDenied")):
        for when in ("before", "after"):
            kinds.append((f"{label} {when}", {"fault": fault, "when": when}, ["recover", "resume"]))
    return kinds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--ce", required=True)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--bounded", action="store_true")
    mode.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--only", help="run only the command of this name (e.g. 'switch prod')")
    args = parser.parse_args()
    if urlparse(args.endpoint).hostname != "127.0.0.1":
        sys.exit("the moto endpoint must be on 127.0.0.1")
    suite = Suite(args.endpoint, args.ce, args.verbose)
    started = time.monotonic()
    tried, failures, tally = 0, [], {}
    with FaultProxy(args.endpoint) as proxy:
        for name, env, setup, command in commands(args.full):
            if args.only and name != args.only:
                continue
            # How many changes the command makes when nothing goes wrong.
            prefix, config = suite.layout()
            if setup:
                setup(suite, prefix, config)
            clean = suite.run(config, proxy.url, command, proxy=proxy)
            changes = proxy.changes
            if clean.code != 0:
                sys.exit(f"{name} fails without any fault ({clean.code}): {clean.err}")
            print(f"{name}: {changes} changes", flush=True)
            for throttle in ([0.0, 0.3] if args.full else [0.0]):
                for label, fault, recoveries in faults(args.full):
                    for recovery in recoveries:
                        # A switch journals nothing: there is nothing to --resume; its next operator recovers.
                        if name.startswith("switch") and recovery == "resume":
                            continue
                        key = f"{name} · {label} → {recovery}" + (" · 30% throttled" if throttle else "")
                        ok, codes = 0, {}
                        for k in range(1, changes + 1):
                            prefix, config = suite.layout()
                            if setup:
                                setup(suite, prefix, config)
                            faulted = suite.run(config, proxy.url, command, proxy=proxy,
                                                fault=dict(fault, at=k, throttle=throttle, seed=k))
                            proxy.configure()
                            codes[faulted.code] = codes.get(faulted.code, 0) + 1
                            if recovery == "recover":
                                suite.run(config, args.endpoint, ["--env", env, "environment", "recover", "--yes"])
                            elif recovery == "resume":
                                suite.run(config, args.endpoint, ["--env", env, "environment", "refresh", "--resume", "--yes"])
                                status = suite.status(config, env) or {}
                                if status.get("lock") or (status.get("deployment") or {}).get("status") == "in-progress":
                                    suite.run(config, args.endpoint, ["--env", env, "environment", "recover", "--yes"])
                            elif name.startswith("switch") and faulted.code not in (0, 130, 143, 129):
                                suite.run(config, args.endpoint, command)  # a switch is repeated by the operator
                            problems = suite.problems(prefix, config, env)
                            tried += 1
                            if problems:
                                failures.append(f"{key} at change {k} (exit {faulted.code}): {'; '.join(problems)}")
                            else:
                                ok += 1
                        tally[key] = (ok, changes)
                        exits = ", ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
                        print(f"  {key}: {ok}/{changes} consistent (the faulted command exited {exits})", flush=True)
    hygiene = [f"'{cmd}' printed {what}" for cmd, text in suite.outputs
               for what, needle in (("the secret key", SECRET), ("a crash", "Fatal error"), ("a stack trace", "Stack dump"))
               if needle in text]
    consistent = tried - len(failures)
    print(f"fault injection: {tried} points tried, {consistent} consistent, {len(suite.outputs)} ce runs, "
          f"{time.monotonic() - started:.0f} s; output hygiene: {'clean' if not hygiene else f'{len(hygiene)} problems'}")
    for line in failures + hygiene:
        print(f"  NOT CONSISTENT: {line}")
    sys.exit(1 if failures or hygiene else 0)


if __name__ == "__main__":
    main()
