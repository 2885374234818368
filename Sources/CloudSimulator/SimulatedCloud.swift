import Deployment
import Foundation
import Synchronization

/// A deterministic simulated AWS on virtual time: one load balancer with listeners and rules, target groups with
/// health checks (interval and thresholds, `unused` when no route uses the group), Auto Scaling groups that launch
/// instances after a boot delay and register them, SSM parameters, and applications whose health depends on the
/// version they booted with. It implements the domain's ports, so the deployment code runs on it unchanged.
///
/// Time only moves when someone sleeps on `clock`; the world is brought up to date before every read or change.
public final class SimulatedCloud: Sendable {
    /// How an application version behaves once its instance has booted.
    public enum AppBehaviour: Sendable, Equatable {
        /// Answers health checks after `startSeconds`.
        case healthy(startSeconds: Double)
        /// Never answers health checks.
        case neverHealthy
    }

    struct Instance {
        var id: String
        var launchedAt: Date
        var version: String?
        var inService = false
    }

    struct Group {
        var name: String
        var minSize: Int
        var desiredCapacity: Int
        var maxSize: Int
        var targetGroupArns: [String]
        var tags: [String: String]
        /// The SSM parameter an instance reads its version from at boot.
        var versionParameter: String?
        var instances: [Instance] = []
    }

    struct Target {
        var state: String = "initial"
        var passes = 0
        var failures = 0
    }

    struct TargetGroup {
        var name: String
        var arn: String
        var path: String
        var intervalSeconds: Double
        var healthyThreshold: Int
        var unhealthyThreshold: Int
        var targets: [String: Target] = [:]
        var lastCheck: Date
    }

    struct State {
        var now: Date
        var loadBalancerName: String
        var loadBalancerArn: String
        var routes: [ForwardRoute] = []
        var targetGroups: [String: TargetGroup] = [:]
        var groups: [String: Group] = [:]
        var parameters: [String: String] = [:]
        var behaviours: [String: AppBehaviour] = [:]
        var bootSeconds: Double = 60
        var nextInstance = 1
        var calls: [String] = []
        /// Instances to lose (id → when), to simulate spot interruptions.
        var losses: [(group: String, at: Date)] = []
        var refreshes: [String: Refresh] = [:]
        var nextRefresh = 1
    }

    /// An instance refresh: replaces the group's instances in batches of (100 - minHealthy)% of the group.
    struct Refresh {
        var id: String
        var group: String
        var minHealthyPercentage: Int
        var status = "InProgress"
        var reason: String?
        var total: Int
        var replaced: Set<String> = []
        var batch: [String] = []
        var batchStarted: Date?
    }

    /// The world, shared with the clock.
    final class Box: Sendable {
        let mutex: Mutex<State>
        init(_ state: State) { mutex = Mutex(state) }
    }

