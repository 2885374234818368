import AWSServices
import Deployment

/// `InstanceRefresher` on Auto Scaling StartInstanceRefresh / DescribeInstanceRefreshes.
public struct AWSInstanceRefresher: InstanceRefresher {
    public let autoScaling: AutoScaling

    public init(autoScaling: AutoScaling) {
        self.autoScaling = autoScaling
    }

    public func startRefresh(group: String, minHealthyPercentage: Int, maxHealthyPercentage: Int, instanceWarmupSeconds: Int) async throws -> String {
        try await autoScaling.startInstanceRefresh(
            .init(
                autoScalingGroupName: group,
                preferences: .init(minHealthyPercentage: minHealthyPercentage, maxHealthyPercentage: maxHealthyPercentage, instanceWarmup: instanceWarmupSeconds)))
    }

    public func activeRefresh(group: String) async throws -> InstanceRefreshStatus? {
        let refreshes = try await autoScaling.describeInstanceRefreshes(.init(autoScalingGroupName: group))
        return refreshes.map {
            InstanceRefreshStatus(id: $0.instanceRefreshId, status: .parse($0.status ?? "Unknown"), percentComplete: $0.percentageComplete, reason: $0.statusReason)
        }.first { !$0.isFinished }
    }

    public func refreshStatus(group: String, id: String) async throws -> InstanceRefreshStatus {
        let refreshes = try await autoScaling.describeInstanceRefreshes(.init(autoScalingGroupName: group, instanceRefreshIds: [id]))
        guard let refresh = refreshes.first(where: { $0.instanceRefreshId == id }) else {
            return InstanceRefreshStatus(id: id, status: "Unknown", percentComplete: nil, reason: "not found")
        }
        return InstanceRefreshStatus(
            id: id, status: .parse(refresh.status ?? "Unknown"), percentComplete: refresh.percentageComplete, reason: refresh.statusReason)
    }
}
