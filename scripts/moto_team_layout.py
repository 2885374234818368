#!/usr/bin/env python3
"""Builds another team's layout in a moto server (not Compiler Explorer's names or routing) and prints its ids as JSON.

    python3 scripts/moto_team_layout.py --endpoint http://127.0.0.1:PORT --prefix t1-

Load balancer {prefix}Shop, one HTTP listener on :80 whose default action is a fixed 404. Host-routed:
  api.shop.example    → {prefix}api-tg-blue (serving); {prefix}api-tg-green idle; Auto Scaling groups
                        {prefix}api-fleet-a (blue, attached to the blue group) and {prefix}api-fleet-b (green, attached
                        to the green group); preview rules: the host plus X-Deployment-Color: blue|green at 8 and 9;
                        SSM /{prefix}shop/api/active-color, active-target-group-arn, version and each colour's.
  www.shop.example    → {prefix}www (one target group, one Auto Scaling group {prefix}www-asg: needs migrating)
  /health*            → a fixed 200 (not an environment)
  query ?debug=1      → {prefix}debug (another service: no group behind it)
Only talks to the given endpoint, which must be on 127.0.0.1.
"""
import argparse
import json
import sys
from urllib.parse import urlparse

import boto3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    if urlparse(args.endpoint).hostname != "127.0.0.1":
        sys.exit("the endpoint must be on 127.0.0.1")
    p = args.prefix

    def client(name):
        return boto3.client(name, endpoint_url=args.endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    ec2, elb, asg, ssm = client("ec2"), client("elbv2"), client("autoscaling"), client("ssm")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    balancer = elb.create_load_balancer(Name=f"{p}Shop", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elb.create_listener(LoadBalancerArn=balancer, Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}])["Listeners"][0]["ListenerArn"]

    def target_group(name):
        return elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckPath="/up")["TargetGroups"][0]["TargetGroupArn"]

    groups = {name: target_group(f"{p}{name}") for name in ("api-tg-blue", "api-tg-green", "www", "debug")}
    image = ec2.describe_images()["Images"][0]["ImageId"]
    template = ec2.create_launch_template(LaunchTemplateName=f"{p}shop", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]

    def fleet(name, target, size, color=None):
        tags = [{"Key": "Team", "Value": "shop", "PropagateAtLaunch": True}]
        if color:
            tags.append({"Key": "Color", "Value": color, "PropagateAtLaunch": True})
        asg.create_auto_scaling_group(
            AutoScalingGroupName=f"{p}{name}", MinSize=size, MaxSize=4, DesiredCapacity=size,
            LaunchTemplate={"LaunchTemplateId": template_id, "Version": "$Latest"}, VPCZoneIdentifier=",".join(subnets),
            TargetGroupARNs=[groups[target]], Tags=tags)

    fleet("api-fleet-a", "api-tg-blue", 1, "blue")
    fleet("api-fleet-b", "api-tg-green", 0, "green")
    fleet("www-asg", "www", 1)

    def rule(priority, conditions, actions):
        return elb.create_rule(ListenerArn=listener, Priority=priority, Conditions=conditions, Actions=actions)["Rules"][0]["RuleArn"]

    def forward(name):
        return [{"Type": "forward", "TargetGroupArn": groups[name]}]

    host = [{"Field": "host-header", "HostHeaderConfig": {"Values": ["api.shop.example"]}}]
    rules = {
        "api-preview-blue": rule(8, host + [{"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Deployment-Color", "Values": ["blue"]}}], forward("api-tg-blue")),
        "api-preview-green": rule(9, host + [{"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Deployment-Color", "Values": ["green"]}}], forward("api-tg-green")),
        "api": rule(10, host, forward("api-tg-blue")),
        "www": rule(20, [{"Field": "host-header", "HostHeaderConfig": {"Values": ["www.shop.example"]}}], forward("www")),
        "health": rule(30, [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/health*"]}}],
                       [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain"}}]),
        "debug": rule(40, [{"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "debug", "Value": "1"}]}}], forward("debug")),
    }
    prefix = f"/{p}shop/api/"
    for name, value in (("active-color", "blue"), ("active-target-group-arn", groups["api-tg-blue"]), ("version", "v1"),
                        ("blue/version", "v1"), ("green/version", "v1")):
        ssm.put_parameter(Name=prefix + name, Value=value, Type="String", Overwrite=True)
    json.dump({"prefix": p, "loadBalancerArn": balancer, "listenerArn": listener, "targetGroups": groups, "rules": rules,
               "ssmPrefix": prefix}, sys.stdout)


if __name__ == "__main__":
    main()
