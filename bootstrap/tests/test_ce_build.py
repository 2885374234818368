"""Tests of bootstrap/ce-build: its SigV4 against botocore's, and against a moto server and a stand-in for the
instance metadata service on 127.0.0.1 — the SSM and S3 layouts, the tags from metadata or from DescribeTags, the exits,
and a deploy and a rollback by ce on Compiler Explorer's layout, with what each colour's instances would boot.

    CE_MOTO_ENDPOINT=http://127.0.0.1:PORT CE_BINARY=.build/debug/ce python3 -m unittest discover -s bootstrap/tests

Run by scripts/lib/run-tests-with-moto.sh (inside the private network, moto started).
"""
import datetime
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from unittest import mock
from contextlib import redirect_stderr, redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "bootstrap", "ce-build")
loader = importlib.machinery.SourceFileLoader("ce_build", SCRIPT)
ce_build = importlib.util.module_from_spec(importlib.util.spec_from_loader("ce_build", loader))
loader.exec_module(ce_build)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from moto_layout import build as build_layout  # noqa: E402

ENDPOINT = os.environ.get("CE_MOTO_ENDPOINT", "")
REGION = "us-east-1"
KEYS = {"AWS_ACCESS_KEY_ID": "AKIABOOTSTRAPTEST001", "AWS_SECRET_ACCESS_KEY": "bootstrap-test-secret"}


class FakeMetadata:
    """IMDSv2 on 127.0.0.1: a token (PUT, TTL header), then instance-id, region, tags (or 404 when tags are off)
    and the role's credentials, each only with the token."""

    def __init__(self, instance_id="i-0123456789abcdef0", tags=None, role=None):
        self.instance_id, self.tags, self.role = instance_id, tags, role
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=""):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                outer.requests.append(("PUT", self.path))
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.reply(200, "token-1")
                return self.reply(400)

            def do_GET(self):
                outer.requests.append(("GET", self.path))
                if self.headers.get("X-aws-ec2-metadata-token") != "token-1":
                    return self.reply(401)
                path = self.path.removeprefix("/latest/meta-data/")
                if path == "instance-id":
                    return self.reply(200, outer.instance_id)
                if path == "placement/region":
                    return self.reply(200, REGION)
                if path.startswith("tags/instance/") and outer.tags is not None:
                    key = path.removeprefix("tags/instance/")
                    return self.reply(200, outer.tags[key]) if key in outer.tags else self.reply(404)
                if path == "iam/security-credentials/" and outer.role:
                    return self.reply(200, outer.role)
                if outer.role and path == "iam/security-credentials/" + outer.role:
                    return self.reply(200, json.dumps({"AccessKeyId": "ASIAROLE0000000001", "SecretAccessKey": "role-secret",
                                                       "Token": "role-session-token", "Code": "Success"}))
                return self.reply(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def run(args, env=None):
    """ce-build's exit status, stdout and stderr, run in this process with `env` as its environment."""
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env if env is not None else {**KEYS, "AWS_REGION": REGION})
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = ce_build.main(["--attempts", "2", *args])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return status, out.getvalue(), err.getvalue()


