import Deployment
import Foundation

/// The IAM policy `ce` needs for some environments: exactly the actions it may call (`IAMPolicyTests` proves the set
/// equals the AWS operations ce's code sends), with resources scoped to the environments' load balancers, target
/// groups, Auto Scaling groups and SSM parameter paths where IAM allows resource-level permissions, and to `*` where
/// it does not (the Describe calls).
public struct IAMPolicy: Encodable, Sendable {
    /// One statement: `Allow` these actions on these resources.
    public struct Grant: Encodable, Sendable {
        public var sid: String
        public var effect = "Allow"
        public var actions: [String]
        public var resources: [String]
        /// Condition operator → key → values (`StringEquals` → `cloudwatch:namespace` → […]).
        public var condition: [String: [String: [String]]]?

        init(_ sid: String, _ actions: [String], _ resources: [String], condition: [String: [String: [String]]]? = nil) {
            (self.sid, self.actions, self.resources, self.condition) = (sid, actions, resources, condition)
        }

        enum CodingKeys: String, CodingKey { case sid = "Sid", effect = "Effect", actions = "Action", resources = "Resource", condition = "Condition" }
    }

    public var version = "2012-10-17"
    public var statements: [Grant]

    enum CodingKeys: String, CodingKey { case version = "Version", statements = "Statement" }

    /// Reads that IAM only grants on `*`.
    public static let reads = [
        "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "ec2:DescribeInstances",
        "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
        "sts:GetCallerIdentity",
    ]
    /// Moving traffic: the load balancers' listeners and rules.
    public static let routeChanges = ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"]
    /// Instance switching: the environments' target groups.
    public static let targetChanges = ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"]
    /// Sizes, instance refreshes, attachments: the environments' Auto Scaling groups.
    public static let groupChanges = [
        "autoscaling:AttachLoadBalancerTargetGroups", "autoscaling:DetachLoadBalancerTargetGroups", "autoscaling:StartInstanceRefresh",
        "autoscaling:UpdateAutoScalingGroup",
    ]
    /// The contract's parameters, the journal, the lock: the environments' SSM paths.
    public static let parameterActions = [
        "ssm:DeleteParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:PutParameter",
    ]
    /// `builds: s3://…`: the objects naming the builds (read, written, their versions listed by `builds list`).
    public static let buildObjectActions = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    public static let buildBucketActions = ["s3:GetBucketVersioning", "s3:ListBucket", "s3:ListBucketVersions"]
    /// Granted though ce sends no operation of that name: S3 answers a GetObject of a missing key with 404
    /// `NoSuchKey` only to a caller allowed to list the bucket, and with 403 `AccessDenied` to anyone else — so
    /// without it an unset build would read as a permissions problem.
    public static let impliedActions = ["s3:ListBucket"]
    /// `metricsNamespace`: ce's own metrics (granted on `*`, held to the configured namespaces by a condition).
    public static let metricActions = ["cloudwatch:PutMetricData"]
    /// Called with a profile's source credentials to take its `role_arn` — granted to that source identity, not in
    /// this policy (which belongs to the role `ce` then acts as).
    public static let sourceIdentityActions = ["sts:AssumeRole"]

    /// Every action of the policy.
    public static var actions: Set<String> { Set(reads + routeChanges + targetChanges + groupChanges + parameterActions + metricActions + buildObjectActions + buildBucketActions) }

    /// The policy for `environments`, in `region` and `account` (`*` when not given).
    public static func make(environments: [EnvironmentConfiguration], region: String?, account: String?) -> IAMPolicy {
        let region = region ?? "*"
        let account = account ?? "*"
        func elb(_ resource: String) -> String { "arn:aws:elasticloadbalancing:\(region):\(account):\(resource)" }
        let balancers = Set(environments.map(\.loadBalancerName)).sorted()
        let targetGroups = Set(environments.flatMap { [$0.targetGroupNames.blue, $0.targetGroupNames.green] }).sorted()
        let groups = Set(environments.flatMap { [$0.autoScalingGroupNames.blue, $0.autoScalingGroupNames.green] }).sorted()
        // SSM parameter ARNs name the parameter without its leading slash.
        let prefixes = Set(environments.map { String($0.ssmPrefix.drop { $0 == "/" }) }).sorted()
        let namespaces = Set(environments.compactMap(\.metricsNamespace)).sorted()
        var buckets: [String: Set<String>] = [:]
        for environment in environments {
            if let object = environment.parameters.bootObject, let (bucket, key) = BuildStore.s3Object(object) {
                // One object per environment, both colours' instances boot it: exactly that key.
                buckets[bucket, default: []].insert(key)
                continue
            }
            guard case .s3(let bucket, let pattern) = environment.builds else { continue }
            // The objects: the pattern up to its first placeholder not known here ({color} is the colour or `current`).
            let expanded = pattern.replacingOccurrences(of: "{env}", with: environment.name)
            buckets[bucket, default: []].insert(String(expanded.prefix { $0 != "{" }) + "*")
        }
        return IAMPolicy(statements: [
            Grant("ReadTheEnvironments", reads, ["*"]),
            Grant("MoveTraffic", routeChanges, balancers.flatMap { [elb("listener/app/\($0)/*"), elb("listener-rule/app/\($0)/*")] }),
            Grant("SwitchInstances", targetChanges, targetGroups.map { elb("targetgroup/\($0)/*") }),
            Grant("SizeTheColours", groupChanges, groups.map { "arn:aws:autoscaling:\(region):\(account):autoScalingGroup:*:autoScalingGroupName/\($0)" }),
            Grant("ContractJournalAndLock", parameterActions, prefixes.map { "arn:aws:ssm:\(region):\(account):parameter/\($0)*" }),
        ] + (namespaces.isEmpty ? [] : [
            Grant("PublishDeployMetrics", metricActions, ["*"], condition: ["StringEquals": ["cloudwatch:namespace": namespaces]]),
        ]) + (buckets.isEmpty ? [] : [
            Grant("BuildObjects", buildObjectActions, buckets.keys.sorted().flatMap { bucket in buckets[bucket]!.sorted().map { "arn:aws:s3:::\(bucket)/\($0)" } }),
            Grant("BuildBuckets", buildBucketActions, buckets.keys.sorted().map { "arn:aws:s3:::\($0)" }),
        ]))
    }
}
