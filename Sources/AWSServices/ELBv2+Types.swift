import AWSCore
import Foundation

// MARK: - Shapes shared by requests and answers

public struct TargetDescription: Codable, Sendable, Hashable {
    public var id: String
    public var port: Int?
    public var availabilityZone: String?
    public init(id: String, port: Int? = nil, availabilityZone: String? = nil) {
        self.id = id
        self.port = port
        self.availabilityZone = availabilityZone
    }
}

public struct Tag: Codable, Sendable, Hashable {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

// MARK: - Answers

public struct LoadBalancer: Decodable, Sendable, Hashable {
    public var loadBalancerArn: String
    public var loadBalancerName: String
    public var dnsName: String?
    public var scheme: String?
    public var vpcId: String?
    public var type: String?
    public var state: State?
    public struct State: Decodable, Sendable, Hashable {
        public var code: String?
        public var reason: String?
    }

    enum CodingKeys: String, CodingKey {
        case loadBalancerArn, loadBalancerName, dnsName = "dNSName", scheme, vpcId, type, state
    }
}

public struct Listener: Decodable, Sendable, Hashable {
    public var listenerArn: String
    public var loadBalancerArn: String?
    public var port: Int?
    public var protocol_: String?
    @QueryList public var defaultActions: [Action]

    enum CodingKeys: String, CodingKey {
        case listenerArn, loadBalancerArn, port, protocol_ = "protocol", defaultActions
    }
}

public struct Rule: Decodable, Sendable, Hashable {
    public var ruleArn: String
    /// A number as text, or `default` for the listener's default rule.
    public var priority: String?
    @QueryList public var conditions: [RuleCondition]
    @QueryList public var actions: [Action]
    public var isDefault: Bool?
}

public struct TargetGroup: Decodable, Sendable, Hashable {
    public var targetGroupArn: String
    public var targetGroupName: String
    public var protocol_: String?
    public var port: Int?
    public var vpcId: String?
    public var targetType: String?
    public var healthCheckProtocol: String?
    public var healthCheckPort: String?
    public var healthCheckEnabled: Bool?
    public var healthCheckIntervalSeconds: Int?
    public var healthCheckTimeoutSeconds: Int?
    public var healthyThresholdCount: Int?
    public var unhealthyThresholdCount: Int?
    public var healthCheckPath: String?
    public var matcher: Matcher?
    @QueryList public var loadBalancerArns: [String]

    public struct Matcher: Decodable, Sendable, Hashable {
        public var httpCode: String?
    }

