#!/usr/bin/env python3
"""Builds the design document's AWS layout in a moto server and prints its resource ids as JSON.

    python3 scripts/moto_layout.py --endpoint http://127.0.0.1:PORT [--prefix t1-] [--envs prod,beta,staging]

Layout (names get the optional prefix, so that tests can share one moto server):
  load balancer {prefix}GccExplorerApp with HTTP :80 and HTTPS :443 listeners (certificate from moto's ACM);
  both default actions forward to {prefix}Prod-Blue; one rule per other environment, path /{env}*, forwarding
  to {prefix}{Env}-Blue; target groups {prefix}{Env}-Blue and -Green with /healthcheck checks; Auto Scaling groups
  {prefix}{env}-blue / -green attached to their target groups (blue at the environment's minimum, at least 1;
  green at 0); SSM parameters under /{prefix}compiler-explorer/{env}/.
Only talks to the given endpoint, which must be on 127.0.0.1.
"""
import argparse
import json
import sys
from urllib.parse import urlparse

import boto3

MINIMUM = {"prod": 2}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--envs", default="prod,beta,staging")
    parser.add_argument("--version", default="v1")
    args = parser.parse_args()
    host = urlparse(args.endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing to build a layout on {host}: only a local moto server is allowed")

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    client = lambda name: session.client(name, endpoint_url=args.endpoint)
    ec2, elb, asg, ssm, acm = client("ec2"), client("elbv2"), client("autoscaling"), client("ssm"), client("acm")
    p = args.prefix
    envs = [e for e in args.envs.split(",") if e]

    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    lb = elb.create_load_balancer(Name=f"{p}GccExplorerApp", Subnets=subnets, Type="application")["LoadBalancers"][0]
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{p}ce-template",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
    )["LaunchTemplate"]["LaunchTemplateId"]

    out = {"prefix": p, "vpcId": vpc, "loadBalancerArn": lb["LoadBalancerArn"], "launchTemplateId": template,
           "environments": {}}
    groups = {}
    for env in envs:
        for color in ("blue", "green"):
            name = f"{p}{env.capitalize()}-{color.capitalize()}"
            tg = elb.create_target_group(
                Name=name, Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckPath="/healthcheck",
                HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=8, HealthyThresholdCount=2,
                UnhealthyThresholdCount=3, TargetType="instance",
            )["TargetGroups"][0]["TargetGroupArn"]
            elb.modify_target_group_attributes(
                TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "20"}])
            groups[(env, color)] = tg

    cert = acm.request_certificate(DomainName="compiler-explorer.example")["CertificateArn"]
    listeners = {}
    for port, proto in ((80, "HTTP"), (443, "HTTPS")):
        kwargs = {"Certificates": [{"CertificateArn": cert}]} if proto == "HTTPS" else {}
        default_env = "prod" if "prod" in envs else envs[0]
        listeners[port] = elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol=proto, Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": groups[(default_env, "blue")]}], **kwargs,
        )["Listeners"][0]["ListenerArn"]
    out["listenerArns"] = {str(k): v for k, v in listeners.items()}

    for index, env in enumerate(envs):
        info = {"targetGroups": {c: groups[(env, c)] for c in ("blue", "green")}, "rules": {}}
        if env != "prod":
            for port, listener in listeners.items():
                rule = elb.create_rule(
                    ListenerArn=listener, Priority=index + 1,
                    Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": [f"/{env}*"]}}],
                    Actions=[{"Type": "forward", "TargetGroupArn": groups[(env, "blue")]}],
                )["Rules"][0]["RuleArn"]
                info["rules"][str(port)] = rule
        minimum = MINIMUM.get(env, 0)
        for color in ("blue", "green"):
            size = max(1, minimum) if color == "blue" else 0
            asg.create_auto_scaling_group(
                AutoScalingGroupName=f"{p}{env}-{color}", MinSize=minimum if color == "blue" else 0, MaxSize=24,
                DesiredCapacity=size, LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
                TargetGroupARNs=[groups[(env, color)]], AvailabilityZones=["us-east-1a", "us-east-1b"],
                HealthCheckType="ELB", HealthCheckGracePeriod=240,
                Tags=[{"Key": "Environment", "Value": env, "PropagateAtLaunch": True},
                      {"Key": "Color", "Value": color, "PropagateAtLaunch": True}],
            )
        prefix = f"/{p}compiler-explorer/{env}/"
        blue_tg = groups[(env, "blue")]
        for name, value in (("active-color", "blue"), ("active-target-group-arn", blue_tg),
                            ("version", args.version), ("blue/version", args.version), ("green/version", args.version)):
            ssm.put_parameter(Name=prefix + name, Value=value, Type="String", Overwrite=True)
        info["ssmPrefix"] = prefix
        out["environments"][env] = info

    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
