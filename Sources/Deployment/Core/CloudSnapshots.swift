/// What the domain reads of the load balancer, the Auto Scaling groups and the parameters: plain values, no AWS
/// types, so the simulator and the AWS adapter produce the same thing.

public struct TargetGroupSnapshot: Sendable, Equatable {
    public var name: String
    public var arn: String
    public var healthCheckPath: String?
    public var healthCheckPort: String?
    public var loadBalancerArns: [String]
    public init(name: String, arn: String, healthCheckPath: String?, healthCheckPort: String?, loadBalancerArns: [String]) {
        self.name = name
        self.arn = arn
        self.healthCheckPath = healthCheckPath
        self.healthCheckPort = healthCheckPort
        self.loadBalancerArns = loadBalancerArns
    }
}

public struct TargetSnapshot: Sendable, Equatable {
    public var id: String
    public var state: TargetHealthState
    public var reason: String?
    public init(id: String, state: TargetHealthState, reason: String?) {
        self.id = id
        self.state = state
        self.reason = reason
    }
}

public struct ScalingGroupSnapshot: Sendable, Equatable {
    public struct Instance: Sendable, Equatable {
        public var id: String
        public var lifecycleState: LifecycleState
        public var healthStatus: String
        public init(id: String, lifecycleState: LifecycleState, healthStatus: String) {
            self.id = id
            self.lifecycleState = lifecycleState
            self.healthStatus = healthStatus
        }
    }
    public var name: String
    public var minSize: Int
    public var desiredCapacity: Int
    public var maxSize: Int
    public var instances: [Instance]
    public var targetGroupArns: [String]
    public var tags: [String: String]
    public init(
        name: String, minSize: Int, desiredCapacity: Int, maxSize: Int, instances: [Instance], targetGroupArns: [String],
        tags: [String: String]
    ) {
        self.name = name
        self.minSize = minSize
        self.desiredCapacity = desiredCapacity
        self.maxSize = maxSize
        self.instances = instances
        self.targetGroupArns = targetGroupArns
        self.tags = tags
    }
}

/// Reads the load balancer side.
public protocol LoadBalancerReader: Sendable {
    /// `nil` when no load balancer has that name.
    func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes?
    /// The groups found, by name; missing names are absent.
    func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot]
    func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot]
    /// These routes as they are now (listeners' default actions by listener, rules by ARN), in one round of calls;
    /// a route that no longer exists is absent. The read-back after a change.
    func reread(_ routes: [Route]) async throws -> [Route]
    /// The group's deregistration delay (`deregistration_delay.timeout_seconds`): how long a deregistered target
    /// drains.
    func deregistrationDelaySeconds(targetGroupArn: String) async throws -> Int
}

extension LoadBalancerReader {
    public func deregistrationDelaySeconds(targetGroupArn: String) async throws -> Int {
        throw DeploymentError.unsupported("this load balancer reader cannot read target group attributes")
    }
}

/// Reads Auto Scaling groups.
public protocol ScalingGroupReader: Sendable {
    /// The groups found, by name; missing names are absent.
    func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot]
    /// Every group of the account and region (`ce init` looks for the ones behind a load balancer's target groups).
    func allGroups() async throws -> [ScalingGroupSnapshot]
}

extension ScalingGroupReader {
    public func allGroups() async throws -> [ScalingGroupSnapshot] {
        throw DeploymentError.unsupported("this Auto Scaling reader cannot list every group")
    }
}

/// Reads SSM parameters.
public protocol ParameterReader: Sendable {
    /// The values found, by name; missing names are absent.
    func values(names: [String]) async throws -> [String: String]
}
