import AWSCore

/// EC2 Auto Scaling: the operations `ce` uses.
public struct AutoScaling: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    typealias Op<I: Encodable & Sendable, O: Decodable & Sendable> = AWSOperation<I, O>
    static func op<I, O>(_ name: String) -> AWSOperation<I, O> { AWSOperation(.autoScaling, name) }

    /// All pages.
    public func describeAutoScalingGroups(_ input: DescribeAutoScalingGroupsInput) async throws -> [AutoScalingGroup] {
        try await client.paginate(
            Self.op("DescribeAutoScalingGroups") as Op<_, DescribeAutoScalingGroupsOutput>, input
        ).flatMap(\.autoScalingGroups)
    }

    /// Changes any of min, max and desired together (AWS validates them as one).
    public func updateAutoScalingGroup(_ input: UpdateAutoScalingGroupInput) async throws {
        _ = try await client.call(Self.op("UpdateAutoScalingGroup") as Op<_, EmptyOutput>, input)
    }

    public func setDesiredCapacity(autoScalingGroupName: String, desiredCapacity: Int, honorCooldown: Bool? = nil)
        async throws
    {
        _ = try await client.call(
            Self.op("SetDesiredCapacity") as Op<_, EmptyOutput>,
            SetDesiredCapacityInput(
                autoScalingGroupName: autoScalingGroupName, desiredCapacity: desiredCapacity, honorCooldown: honorCooldown))
    }

    /// Starts an instance refresh; returns its id.
    public func startInstanceRefresh(_ input: StartInstanceRefreshInput) async throws -> String {
        try await client.call(Self.op("StartInstanceRefresh") as Op<_, InstanceRefreshIdOutput>, input).instanceRefreshId
    }

    /// All pages.
    public func describeInstanceRefreshes(_ input: DescribeInstanceRefreshesInput) async throws -> [InstanceRefresh] {
        try await client.paginate(
            Self.op("DescribeInstanceRefreshes") as Op<_, DescribeInstanceRefreshesOutput>, input
        ).flatMap(\.instanceRefreshes)
    }

    public func cancelInstanceRefresh(autoScalingGroupName: String) async throws -> String {
        try await client.call(
            Self.op("CancelInstanceRefresh") as Op<_, InstanceRefreshIdOutput>,
            GroupNameInput(autoScalingGroupName: autoScalingGroupName)
        ).instanceRefreshId
    }

    public func rollbackInstanceRefresh(autoScalingGroupName: String) async throws -> String {
        try await client.call(
            Self.op("RollbackInstanceRefresh") as Op<_, InstanceRefreshIdOutput>,
            GroupNameInput(autoScalingGroupName: autoScalingGroupName)
        ).instanceRefreshId
    }

    public func attachLoadBalancerTargetGroups(autoScalingGroupName: String, targetGroupARNs: [String]) async throws {
        _ = try await client.call(
            Self.op("AttachLoadBalancerTargetGroups") as Op<_, EmptyOutput>,
            TargetGroupsInput(autoScalingGroupName: autoScalingGroupName, targetGroupARNs: targetGroupARNs))
    }

    public func detachLoadBalancerTargetGroups(autoScalingGroupName: String, targetGroupARNs: [String]) async throws {
        _ = try await client.call(
            Self.op("DetachLoadBalancerTargetGroups") as Op<_, EmptyOutput>,
            TargetGroupsInput(autoScalingGroupName: autoScalingGroupName, targetGroupARNs: targetGroupARNs))
    }

    public func createOrUpdateTags(_ tags: [AutoScalingTag]) async throws {
        _ = try await client.call(Self.op("CreateOrUpdateTags") as Op<_, EmptyOutput>, TagsInput(tags: tags))
    }

    /// Suspends the named processes (all when `nil`), e.g. `AlarmNotification`, `ScheduledActions`, `AZRebalance`.
    public func suspendProcesses(autoScalingGroupName: String, scalingProcesses: [String]? = nil) async throws {
        _ = try await client.call(
            Self.op("SuspendProcesses") as Op<_, EmptyOutput>,
            ProcessesInput(autoScalingGroupName: autoScalingGroupName, scalingProcesses: scalingProcesses))
    }

    public func resumeProcesses(autoScalingGroupName: String, scalingProcesses: [String]? = nil) async throws {
        _ = try await client.call(
            Self.op("ResumeProcesses") as Op<_, EmptyOutput>,
            ProcessesInput(autoScalingGroupName: autoScalingGroupName, scalingProcesses: scalingProcesses))
    }

    /// All pages (up to `maxPages`; activities go back six weeks).
    public func describeScalingActivities(_ input: DescribeScalingActivitiesInput, maxPages: Int = 10) async throws
        -> [ScalingActivity]
    {
        try await client.paginate(
            Self.op("DescribeScalingActivities") as Op<_, DescribeScalingActivitiesOutput>, input, maxPages: maxPages
        ).flatMap(\.activities)
    }
}

