import AWSServices
import Deployment

/// `ScalingGroupReader` on Auto Scaling.
public struct AWSScalingGroupReader: ScalingGroupReader {
    public let autoScaling: AutoScaling

    public init(autoScaling: AutoScaling) {
        self.autoScaling = autoScaling
    }

    public func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot] {
        let groups = try await autoScaling.describeAutoScalingGroups(.init(autoScalingGroupNames: names))
        var result: [String: ScalingGroupSnapshot] = [:]
        for group in groups {
            result[group.autoScalingGroupName] = ScalingGroupSnapshot(
                name: group.autoScalingGroupName, minSize: group.minSize, desiredCapacity: group.desiredCapacity,
                maxSize: group.maxSize,
                instances: group.instances.map {
                    .init(id: $0.instanceId, lifecycleState: .parse($0.lifecycleState), healthStatus: $0.healthStatus)
                },
                targetGroupArns: group.targetGroupARNs,
                tags: Dictionary(group.tags.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { first, _ in first }))
        }
        return result
    }
}