class SignatureTests(unittest.TestCase):
    """ce-build's SigV4 is botocore's, byte for byte, for the three kinds of request it makes."""

    def check(self, service, method, url, headers, body):
        when = datetime.datetime(2026, 12, 7, 12, 30, 5, tzinfo=datetime.timezone.utc)
        credentials = ce_build.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session/token==")
        ours = ce_build.sign(method, url, headers, body, service, "eu-west-2", credentials, now=when)
        request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        signer_class = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
        signer = signer_class(botocore.credentials.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                               "session/token=="), service, "eu-west-2")
        with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
            signer.add_auth(request)
        self.assertEqual(ours["authorization"], request.headers["Authorization"])

    def test_ssm_post(self):
        self.check("ssm", "POST", "https://ssm.eu-west-2.amazonaws.com/",
                   {"content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameter"},
                   b'{"Name": "/compiler-explorer/prod/green/version", "WithDecryption": true}')

    def test_s3_get_with_an_encoded_key(self):
        self.check("s3", "GET", "https://compiler-explorer.s3.eu-west-2.amazonaws.com/version/a%20b%2Bc/release", {}, b"")

    def test_ec2_form_post(self):
        self.check("ec2", "POST", "https://ec2.eu-west-2.amazonaws.com/",
                   {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
                   b"Action=DescribeTags&Version=2016-11-15&Filter.1.Name=resource-id&Filter.1.Value.1=i-0abc")


class LocationTests(unittest.TestCase):
    """The names ce-build reads are the ones ce writes for each colour."""

    def location(self, *args, env="prod", color="green"):
        parser_args = type("Args", (), {"builds": None, "prefix": "/compiler-explorer/{env}/", "branch": [], "shared_object": False})()
        for key, value in args:
            setattr(parser_args, key, value)
        return ce_build.build_location(parser_args, env, color)

    def test_ssm_default(self):
        self.assertEqual(self.location(), ("ssm", "/compiler-explorer/prod/green/version"))

    def test_s3_per_colour(self):
        self.assertEqual(self.location(("builds", "s3://ce-builds/{env}/{color}"), color="blue"), ("s3", "ce-builds", "prod/blue"))

    def test_s3_branch_map(self):
        args = (("builds", "s3://compiler-explorer/version/{branch}"), ("branch", [("prod", "release")]), ("shared_object", True))
        self.assertEqual(self.location(*args), ("s3", "compiler-explorer", "version/release"))
        self.assertEqual(self.location(*args, env="beta"), ("s3", "compiler-explorer", "version/beta"))

    def test_one_object_for_both_colours_needs_saying_so(self):
        with self.assertRaisesRegex(ce_build.Unknown, "has no {color}: both colours would read one build"):
            self.location(("builds", "s3://compiler-explorer/version/{branch}"))


@unittest.skipUnless(ENDPOINT, "needs CE_MOTO_ENDPOINT (run through scripts/test.sh)")
class MotoTests(unittest.TestCase):
    def setUp(self):
        self.ssm = boto3.client("ssm", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
        self.s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
        self.metadata = []

    def tearDown(self):
        for server in self.metadata:
            server.close()

    def imds(self, **kwargs):
        server = FakeMetadata(**kwargs)
        self.metadata.append(server)
        return server

    def test_reads_its_colours_ssm_parameter_from_its_metadata_tags(self):
        self.ssm.put_parameter(Name="/bt1/prod/green/version", Value="gh-1234", Type="String", Overwrite=True)
        self.ssm.put_parameter(Name="/bt1/prod/blue/version", Value="gh-1200", Type="String", Overwrite=True)
        metadata = self.imds(tags={"Environment": "prod", "Color": "green"})
        status, out, err = run(["--prefix", "/bt1/{env}/", "--endpoint-url", ENDPOINT, "--metadata-url", metadata.url])
        self.assertEqual((status, out), (0, "gh-1234\n"), err)
        self.assertIn("prod green runs gh-1234 (from SSM /bt1/prod/green/version)", err)
        self.assertIn(("PUT", "/latest/api/token"), metadata.requests)

    def test_an_unset_build_exits_1_and_says_so(self):
        metadata = self.imds(tags={"Environment": "staging", "Color": "blue"})
        status, out, err = run(["--prefix", "/bt2/{env}/", "--endpoint-url", ENDPOINT, "--metadata-url", metadata.url])
        self.assertEqual((status, out), (1, ""))
        self.assertIn("SSM parameter /bt2/staging/blue/version does not exist", err)
        self.assertIn("refusing to boot another build", err)

    def test_s3_per_colour_and_the_branch_layout(self):
        self.s3.create_bucket(Bucket="bt3-builds")
        self.s3.put_object(Bucket="bt3-builds", Key="prod/blue", Body=b"gh-1\n")
        self.s3.put_object(Bucket="bt3-builds", Key="version/release", Body=b"dist/gh/release/gh-1234.tar.xz")
        metadata = self.imds(tags={"Environment": "prod", "Color": "blue"})
        common = ["--endpoint-url", ENDPOINT, "--metadata-url", metadata.url]
        self.assertEqual(run(["--builds", "s3://bt3-builds/{env}/{color}", *common])[:2], (0, "gh-1\n"))
        self.assertEqual(run(["--builds", "s3://bt3-builds/version/{branch}", "--branch", "prod=release", "--shared-object", *common])[:2],
                         (0, "dist/gh/release/gh-1234.tar.xz\n"))
        status, _, err = run(["--builds", "s3://bt3-builds/version/{branch}", "--shared-object", *common])  # "prod": no such object
        self.assertEqual(status, 1)
        self.assertIn("s3://bt3-builds/version/prod does not exist", err)

    def test_tags_from_describe_tags_and_credentials_from_the_instance_profile(self):
        ec2 = boto3.client("ec2", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
        image = ec2.describe_images()["Images"][0]["ImageId"]
        instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Environment", "Value": "beta"}, {"Key": "Color", "Value": "Blue"}]}
        ])["Instances"][0]["InstanceId"]
        self.ssm.put_parameter(Name="/bt4/beta/blue/version", Value="gh-77", Type="String", Overwrite=True)
        metadata = self.imds(instance_id=instance, tags=None, role="ce-instance")  # metadata tags off
        output = os.path.join(tempfile.mkdtemp(), "build")
        status, out, err = run(["--prefix", "/bt4/{env}/", "--endpoint-url", ENDPOINT, "--metadata-url", metadata.url,
                                "--output", output], env={})  # no credentials, no region in the environment
        self.assertEqual((status, out), (0, ""), err)
        with open(output) as f:
            self.assertEqual(f.read(), "gh-77\n")
        self.assertIn(("GET", "/latest/meta-data/iam/security-credentials/ce-instance"), metadata.requests)

    def test_an_instance_without_tags_exits_2(self):
        metadata = self.imds(instance_id="i-00000000000000bad", tags={})
        status, out, err = run(["--endpoint-url", ENDPOINT, "--metadata-url", metadata.url])
        self.assertEqual((status, out), (2, ""))
        self.assertIn("this instance has no Environment or Color tag", err)

    def test_a_missing_bucket_is_a_configuration_mistake_not_an_unset_build(self):
        metadata = self.imds(tags={"Environment": "prod", "Color": "blue"})
        status, _, err = run(["--builds", "s3://bt6-no-such-bucket/{env}/{color}", "--endpoint-url", ENDPOINT, "--metadata-url", metadata.url])
        self.assertEqual(status, 2)
        self.assertIn("bucket bt6-no-such-bucket does not exist", err)

    def test_metadata_refusing_the_token_exits_3_not_1(self):
        metadata = self.imds(tags={"Environment": "prod", "Color": "blue"})
        status, _, err = run(["--metadata-url", metadata.url + "/refuse"])
        self.assertEqual(status, 3)
        self.assertIn("refused a session token (HTTP 400)", err)

    def test_an_unreachable_metadata_service_exits_3(self):
        status, _, err = run(["--metadata-url", "http://127.0.0.1:9", "--environment", "prod"])
        self.assertEqual(status, 3)
        self.assertIn("the instance metadata service: no answer after 2 attempt(s)", err)


@unittest.skipUnless(ENDPOINT and os.environ.get("CE_BINARY"), "needs CE_MOTO_ENDPOINT and CE_BINARY")
class DeployTests(unittest.TestCase):
    """ce deploys on Compiler Explorer's layout (moto); each colour's instances, asked through ce-build with their
    own tags (read by DescribeTags), boot the build ce recorded for their colour — before, after a deploy, after a
    rollback and for an instance a scale-out adds."""

    def test_each_colour_boots_its_build_through_a_deploy_a_rollback_and_a_scale_out(self):
        prefix = f"bt{os.getpid() % 1000}d-"
        build_layout(ENDPOINT, prefix=prefix, envs=["prod", "beta"], crowded=True)
        home = tempfile.mkdtemp()
        config = os.path.join(home, "ce.yaml")
        with open(config, "w") as f:
            f.write(f'defaults:\n  loadBalancer: "{prefix}GccExplorerApp"\n  targetGroupPattern: "{prefix}{{Env}}-{{Color}}"\n'
                    f'  asgPattern: "{prefix}{{env}}-{{color}}"\n  ssmPrefix: "/{prefix}compiler-explorer/{{env}}/"\n'
                    "  bake: 0\n  keepOldFor: 1h\n  health: {stable: 0s, poll: 1s, timeout: 2m}\n")
        env = {**KEYS, "AWS_REGION": REGION, "HOME": home, "PATH": os.environ.get("PATH", ""), "AWS_EC2_METADATA_DISABLED": "true"}
        autoscaling = boto3.client("autoscaling", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")

        def ce(*args):
            result = subprocess.run([os.environ["CE_BINARY"], "--config", config, "--endpoint-url", ENDPOINT, "--env", "beta", *args],
                                    env=env, capture_output=True, text=True, timeout=300)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            return result.stdout

        def boots():
            """What each colour's instances boot: {colour: sorted builds of its instances}."""
            seen = {}
            for color in ("blue", "green"):
                group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{prefix}beta-{color}"])["AutoScalingGroups"][0]
                builds = []
                for instance in group["Instances"]:
                    metadata = FakeMetadata(instance_id=instance["InstanceId"], tags=None)  # tags from DescribeTags
                    try:
                        status, out, err = run(["--prefix", f"/{prefix}compiler-explorer/{{env}}/", "--endpoint-url", ENDPOINT,
                                                "--metadata-url", metadata.url])
                    finally:
                        metadata.close()
                    self.assertEqual(status, 0, err)
                    self.assertIn(f"beta {color} runs", err)
                    builds.append(out.strip())
                seen[color] = sorted(builds)
            return seen

        self.assertEqual(boots(), {"blue": ["v1"], "green": []})
        ce("environment", "refresh", "--version", "v2", "--yes")
        self.assertEqual(boots(), {"blue": ["v1"], "green": ["v2"]})  # blue kept warm: still v1
        ce("environment", "rollback", "--yes")
        self.assertEqual(boots(), {"blue": ["v1"], "green": ["v2"]})
        self.assertIn("blue", json.loads(ce("environment", "status", "--output", "json"))["activeColor"])
        autoscaling.set_desired_capacity(AutoScalingGroupName=f"{prefix}beta-blue", DesiredCapacity=2)
        self.assertEqual(boots()["blue"], ["v1", "v1"])  # a scale-out of the serving colour boots its build

    def test_one_object_for_both_colours_names_the_serving_colours_build(self):
        """Compiler Explorer's layout as their instances read it today: one object per environment
        (s3://…/version/{branch}). ce writes it just before the new colour scales up and puts it back on a rollback, so
        an instance launched after the rollback boots the serving build; one the warm colour launches after the deploy
        boots the new one (the stated consequence: a rollback is to instances, not builds)."""
        prefix = f"bt{os.getpid() % 1000}s-"
        bucket = f"{prefix}compiler-explorer"
        build_layout(ENDPOINT, prefix=prefix, envs=["prod", "beta"], crowded=True)
        s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="version/beta", Body=b"v1")  # what the fleet boots today
        home = tempfile.mkdtemp()
        config = os.path.join(home, "ce.yaml")
        with open(config, "w") as f:
            f.write(f'defaults:\n  loadBalancer: "{prefix}GccExplorerApp"\n  targetGroupPattern: "{prefix}{{Env}}-{{Color}}"\n'
                    f'  asgPattern: "{prefix}{{env}}-{{color}}"\n  ssmPrefix: "/{prefix}compiler-explorer/{{env}}/"\n'
                    f"  builds: s3://{bucket}/version/{{branch}}\n  branches: {{prod: release}}\n"
                    "  bake: 0\n  keepOldFor: 1h\n  health: {stable: 0s, poll: 1s, timeout: 2m}\n")
        env = {**KEYS, "AWS_REGION": REGION, "HOME": home, "PATH": os.environ.get("PATH", ""), "AWS_EC2_METADATA_DISABLED": "true"}
        autoscaling = boto3.client("autoscaling", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")

        def ce(*args, code=0):
            result = subprocess.run([os.environ["CE_BINARY"], "--config", config, "--endpoint-url", ENDPOINT, "--env", "beta", *args],
                                    env=env, capture_output=True, text=True, timeout=300)
            self.assertEqual(result.returncode, code, result.stdout + result.stderr)
            return result.stdout + result.stderr

        def boots(color):
            """What an instance of `color` launched now boots, asked through ce-build with that colour's tags."""
            metadata = FakeMetadata(tags={"Environment": "beta", "Color": color})
            try:
                status, out, err = run(["--builds", f"s3://{bucket}/version/{{branch}}", "--branch", "prod=release", "--shared-object",
                                        "--endpoint-url", ENDPOINT, "--metadata-url", metadata.url])
            finally:
                metadata.close()
            self.assertEqual(status, 0, err)
            return out.strip()

        # ce's records of each colour's build start where the fleet is: blue serves v1.
        ssm = boto3.client("ssm", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
        for name in ("blue/version", "version"):
            ssm.put_parameter(Name=f"/{prefix}compiler-explorer/beta/{name}", Value="v1", Type="String", Overwrite=True)
        self.assertEqual((boots("blue"), boots("green")), ("v1", "v1"))
        self.assertIn("boots        v1, from s3://" + bucket + "/version/beta", ce("environment", "status"))
        self.assertIn("a rollback is to the instances kept warm, not to a build", ce("environment", "validate"))
        self.assertIn(f"S3 PutObject Bucket={bucket} Key=version/beta Body=v2", ce("environment", "refresh", "--version", "v2", "--dry-run"))

        ce("environment", "refresh", "--version", "v2", "--yes")
        self.assertEqual(s3.get_object(Bucket=bucket, Key="version/beta")["Body"].read().strip(), b"v2")
        self.assertEqual(boots("blue"), "v2")  # the warm colour's next instance boots the new build: the stated consequence

        ce("environment", "rollback", "--yes")
        self.assertEqual(s3.get_object(Bucket=bucket, Key="version/beta")["Body"].read().strip(), b"v1")
        self.assertEqual((boots("blue"), boots("green")), ("v1", "v1"))
        autoscaling.set_desired_capacity(AutoScalingGroupName=f"{prefix}beta-blue", DesiredCapacity=2)
        self.assertEqual(boots("blue"), "v1")  # a scale-out of the serving colour after the rollback boots its build
        status = json.loads(ce("environment", "status", "--output", "json"))
        self.assertEqual(status["bootObject"], {"object": f"s3://{bucket}/version/beta", "build": "v1"})
        self.assertFalse(status["drift"], status["driftReasons"])

        # Changed by hand (the old release tooling): drift, refused by a deploy, put back by recover.
        s3.put_object(Bucket=bucket, Key="version/beta", Body=b"v7")
        drift = ce("environment", "status", code=1)
        self.assertIn(f"s3://{bucket}/version/beta names v7 but blue serves v1", drift)
        ce("environment", "refresh", "--version", "v3", "--yes", code=2)
        ce("environment", "recover", "--yes")
        self.assertEqual(s3.get_object(Bucket=bucket, Key="version/beta")["Body"].read().strip(), b"v1")


if __name__ == "__main__":
    unittest.main()
