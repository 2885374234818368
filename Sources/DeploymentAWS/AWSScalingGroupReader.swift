import AWSServices
import Deployment

/// `ScalingGroupReader` on Auto Scaling.
public struct AWSScalingGroupReader: ScalingGroupReader {
    public let autoScaling: AutoScaling

    public init(autoScaling: AutoScaling) {
        self.autoScaling = autoScaling
    }

    public func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot] {
        var result: [String: ScalingGroupSnapshot] = [:]
        for group in try await autoScaling.describeAutoScalingGroups(.init(autoScalingGroupNames: names)) {
            result[group.autoScalingGroupName] = Self.snapshot(group)
        }
        return result
    }

    public func allGroups() async throws -> [ScalingGroupSnapshot] {
        try await autoScaling.describeAutoScalingGroups(.init()).map(Self.snapshot)
    }

    static func snapshot(_ group: AutoScalingGroup) -> ScalingGroupSnapshot {
        ScalingGroupSnapshot(
            name: group.autoScalingGroupName, minSize: group.minSize, desiredCapacity: group.desiredCapacity,
            maxSize: group.maxSize,
            instances: group.instances.map {
                .init(id: $0.instanceId, lifecycleState: .parse($0.lifecycleState), healthStatus: $0.healthStatus)
            },
            targetGroupArns: group.targetGroupARNs,
            tags: Dictionary(group.tags.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { first, _ in first }))
    }
}
