#!/usr/bin/env python3
"""Builds Compiler Explorer's AWS layout in a moto server and prints its resource ids as JSON.

    python3 scripts/moto_layout.py --endpoint http://127.0.0.1:PORT [--prefix t1-] [--envs prod,beta,staging] [--crowded]
                                   [--instances beta [--drain 20]]

Layout (names get the optional prefix, so that tests can share one moto server), as on the real GccExplorerApp:
  load balancer {prefix}GccExplorerApp with HTTP :80 and HTTPS :443 listeners (certificate from moto's ACM); both
  default actions forward to {prefix}Prod-Blue; on :443 one rule per other environment, path /{env}*, at the real
  priorities (beta 101, staging 111, gpu 121, wintest 151, winstaging 161, winprod 171, aarch64prod 181,
  aarch64staging 191; others from 201), forwarding to {prefix}{Env}-Blue; target groups {prefix}{Env}-Blue and -Green
  with /healthcheck checks; Auto Scaling groups {prefix}{env}-blue / -green attached to their target groups (blue at
  the live floor, max(1, minimum): 2 for prod, gpu, winprod, aarch64prod; green at 0); SSM parameters under
  /{prefix}compiler-explorer/{env}/.

--crowded adds what a real load balancer carries besides the environments: other services' rules (/api/status, a
host-header rule, a host redirect, the router's paths, a rule with method, query-string and source-ip conditions),
a fixed response, a rule sharing /beta* but with a host condition that forwards to another service, preview rules
for every environment (its conditions plus X-Deployment-Color: blue|green, forwarding to that colour), staging's
rule authenticating (Cognito) before a sticky weighted forward, and prod's :443 default authenticating (OIDC) before
a sticky forward.
--instances ENV[,ENV] lays those environments out for instance switching, as the design document's current
architecture: one target group {prefix}{Env}, the serving route forwarding to it, {env}-blue attached to it and
{env}-green not (no preview rules for them).
Only talks to the given endpoint, which must be on 127.0.0.1.
"""
import argparse
import json
import sys
from urllib.parse import urlparse

import boto3

MINIMUM = {"prod": 2, "gpu": 2, "winprod": 2, "aarch64prod": 2}
PRIORITY = {"beta": 101, "staging": 111, "gpu": 121, "wintest": 151, "winstaging": 161, "winprod": 171,
            "aarch64prod": 181, "aarch64staging": 191}
HEADER = "X-Deployment-Color"


def forward(tg, order=None, sticky=None):
    action = {"Type": "forward"}
    if sticky:
        action["ForwardConfig"] = {"TargetGroups": [{"TargetGroupArn": tg, "Weight": 1}],
                                   "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": sticky}}
    else:
        action["TargetGroupArn"] = tg
    if order:
        action["Order"] = order
    return action


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--envs", default="prod,beta,staging")
    parser.add_argument("--version", default="v1")
    parser.add_argument("--crowded", action="store_true")
    parser.add_argument("--instances", default="")
    parser.add_argument("--drain", type=int, default=20, help="deregistration delay of the --instances groups (s)")
    args = parser.parse_args()
    out = build(args.endpoint, prefix=args.prefix, envs=[e for e in args.envs.split(",") if e], version=args.version,
                crowded=args.crowded, instances=[e for e in args.instances.split(",") if e], drain=args.drain)
    json.dump(out, sys.stdout)


