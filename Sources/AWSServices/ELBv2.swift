import AWSCore

/// Elastic Load Balancing v2 (Application Load Balancers): the operations `ce` uses.
public struct ELBv2: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    typealias Op<I: Encodable & Sendable, O: Decodable & Sendable> = AWSOperation<I, O>
    static func op<I, O>(_ name: String) -> AWSOperation<I, O> { AWSOperation(.elbv2, name) }

    /// All pages.
    public func describeLoadBalancers(_ input: DescribeLoadBalancersInput) async throws -> [LoadBalancer] {
        try await client.paginate(Self.op("DescribeLoadBalancers") as Op<_, DescribeLoadBalancersOutput>, input)
            .flatMap(\.loadBalancers)
    }

    /// All pages.
    public func describeListeners(_ input: DescribeListenersInput) async throws -> [Listener] {
        try await client.paginate(Self.op("DescribeListeners") as Op<_, DescribeListenersOutput>, input)
            .flatMap(\.listeners)
    }

    /// All pages.
    public func describeRules(_ input: DescribeRulesInput) async throws -> [Rule] {
        try await client.paginate(Self.op("DescribeRules") as Op<_, DescribeRulesOutput>, input).flatMap(\.rules)
    }

    /// All pages.
    public func describeTargetGroups(_ input: DescribeTargetGroupsInput) async throws -> [TargetGroup] {
        try await client.paginate(Self.op("DescribeTargetGroups") as Op<_, DescribeTargetGroupsOutput>, input)
            .flatMap(\.targetGroups)
    }

    public func describeTargetGroupAttributes(targetGroupArn: String) async throws -> [Attribute] {
        try await client.call(
            Self.op("DescribeTargetGroupAttributes") as Op<_, DescribeTargetGroupAttributesOutput>,
            DescribeTargetGroupAttributesInput(targetGroupArn: targetGroupArn)
        ).attributes
    }

    public func describeTargetHealth(targetGroupArn: String, targets: [TargetDescription]? = nil) async throws
        -> [TargetHealthDescription]
    {
        try await client.call(
            Self.op("DescribeTargetHealth") as Op<_, DescribeTargetHealthOutput>,
            DescribeTargetHealthInput(targetGroupArn: targetGroupArn, targets: targets)
        ).targetHealthDescriptions
    }

    /// Tags of up to 20 resources per call; more are split into several calls.
    public func describeTags(resourceArns: [String]) async throws -> [TagDescription] {
        var result: [TagDescription] = []
        for start in stride(from: 0, to: resourceArns.count, by: 20) {
            let batch = Array(resourceArns[start..<min(start + 20, resourceArns.count)])
            result += try await client.call(
                Self.op("DescribeTags") as Op<_, DescribeTagsOutput>, DescribeTagsInput(resourceArns: batch)
            ).tagDescriptions
        }
        return result
    }

    /// Replaces the listener's default actions.
    public func modifyListener(_ input: ModifyListenerInput) async throws -> [Listener] {
        try await client.call(Self.op("ModifyListener") as Op<_, ModifyListenerOutput>, input).listeners
    }

    /// Replaces the rule's actions and/or conditions.
    public func modifyRule(_ input: ModifyRuleInput) async throws -> [Rule] {
        try await client.call(Self.op("ModifyRule") as Op<_, ModifyRuleOutput>, input).rules
    }

    public func createRule(_ input: CreateRuleInput) async throws -> [Rule] {
        try await client.call(Self.op("CreateRule") as Op<_, CreateRuleOutput>, input).rules
    }

    public func deleteRule(ruleArn: String) async throws {
        _ = try await client.call(Self.op("DeleteRule") as Op<_, EmptyOutput>, DeleteRuleInput(ruleArn: ruleArn))
    }

    /// Registers targets, 20 per call as the API allows.
    public func registerTargets(targetGroupArn: String, targets: [TargetDescription]) async throws {
        for start in stride(from: 0, to: targets.count, by: 20) {
            _ = try await client.call(
                Self.op("RegisterTargets") as Op<_, EmptyOutput>,
                TargetsInput(targetGroupArn: targetGroupArn, targets: Array(targets[start..<min(start + 20, targets.count)])))
        }
    }

    /// Deregisters targets, 20 per call.
    public func deregisterTargets(targetGroupArn: String, targets: [TargetDescription]) async throws {
        for start in stride(from: 0, to: targets.count, by: 20) {
            _ = try await client.call(
                Self.op("DeregisterTargets") as Op<_, EmptyOutput>,
                TargetsInput(targetGroupArn: targetGroupArn, targets: Array(targets[start..<min(start + 20, targets.count)])))
        }
    }
}