// MARK: - Answers

public struct AutoScalingGroup: Decodable, Sendable, Hashable {
    public var autoScalingGroupName: String
    public var autoScalingGroupARN: String?
    public var minSize: Int
    public var maxSize: Int
    public var desiredCapacity: Int
    public var defaultCooldown: Int?
    public var healthCheckType: String?
    public var healthCheckGracePeriod: Int?
    public var status: String?
    @QueryList public var instances: [AutoScalingInstance]
    @QueryList public var targetGroupARNs: [String]
    @QueryList public var tags: [AutoScalingTag]
    @QueryList public var suspendedProcesses: [SuspendedProcess]
    public var launchTemplate: LaunchTemplateSpecification?

    /// The value of one tag.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }
}

public struct AutoScalingInstance: Decodable, Sendable, Hashable {
    public var instanceId: String
    /// `Pending`, `InService`, `Terminating`, `Standby`, … (`Pending:Wait` and the like for lifecycle hooks).
    public var lifecycleState: String
    /// `Healthy` or `Unhealthy`.
    public var healthStatus: String
    public var availabilityZone: String?
    public var instanceType: String?
    public var protectedFromScaleIn: Bool?
    public var launchTemplate: LaunchTemplateSpecification?
}

public struct LaunchTemplateSpecification: Codable, Sendable, Hashable {
    public var launchTemplateId: String?
    public var launchTemplateName: String?
    public var version: String?
}

public struct SuspendedProcess: Decodable, Sendable, Hashable {
    public var processName: String
    public var suspensionReason: String?
}

/// A tag on an Auto Scaling group (in answers and in `CreateOrUpdateTags`).
public struct AutoScalingTag: Codable, Sendable, Hashable {
    public var resourceId: String?
    public var resourceType: String?
    public var key: String
    public var value: String?
    public var propagateAtLaunch: Bool?

    public init(groupName: String, key: String, value: String, propagateAtLaunch: Bool = false) {
        resourceId = groupName
        resourceType = "auto-scaling-group"
        self.key = key
        self.value = value
        self.propagateAtLaunch = propagateAtLaunch
    }
}

public struct InstanceRefresh: Decodable, Sendable, Hashable {
    public var instanceRefreshId: String
    public var autoScalingGroupName: String?
    /// `Pending`, `InProgress`, `Successful`, `Failed`, `Cancelling`, `Cancelled`, `RollbackInProgress`, …
    public var status: String?
    public var statusReason: String?
    public var percentageComplete: Int?
    public var instancesToUpdate: Int?
}

public struct ScalingActivity: Decodable, Sendable, Hashable {
    public var activityId: String
    public var autoScalingGroupName: String?
    public var description: String?
    public var cause: String?
    public var statusCode: String?
    public var statusMessage: String?
    public var progress: Int?
}

// MARK: - Requests and pages

public struct DescribeAutoScalingGroupsInput: NextTokenPaginatedInput {
    public var autoScalingGroupNames: [String]?
    public var filters: [Filter]?
    public var maxRecords: Int?
    public var nextToken: String?