    let box: Box
    public let clock: SimulatedClock

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000), loadBalancerName: String = "GccExplorerApp") {
        box = Box(State(now: start, loadBalancerName: loadBalancerName, loadBalancerArn: "arn:sim:loadbalancer/\(loadBalancerName)"))
        clock = SimulatedClock(box: box)
    }

    // MARK: - Set-up

    public func addTargetGroup(name: String, path: String = "/healthcheck", intervalSeconds: Double = 10, healthyThreshold: Int = 2, unhealthyThreshold: Int = 3) -> String {
        box.mutex.withLock {
            let arn = "arn:sim:targetgroup/\(name)"
            $0.targetGroups[name] = TargetGroup(
                name: name, arn: arn, path: path, intervalSeconds: intervalSeconds, healthyThreshold: healthyThreshold,
                unhealthyThreshold: unhealthyThreshold, lastCheck: $0.now)
            return arn
        }
    }

    public func addRoute(_ route: ForwardRoute) { box.mutex.withLock { $0.routes.append(route) } }

    public func addGroup(
        name: String, minSize: Int, desiredCapacity: Int, maxSize: Int, targetGroupArn: String, tags: [String: String] = [:],
        versionParameter: String?
    ) {
        box.mutex.withLock {
            $0.groups[name] = Group(
                name: name, minSize: minSize, desiredCapacity: desiredCapacity, maxSize: maxSize, targetGroupArns: [targetGroupArn],
                tags: tags, versionParameter: versionParameter)
        }
        settle()
    }

    public func setParameter(_ name: String, _ value: String) { box.mutex.withLock { $0.parameters[name] = value } }
    public func setBehaviour(version: String, _ behaviour: AppBehaviour) { box.mutex.withLock { $0.behaviours[version] = behaviour } }
    public func setBootSeconds(_ seconds: Double) { box.mutex.withLock { $0.bootSeconds = seconds } }

    /// Launches and boots every group to its desired size at once (for seeding a world that is already running).
    public func settle() {
        box.mutex.withLock { state in
            Self.reconcile(&state)
            for name in state.groups.keys {
                for index in state.groups[name]!.instances.indices {
                    state.groups[name]!.instances[index].launchedAt = state.now.addingTimeInterval(-3600)
                }
            }
            Self.update(&state)
            for (name, group) in state.targetGroups {
                for id in group.targets.keys {
                    let used = state.routes.contains { $0.weights[group.arn, default: 0] > 0 }
                    state.targetGroups[name]!.targets[id]!.state = used ? "healthy" : "unused"
                }
            }
        }
    }

    /// The instance of `group` launched most recently disappears at `at` (a spot interruption).
    public func loseInstance(of group: String, at: Date) { box.mutex.withLock { $0.losses.append((group, at)) } }

    // MARK: - Reading the world (for tests)

    public var now: Date { box.mutex.withLock { $0.now } }
    public func parameter(_ name: String) -> String? { box.mutex.withLock { $0.parameters[name] } }
    public func routes() -> [ForwardRoute] { box.mutex.withLock { $0.routes } }
    public func groupSize(_ name: String) -> (min: Int, desired: Int, max: Int)? {
        box.mutex.withLock { $0.groups[name].map { ($0.minSize, $0.desiredCapacity, $0.maxSize) } }
    }
    public func instanceVersions(_ name: String) -> [String?] { box.mutex.withLock { $0.groups[name]?.instances.map(\.version) ?? [] } }
    public var calls: [String] { box.mutex.withLock { $0.calls } }

    // MARK: - Simulation

    /// Brings the world to `state.now`: losses, launches, boots, registrations, health checks.
    static func update(_ state: inout State) {
        let now = state.now
        var remaining: [(group: String, at: Date)] = []
        for loss in state.losses {
            if loss.at <= now, var group = state.groups[loss.group], !group.instances.isEmpty {
                let lost = group.instances.removeLast()
                state.groups[loss.group] = group
                for (name, _) in state.targetGroups { state.targetGroups[name]!.targets[lost.id] = nil }
            } else if loss.at > now {
                remaining.append(loss)
            }
        }
        state.losses = remaining
        reconcile(&state)
        advanceRefreshes(&state)
        for name in state.groups.keys {
            for index in state.groups[name]!.instances.indices where !state.groups[name]!.instances[index].inService {
                let instance = state.groups[name]!.instances[index]
                if now.timeIntervalSince(instance.launchedAt) >= state.bootSeconds {
                    state.groups[name]!.instances[index].inService = true
                    for arn in state.groups[name]!.targetGroupArns {
                        if let tg = state.targetGroups.first(where: { $0.value.arn == arn })?.key {
                            state.targetGroups[tg]!.targets[instance.id] = Target()
                        }
                    }
                }
            }
        }
        for name in state.targetGroups.keys {
            var group = state.targetGroups[name]!
            let used = state.routes.contains { $0.weights[group.arn, default: 0] > 0 }
            while group.lastCheck.addingTimeInterval(group.intervalSeconds) <= now {
                group.lastCheck = group.lastCheck.addingTimeInterval(group.intervalSeconds)
                for id in group.targets.keys {
                    var target = group.targets[id]!
                    if !used {
                        target = Target(state: "unused")
                    } else {
                        if target.state == "unused" { target = Target() }
                        if appAnswers(state, instanceId: id, at: group.lastCheck) {
                            target.passes += 1
                            target.failures = 0
                            if target.passes >= group.healthyThreshold { target.state = "healthy" }
                        } else {
                            target.failures += 1
                            target.passes = 0
                            if target.failures >= group.unhealthyThreshold { target.state = "unhealthy" }
                        }
                    }
                    group.targets[id] = target
                }
            }
            state.targetGroups[name] = group
        }
    }

    static func advanceRefreshes(_ state: inout State) {
        for id in state.refreshes.keys.sorted() where state.refreshes[id]!.status == "InProgress" {
            var refresh = state.refreshes[id]!
            guard var group = state.groups[refresh.group] else { continue }
            let batchInstances = group.instances.filter { refresh.batch.contains($0.id) }
            if !refresh.batch.isEmpty {
                let ready = batchInstances.allSatisfy { appAnswers(state, instanceId: $0.id, at: state.now) }
                if !ready {
                    if let started = refresh.batchStarted, state.now.timeIntervalSince(started) > state.bootSeconds + 300 {
                        refresh.status = "Failed"
                        refresh.reason = "replacement instances did not pass health checks"
                    }
                    state.refreshes[id] = refresh
                    continue
                }
            }
            let old = group.instances.filter { !refresh.replaced.contains($0.id) }
            if old.isEmpty {
                refresh.status = "Successful"
                state.refreshes[id] = refresh
                continue
            }
            let size = max(1, refresh.total * (100 - refresh.minHealthyPercentage) / 100)
            let leaving = Set(old.prefix(size).map(\.id))
            group.instances.removeAll { leaving.contains($0.id) }
            for tg in state.targetGroups.keys { for gone in leaving { state.targetGroups[tg]!.targets[gone] = nil } }
            refresh.batch = []
            for _ in leaving {
                let number = state.nextInstance
                state.nextInstance += 1
                let newId = String(format: "i-%017x", number)
                group.instances.append(
                    Instance(id: newId, launchedAt: state.now, version: group.versionParameter.flatMap { state.parameters[$0] }))
                refresh.batch.append(newId)
                refresh.replaced.insert(newId)
            }
            refresh.batchStarted = state.now
            state.groups[refresh.group] = group
            state.refreshes[id] = refresh
        }
    }

    /// Launches instances up to desired (reading their version at launch) and terminates the newest above it.
    static func reconcile(_ state: inout State) {
        for name in state.groups.keys.sorted() {
            var group = state.groups[name]!
            while group.instances.count < group.desiredCapacity {
                let number = state.nextInstance
                state.nextInstance += 1
                let id = String(format: "i-%017x", number)
                group.instances.append(
                    Instance(
                        id: id, launchedAt: state.now,
                        version: group.versionParameter.flatMap { state.parameters[$0] }))
            }
            while group.instances.count > group.desiredCapacity {
                let gone = group.instances.removeLast()
                for tg in state.targetGroups.keys { state.targetGroups[tg]!.targets[gone.id] = nil }
            }
            state.groups[name] = group
        }
    }

    static func appAnswers(_ state: State, instanceId: String, at time: Date) -> Bool {
        guard let instance = state.groups.values.lazy.flatMap(\.instances).first(where: { $0.id == instanceId }), instance.inService
        else { return false }
        switch instance.version.flatMap({ state.behaviours[$0] }) ?? .healthy(startSeconds: 0) {
        case .neverHealthy: return false
        case .healthy(let start): return time.timeIntervalSince(instance.launchedAt) >= state.bootSeconds + start
        }
    }

    func withUpdatedState<T>(_ call: String, _ body: (inout State) throws -> T) rethrows -> T {
        try box.mutex.withLock { state in
            state.calls.append(call)
            Self.update(&state)
            return try body(&state)
        }
    }
}

/// Virtual time for a `SimulatedCloud`: sleeping moves the world forward at once.
public struct SimulatedClock: DeploymentClock {
    let box: SimulatedCloud.Box

    public func now() -> Date { box.mutex.withLock { $0.now } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        box.mutex.withLock { state in
            state.now = state.now.addingTimeInterval(duration.timeInterval)
            SimulatedCloud.update(&state)
        }
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
