/// What the domain reads of the load balancer, the Auto Scaling groups and the parameters: plain values, no AWS
/// types, so the simulator and the AWS adapter produce the same thing.

/// One place that forwards traffic: a listener's default action or a listener rule.
public struct ForwardRoute: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case listenerDefault, rule }
    public var kind: Kind
    /// The listener ARN (default action) or the rule ARN.
    public var arn: String
    public var listenerPort: Int?
    public var priority: String?
    public var pathPatterns: [String]
    /// Target group ARN → weight, for the forward action (a plain forward is weight 1).
    public var weights: [String: Int]

    public init(kind: Kind, arn: String, listenerPort: Int?, priority: String? = nil, pathPatterns: [String] = [], weights: [String: Int]) {
        self.kind = kind
        self.arn = arn
        self.listenerPort = listenerPort
        self.priority = priority
        self.pathPatterns = pathPatterns
        self.weights = weights
    }

    /// Whether all of this route's traffic goes to `targetGroupArn`.
    public func forwardsOnly(to targetGroupArn: String) -> Bool {
        weights.filter { $0.value > 0 }.keys.sorted() == [targetGroupArn]
    }

    /// "listener :443" or "rule 3 on :80".
    public var label: String {
        let port = listenerPort.map { ":\($0)" } ?? "?"
        return kind == .listenerDefault ? "listener \(port) default" : "rule \(priority ?? "?") on \(port)"
    }
}

/// The load balancer's routes: every listener's default action and every rule.
public struct LoadBalancerRoutes: Sendable, Equatable {
    public var loadBalancerArn: String
    public var routes: [ForwardRoute]
    public init(loadBalancerArn: String, routes: [ForwardRoute]) {
        self.loadBalancerArn = loadBalancerArn
        self.routes = routes
    }

    /// The routes that carry `environment`'s traffic.
    public func routes(for environment: EnvironmentConfiguration) -> [ForwardRoute] {
        switch environment.routing {
        case .listenerDefault: return routes.filter { $0.kind == .listenerDefault }
        case .pathPattern(let pattern): return routes.filter { $0.kind == .rule && $0.pathPatterns.contains(pattern) }
        }
    }
}

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
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    public var state: String
    public var reason: String?
    public init(id: String, state: String, reason: String?) {
        self.id = id
        self.state = state
        self.reason = reason
    }
}

public struct ScalingGroupSnapshot: Sendable, Equatable {
    public struct Instance: Sendable, Equatable {
        public var id: String
        public var lifecycleState: String
        public var healthStatus: String
        public init(id: String, lifecycleState: String, healthStatus: String) {
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
}

/// Reads Auto Scaling groups.
public protocol ScalingGroupReader: Sendable {
    /// The groups found, by name; missing names are absent.
    func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot]
}

/// Reads SSM parameters.
public protocol ParameterReader: Sendable {
    /// The values found, by name; missing names are absent.
    func values(names: [String]) async throws -> [String: String]
}