def build(endpoint, prefix="", envs=("prod", "beta", "staging"), version="v1", crowded=False, instances=(), drain=20):
    """Builds the layout on `endpoint` (a moto server on 127.0.0.1) and returns its resource ids."""
    host = urlparse(endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing to build a layout on {host}: only a local moto server is allowed")

    class Args:
        pass
    args = Args()
    args.endpoint, args.prefix, args.version, args.crowded = endpoint, prefix, version, crowded
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    client = lambda name: session.client(name, endpoint_url=args.endpoint)
    ec2, elb, asg, ssm, acm = client("ec2"), client("elbv2"), client("autoscaling"), client("ssm"), client("acm")
    p = args.prefix
    envs = list(envs)

    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    lb = elb.create_load_balancer(Name=f"{p}GccExplorerApp", Subnets=subnets, Type="application")["LoadBalancers"][0]
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{p}ce-template",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
    )["LaunchTemplate"]["LaunchTemplateId"]

    out = {"prefix": p, "vpcId": vpc, "loadBalancerArn": lb["LoadBalancerArn"], "launchTemplateId": template,
           "environments": {}, "otherTargetGroups": {}, "otherRules": {}}

    def target_group(name, delay=20):
        tg = elb.create_target_group(
            Name=name, Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckPath="/healthcheck",
            HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=8, HealthyThresholdCount=2,
            UnhealthyThresholdCount=3, TargetType="instance",
        )["TargetGroups"][0]["TargetGroupArn"]
        elb.modify_target_group_attributes(
            TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
        return tg

    groups = {(env, color): target_group(f"{p}{env.capitalize()}-{color.capitalize()}")
              for env in envs for color in ("blue", "green") if env not in instances}
    for env in envs:
        if env in instances:
            shared = target_group(f"{p}{env.capitalize()}", delay=drain)
            groups[(env, "blue")] = groups[(env, "green")] = shared

    cert = acm.request_certificate(DomainName="compiler-explorer.example")["CertificateArn"]
    default_env = "prod" if "prod" in envs else envs[0]
    listeners = {}
    for port, proto in ((80, "HTTP"), (443, "HTTPS")):
        kwargs = {"Certificates": [{"CertificateArn": cert}]} if proto == "HTTPS" else {}
        actions = [forward(groups[(default_env, "blue")])]
        if args.crowded and port == 443 and default_env == "prod":
            actions = [
                {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {
                    "Issuer": "https://idp.example", "AuthorizationEndpoint": "https://idp.example/authorize",
                    "TokenEndpoint": "https://idp.example/token", "UserInfoEndpoint": "https://idp.example/userinfo",
                    "ClientId": "compiler-explorer", "ClientSecret": "not-a-real-secret-0000",
                    "SessionTimeout": 3600, "Scope": "openid", "OnUnauthenticatedRequest": "allow",
                    "AuthenticationRequestExtraParams": {"prompt": "none"}}},
                forward(groups[(default_env, "blue")], order=2, sticky=600),
            ]
        listeners[port] = elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol=proto, Port=port, DefaultActions=actions, **kwargs,
        )["Listeners"][0]["ListenerArn"]
    out["listenerArns"] = {str(k): v for k, v in listeners.items()}

    def rule(priority, conditions, actions, port=443):
        return elb.create_rule(ListenerArn=listeners[port], Priority=priority, Conditions=conditions,
                               Actions=actions)["Rules"][0]["RuleArn"]

    next_priority = 201
    for env in envs:
        info = {"targetGroups": {c: groups[(env, c)] for c in ("blue", "green")}, "rules": {}, "previews": {}}
        path = [{"Field": "path-pattern", "PathPatternConfig": {"Values": [f"/{env}*"]}}]
        if env != "prod":
            priority = PRIORITY.get(env)
            if priority is None:
                priority, next_priority = next_priority, next_priority + 10
            actions = [forward(groups[(env, "blue")])]
            if args.crowded and env == "staging":
                actions = [
                    {"Type": "authenticate-cognito", "Order": 1, "AuthenticateCognitoConfig": {
                        "UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ce",
                        "UserPoolClientId": "ce-staff", "UserPoolDomain": "ce-staff",
                        "OnUnauthenticatedRequest": "authenticate"}},
                    forward(groups[(env, "blue")], order=2, sticky=300),
                ]
            info["rules"]["443"] = rule(priority, path, actions)
        else:
            priority, path = 992, []
        if args.crowded and env not in instances:
            for offset, color in enumerate(("blue", "green")):
                header = {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": HEADER, "Values": [color]}}
                info["previews"][color] = rule(priority - 2 + offset, path + [header], [forward(groups[(env, color)])])
        minimum = MINIMUM.get(env, 0)
        floor = max(1, minimum)
        for color in ("blue", "green"):
            asg.create_auto_scaling_group(
                AutoScalingGroupName=f"{p}{env}-{color}", MinSize=floor if color == "blue" else 0, MaxSize=24,
                DesiredCapacity=floor if color == "blue" else 0,
                LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
                TargetGroupARNs=[] if env in instances and color == "green" else [groups[(env, color)]],
                AvailabilityZones=["us-east-1a", "us-east-1b"],
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

    if args.crowded:
        others = {name: target_group(f"{p}{name}") for name in ("CE-Status", "CE-Lambda", "CE-Router", "Internal-Beta")}
        out["otherTargetGroups"] = others
        o = out["otherRules"]
        o["api-status"] = rule(40, [{"Field": "path-pattern", "Values": ["/api/status"]}], [forward(others["CE-Status"])])
        o["lambda-host"] = rule(50, [{"Field": "host-header", "HostHeaderConfig": {"Values": ["lambda.compiler-explorer.com"]}}],
                                [forward(others["CE-Lambda"])])
        o["www-redirect"] = rule(60, [{"Field": "host-header", "Values": ["www.compiler-explorer.com"]}],
                                 [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                                          "Host": "compiler-explorer.com", "StatusCode": "HTTP_301"}}])
        for offset, path in enumerate(("/router/*", "/router-api/*", "/router-ws/*")):
            o[f"router-{offset}"] = rule(70 + offset, [{"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}}],
                                         [forward(others["CE-Router"])])
        o["maintenance"] = rule(80, [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/maintenance*"]}}],
                                [{"Type": "fixed-response", "FixedResponseConfig": {
                                    "StatusCode": "503", "ContentType": "text/plain", "MessageBody": "maintenance"}}])
        o["internal-api"] = rule(85, [
            {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/internal/*"]}},
            {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["POST"]}},
            {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "token", "Value": "*"}, {"Value": "debug"}]}},
            {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}},
        ], [forward(others["CE-Lambda"])])
        if "beta" in envs:
            o["beta-internal"] = rule(95, [
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/beta*"]}},
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["beta.internal.example"]}},
            ], [forward(others["Internal-Beta"])])
        o["http-beta-redirect"] = rule(5, [{"Field": "path-pattern", "Values": ["/old-beta*"]}],
                                       [{"Type": "redirect", "RedirectConfig": {"Path": "/beta", "StatusCode": "HTTP_302"}}], port=80)
    return out


if __name__ == "__main__":
    main()
