import Deployment
import Foundation

extension SimulatedCloud: LoadBalancerReader, ScalingGroupReader, ParameterReader, MutationApplier, InstanceDirectory,
    HealthProber, InstanceRefresher
{
    public func startRefresh(group: String, minHealthyPercentage: Int, instanceWarmupSeconds: Int) async throws -> String {
        try withUpdatedState("StartInstanceRefresh") { state in
            guard let target = state.groups[group] else { throw ValidationError(description: "no group \(group)") }
            if state.refreshes.values.contains(where: { $0.group == group && $0.status == "InProgress" }) {
                throw ValidationError(description: "InstanceRefreshInProgress: an instance refresh is already in progress for \(group)")
            }
            let id = "refresh-\(state.nextRefresh)"
            state.nextRefresh += 1
            state.refreshes[id] = Refresh(id: id, group: group, minHealthyPercentage: minHealthyPercentage, total: target.instances.count)
            Self.update(&state)
            return id
        }
    }

    public func refreshStatus(group: String, id: String) async throws -> InstanceRefreshStatus {
        withUpdatedState("DescribeInstanceRefreshes") { state in
            guard let refresh = state.refreshes[id] else { return InstanceRefreshStatus(id: id, status: "Unknown", percentComplete: nil, reason: nil) }
            let done = refresh.replaced.count - (refresh.status == "Successful" ? 0 : refresh.batch.count)
            return InstanceRefreshStatus(
                id: id, status: refresh.status, percentComplete: refresh.total == 0 ? 100 : done * 100 / refresh.total, reason: refresh.reason)
        }
    }

    public func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? {
        withUpdatedState("DescribeListeners") { state in
            state.loadBalancerName == loadBalancerName
                ? LoadBalancerRoutes(loadBalancerArn: state.loadBalancerArn, routes: state.routes) : nil
        }
    }

    public func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] {
        withUpdatedState("DescribeTargetGroups") { state in
            var result: [String: TargetGroupSnapshot] = [:]
            for name in names {
                guard let group = state.targetGroups[name] else { continue }
                let used = state.routes.contains { $0.weights[group.arn, default: 0] > 0 }
                result[name] = TargetGroupSnapshot(
                    name: name, arn: group.arn, healthCheckPath: group.path, healthCheckPort: "traffic-port",
                    loadBalancerArns: used ? [state.loadBalancerArn] : [])
            }
            return result
        }
    }

    public func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] {
        withUpdatedState("DescribeTargetHealth") { state in
            guard let group = state.targetGroups.values.first(where: { $0.arn == targetGroupArn }) else { return [] }
            return group.targets.sorted { $0.key < $1.key }.map {
                TargetSnapshot(id: $0.key, state: $0.value.state, reason: $0.value.state == "unused" ? "Target.NotInUse" : nil)
            }
        }
    }

    public func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot] {
        withUpdatedState("DescribeAutoScalingGroups") { state in
            var result: [String: ScalingGroupSnapshot] = [:]
            for name in names {
                guard let group = state.groups[name] else { continue }
                result[name] = ScalingGroupSnapshot(
                    name: name, minSize: group.minSize, desiredCapacity: group.desiredCapacity, maxSize: group.maxSize,
                    instances: group.instances.map {
                        .init(id: $0.id, lifecycleState: $0.inService ? "InService" : "Pending", healthStatus: "Healthy")
                    },
                    targetGroupArns: group.targetGroupArns, tags: group.tags)
            }
            return result
        }
    }

    public func values(names: [String]) async throws -> [String: String] {
        withUpdatedState("GetParameters") { state in
            Dictionary(uniqueKeysWithValues: names.compactMap { name in state.parameters[name].map { (name, $0) } })
        }
    }

    public struct ValidationError: Error, CustomStringConvertible {
        public var description: String
    }

    public func apply(_ mutation: Mutation) async throws {
        try withUpdatedState(String(describing: mutation).split(separator: " ").prefix(2).joined(separator: " ")) { state in
            switch mutation {
            case .forward(let route, let arn):
                guard let index = state.routes.firstIndex(where: { $0.arn == route.arn }) else {
                    throw ValidationError(description: "no route \(route.arn)")
                }
                state.routes[index].weights = [arn: 1]
            case .putParameter(let name, let value):
                state.parameters[name] = value
            case .resizeGroup(let name, let min, let desired, let max):
                guard var group = state.groups[name] else { throw ValidationError(description: "no group \(name)") }
                let newMin = min ?? group.minSize
                let newMax = max ?? group.maxSize
                let newDesired = desired ?? group.desiredCapacity
                // As AWS does: desired must lie within the new [min, max].
                guard newMin <= newMax, (newMin...newMax).contains(newDesired) else {
                    throw ValidationError(description: "ValidationError: desired \(newDesired) outside [\(newMin), \(newMax)] for \(name)")
                }
                (group.minSize, group.maxSize, group.desiredCapacity) = (newMin, newMax, newDesired)
                state.groups[name] = group
            }
            Self.update(&state)
        }
    }

    public func addresses(instanceIds: [String]) async throws -> [String: String] {
        withUpdatedState("DescribeInstances") { state in
            var result: [String: String] = [:]
            for instance in state.groups.values.flatMap(\.instances) where instanceIds.contains(instance.id) {
                result[instance.id] = instance.id
            }
            return result
        }
    }

    /// In the simulator an instance's "address" is its id.
    public func isHealthy(address: String, port: Int, path: String, timeout: Duration) async -> Bool {
        withUpdatedState("HTTP GET \(path)") { state in Self.appAnswers(state, instanceId: address, at: state.now) }
    }
}

extension SimulatedCloud: LockStore {
    public func create(name: String, value: String) async throws -> Bool {
        withUpdatedState("PutParameter Overwrite=false") { state in
            guard state.parameters[name] == nil else { return false }
            state.parameters[name] = value
            return true
        }
    }

    public func read(name: String) async throws -> String? {
        withUpdatedState("GetParameter") { $0.parameters[name] }
    }

    public func overwrite(name: String, value: String) async throws {
        withUpdatedState("PutParameter") { $0.parameters[name] = value }
    }

    public func delete(name: String) async throws {
        withUpdatedState("DeleteParameter") { $0.parameters[name] = nil }
    }
}