    enum CodingKeys: String, CodingKey {
        case targetGroupArn, targetGroupName, protocol_ = "protocol", port, vpcId, targetType, healthCheckProtocol,
            healthCheckPort, healthCheckEnabled, healthCheckIntervalSeconds, healthCheckTimeoutSeconds,
            healthyThresholdCount, unhealthyThresholdCount, healthCheckPath, matcher, loadBalancerArns
    }
}

public struct Attribute: Decodable, Sendable, Hashable {
    public var key: String
    public var value: String?
}

public struct TargetHealthDescription: Decodable, Sendable, Hashable {
    public var target: TargetDescription
    public var healthCheckPort: String?
    public var targetHealth: TargetHealth
}

public struct TargetHealth: Decodable, Sendable, Hashable {
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    public var state: String?
    /// e.g. `Target.NotInUse`, `Target.ResponseCodeMismatch`.
    public var reason: String?
    public var description: String?
}

public struct TagDescription: Decodable, Sendable, Hashable {
    public var resourceArn: String
    @QueryList public var tags: [Tag]
}

// MARK: - Requests and pages

public struct DescribeLoadBalancersInput: MarkerPaginatedInput {
    public var loadBalancerArns: [String]?
    public var names: [String]?
    public var marker: String?
    public var pageSize: Int?
    public init(loadBalancerArns: [String]? = nil, names: [String]? = nil, pageSize: Int? = nil) {
        self.loadBalancerArns = loadBalancerArns
        self.names = names
        self.pageSize = pageSize
    }
}

struct DescribeLoadBalancersOutput: NextMarkerPaginatedOutput {
    @QueryList var loadBalancers: [LoadBalancer]
    var nextMarker: String?
}

public struct DescribeListenersInput: MarkerPaginatedInput {
    public var loadBalancerArn: String?
    public var listenerArns: [String]?
    public var marker: String?
    public var pageSize: Int?
    public init(loadBalancerArn: String? = nil, listenerArns: [String]? = nil, pageSize: Int? = nil) {
        self.loadBalancerArn = loadBalancerArn
        self.listenerArns = listenerArns
        self.pageSize = pageSize
    }
}

struct DescribeListenersOutput: NextMarkerPaginatedOutput {
    @QueryList var listeners: [Listener]
    var nextMarker: String?
}

public struct DescribeRulesInput: MarkerPaginatedInput {
    public var listenerArn: String?
    public var ruleArns: [String]?
    public var marker: String?
    public var pageSize: Int?
    public init(listenerArn: String? = nil, ruleArns: [String]? = nil, pageSize: Int? = nil) {
        self.listenerArn = listenerArn
        self.ruleArns = ruleArns
        self.pageSize = pageSize
    }
}

struct DescribeRulesOutput: NextMarkerPaginatedOutput {
    @QueryList var rules: [Rule]
    var nextMarker: String?
}

public struct DescribeTargetGroupsInput: MarkerPaginatedInput {
    public var loadBalancerArn: String?
    public var targetGroupArns: [String]?
    public var names: [String]?
    public var marker: String?
    public var pageSize: Int?
    public init(
        loadBalancerArn: String? = nil, targetGroupArns: [String]? = nil, names: [String]? = nil, pageSize: Int? = nil
    ) {
        self.loadBalancerArn = loadBalancerArn
        self.targetGroupArns = targetGroupArns
        self.names = names
        self.pageSize = pageSize
    }
}

struct DescribeTargetGroupsOutput: NextMarkerPaginatedOutput {
    @QueryList var targetGroups: [TargetGroup]
    var nextMarker: String?
}

struct DescribeTargetGroupAttributesInput: Encodable, Sendable {
    var targetGroupArn: String
}

struct DescribeTargetGroupAttributesOutput: Decodable, Sendable {
    @QueryList var attributes: [Attribute]
}

struct DescribeTargetHealthInput: Encodable, Sendable {
    var targetGroupArn: String
    var targets: [TargetDescription]?
}

struct DescribeTargetHealthOutput: Decodable, Sendable {
    @QueryList var targetHealthDescriptions: [TargetHealthDescription]
}

struct DescribeTagsInput: Encodable, Sendable {
    var resourceArns: [String]
}

struct DescribeTagsOutput: Decodable, Sendable {
    @QueryList var tagDescriptions: [TagDescription]
}

public struct ModifyListenerInput: Encodable, Sendable {
    public var listenerArn: String
    public var defaultActions: [Action]
    public init(listenerArn: String, defaultActions: [Action]) {
        self.listenerArn = listenerArn
        self.defaultActions = defaultActions
    }
}

struct ModifyListenerOutput: Decodable, Sendable {
    @QueryList var listeners: [Listener]
}

public struct ModifyRuleInput: Encodable, Sendable {
    public var ruleArn: String
    public var conditions: [RuleCondition]?
    public var actions: [Action]?
    public init(ruleArn: String, conditions: [RuleCondition]? = nil, actions: [Action]? = nil) {
        self.ruleArn = ruleArn
        self.conditions = conditions
        self.actions = actions
    }
}

struct ModifyRuleOutput: Decodable, Sendable {
    @QueryList var rules: [Rule]
}

public struct CreateRuleInput: Encodable, Sendable {
    public var listenerArn: String
    public var conditions: [RuleCondition]
    public var priority: Int
    public var actions: [Action]
    public init(listenerArn: String, conditions: [RuleCondition], priority: Int, actions: [Action]) {
        self.listenerArn = listenerArn
        self.conditions = conditions
        self.priority = priority
        self.actions = actions
    }
}

struct CreateRuleOutput: Decodable, Sendable {
    @QueryList var rules: [Rule]
}

struct DeleteRuleInput: Encodable, Sendable {
    var ruleArn: String
}

struct TargetsInput: Encodable, Sendable {
    var targetGroupArn: String
    var targets: [TargetDescription]
}