    public struct Filter: Encodable, Sendable {
        public var name: String
        public var values: [String]
        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    public init(autoScalingGroupNames: [String]? = nil, filters: [Filter]? = nil, maxRecords: Int? = nil) {
        self.autoScalingGroupNames = autoScalingGroupNames
        self.filters = filters
        self.maxRecords = maxRecords
    }
}

struct DescribeAutoScalingGroupsOutput: NextTokenPaginatedOutput {
    @QueryList var autoScalingGroups: [AutoScalingGroup]
    var nextToken: String?
}

public struct UpdateAutoScalingGroupInput: Encodable, Sendable {
    public var autoScalingGroupName: String
    public var minSize: Int?
    public var maxSize: Int?
    public var desiredCapacity: Int?
    public var healthCheckGracePeriod: Int?
    public init(
        autoScalingGroupName: String, minSize: Int? = nil, maxSize: Int? = nil, desiredCapacity: Int? = nil,
        healthCheckGracePeriod: Int? = nil
    ) {
        self.autoScalingGroupName = autoScalingGroupName
        self.minSize = minSize
        self.maxSize = maxSize
        self.desiredCapacity = desiredCapacity
        self.healthCheckGracePeriod = healthCheckGracePeriod
    }
}

struct SetDesiredCapacityInput: Encodable, Sendable {
    var autoScalingGroupName: String
    var desiredCapacity: Int
    var honorCooldown: Bool?
}

public struct StartInstanceRefreshInput: Encodable, Sendable {
    public var autoScalingGroupName: String
    public var strategy: String?
    public var preferences: Preferences?

    public struct Preferences: Encodable, Sendable {
        public var minHealthyPercentage: Int?
        /// 100–200, at most `minHealthyPercentage` + 100; above 100 new instances are launched before old ones go.
        public var maxHealthyPercentage: Int?
        public var instanceWarmup: Int?
        public var skipMatching: Bool?
        public var autoRollback: Bool?
        public init(
            minHealthyPercentage: Int? = nil, maxHealthyPercentage: Int? = nil, instanceWarmup: Int? = nil, skipMatching: Bool? = nil,
            autoRollback: Bool? = nil
        ) {
            self.minHealthyPercentage = minHealthyPercentage
            self.maxHealthyPercentage = maxHealthyPercentage
            self.instanceWarmup = instanceWarmup
            self.skipMatching = skipMatching
            self.autoRollback = autoRollback
        }
    }

    public init(autoScalingGroupName: String, strategy: String? = "Rolling", preferences: Preferences? = nil) {
        self.autoScalingGroupName = autoScalingGroupName
        self.strategy = strategy
        self.preferences = preferences
    }
}

struct InstanceRefreshIdOutput: Decodable, Sendable {
    var instanceRefreshId: String
}

public struct DescribeInstanceRefreshesInput: NextTokenPaginatedInput {
    public var autoScalingGroupName: String
    public var instanceRefreshIds: [String]?
    public var maxRecords: Int?
    public var nextToken: String?
    public init(autoScalingGroupName: String, instanceRefreshIds: [String]? = nil) {
        self.autoScalingGroupName = autoScalingGroupName
        self.instanceRefreshIds = instanceRefreshIds
    }
}

struct DescribeInstanceRefreshesOutput: NextTokenPaginatedOutput {
    @QueryList var instanceRefreshes: [InstanceRefresh]
    var nextToken: String?
}

struct GroupNameInput: Encodable, Sendable {
    var autoScalingGroupName: String
}

struct TargetGroupsInput: Encodable, Sendable {
    var autoScalingGroupName: String
    var targetGroupARNs: [String]
}

struct TagsInput: Encodable, Sendable {
    var tags: [AutoScalingTag]
}

struct ProcessesInput: Encodable, Sendable {
    var autoScalingGroupName: String
    var scalingProcesses: [String]?
}

public struct DescribeScalingActivitiesInput: NextTokenPaginatedInput {
    public var autoScalingGroupName: String?
    public var maxRecords: Int?
    public var nextToken: String?
    public init(autoScalingGroupName: String?, maxRecords: Int? = nil) {
        self.autoScalingGroupName = autoScalingGroupName
        self.maxRecords = maxRecords
    }
}

struct DescribeScalingActivitiesOutput: NextTokenPaginatedOutput {
    @QueryList var activities: [ScalingActivity]
    var nextToken: String?
}
