import Deployment
import Foundation
import Synchronization

/// A deterministic simulated AWS on virtual time (see `SimulatedWorld`), shared safely between the tool and the
/// test. It implements every port of the deployment domain, so the deployment code runs on it unchanged; its calls
/// go through the same retry policy as the AWS client, with the faults of `faults` injected per attempt.
///
/// Time moves only when someone sleeps on `clock`: a five-minute deploy takes milliseconds.
public final class SimulatedCloud: Sendable {
    private let storage: Storage
    /// How the tool's calls through this cloud are retried (as an `AWSClient`'s are).
    public let retryPolicy: RetryPolicy

    /// The world, shared by every connection to it (`retrying(with:)`).
    private final class Storage: Sendable {
        let world: Mutex<SimulatedWorld>
        /// Told of each call the tool makes, as `--verbose` logs AWS calls.
        let observer = Mutex<(@Sendable (String) -> Void)?>(nil)
        init(_ world: SimulatedWorld) { self.world = Mutex(world) }
    }

    /// Has `body` told of each call the tool makes, once it has ended — `ELBv2 DescribeRules 200 (simulated, 12.0 s)`:
    /// service, operation, outcome and the virtual time, as `--verbose` logs the calls on AWS; never their contents.
    public func observeCalls(_ body: @escaping @Sendable (String) -> Void) { storage.observer.withLock { $0 = body } }

    /// Says `line` to the observer of calls, if any.
    func observed(_ line: @autoclosure () -> String) {
        guard let observer = storage.observer.withLock({ $0 }) else { return }
        observer(line())
    }

    public convenience init(
        seed: UInt64 = 1, start: Date = Date(timeIntervalSince1970: 1_800_000_000), loadBalancerName: String = "GccExplorerApp"
    ) {
        self.init(world: SimulatedWorld(seed: seed, start: start, loadBalancerName: loadBalancerName))
    }

    public init(world: SimulatedWorld) {
        storage = Storage(world)
        retryPolicy = RetryPolicy()
    }

    private init(sharing other: SimulatedCloud, retryPolicy: RetryPolicy) {
        storage = other.storage
        self.retryPolicy = retryPolicy
    }

    /// The same world, its calls retried with `policy` — as `AWSClient.retrying(with:)`.
    public func retrying(with policy: RetryPolicy) -> SimulatedCloud { SimulatedCloud(sharing: self, retryPolicy: policy) }

    /// The ports of a mutating command: every call retried patiently (`RetryPolicy.patient`).
    public var patientPorts: CloudPorts { retrying(with: .patient).ports }

    /// Reads the world.
    public func read<T>(_ body: (SimulatedWorld) throws -> T) rethrows -> T {
        try storage.world.withLock { try body($0) }
    }

    /// Changes the world directly (set-up, faults, scripted events) — not as the tool: no faults, no call log.
    public func change<T>(_ body: (inout SimulatedWorld) throws -> T) rethrows -> T {
        try storage.world.withLock { try body(&$0) }
    }

    public var clock: SimulatedClock { SimulatedClock(cloud: self) }

    /// The domain's ports on this cloud, on its virtual clock and seeded randomness.
    public var ports: CloudPorts {
        var ports = CloudPorts(
            loadBalancer: self, scalingGroups: self, parameters: self, applier: self, documents: self, alarms: self,
            instances: self, prober: self, refresher: self, clock: clock, random: SimulatedRandom(cloud: self))
        ports.metrics = self
        ports.smoke = self
        ports.deployMetrics = self
        ports.buildHistory = self
        return ports
    }

    /// Reads `environment` from this cloud, as `EnvironmentStatusReader` does from AWS.
    public func statusReader(for environment: EnvironmentConfiguration) -> EnvironmentStatusReader {
        ports.statusReader(for: environment)
    }

    // MARK: - Set-up

    /// The target groups' health checks and deregistration delay as the design document gives them (Compiler
    /// Explorer's): checks every 10 s, 2 to be healthy, 3 to be unhealthy, 20 s of draining.
    public static let designDocumentTargetGroup = (intervalSeconds: 10.0, healthyThreshold: 2, unhealthyThreshold: 3, deregistrationDelaySeconds: 20.0)

    @discardableResult
    public func addTargetGroup(
        name: String, path: String = "/healthcheck", intervalSeconds: Double = designDocumentTargetGroup.intervalSeconds,
        healthyThreshold: Int = designDocumentTargetGroup.healthyThreshold, unhealthyThreshold: Int = designDocumentTargetGroup.unhealthyThreshold,
        deregistrationDelaySeconds: Double = designDocumentTargetGroup.deregistrationDelaySeconds
    ) -> String {
        change {
            let arn = "arn:sim:targetgroup/\(name)"
            $0.targetGroups[name] = .init(
                name: name, arn: arn, path: path, intervalSeconds: intervalSeconds, healthyThreshold: healthyThreshold,
                unhealthyThreshold: unhealthyThreshold, deregistrationDelaySeconds: deregistrationDelaySeconds, lastCheck: $0.now)
            return arn
        }
    }

    public func addRoute(_ route: Route) { change { $0.routes.append(route) } }

    public func addGroup(
        name: String, minSize: Int, desiredCapacity: Int, maxSize: Int, targetGroupArn: String?, tags: [String: String] = [:],
        versionParameter: String?, healthCheckGraceSeconds: Double = 240
    ) {
        change {
            $0.groups[name] = .init(
                name: name, minSize: minSize, desiredCapacity: desiredCapacity, maxSize: maxSize, targetGroupArns: targetGroupArn.map { [$0] } ?? [],
                tags: tags, versionParameter: versionParameter, healthCheckGraceSeconds: healthCheckGraceSeconds)
        }
    }

    public func setParameter(_ name: String, _ value: String) {
        change { $0.put(parameter: name, value: value) }
    }

    public func setBehaviour(version: String, _ behaviour: AppBehaviour) { change { $0.behaviours[version] = behaviour } }
    public func setBootSeconds(_ seconds: Double) { change { $0.bootSeconds = seconds...seconds } }
    public func setBootSeconds(_ range: ClosedRange<Double>) { change { $0.bootSeconds = range } }
    public func setFaults(_ faults: Faults) { change { $0.faults = faults } }
    /// Adds `count` requests to `targetGroupArn`'s CloudWatch count, in the minute `minutesAgo` before now — traffic
    /// the simulated load balancer's rules do not show (a client holding a connection, a cache), as a test puts metrics.
    public func countRequests(_ count: Int, to targetGroupArn: String, minutesAgo: Int) {
        change { world in
            let minute = Int(world.now.timeIntervalSince1970 / 60) - minutesAgo
            if world.requestsPerMinute == nil { world.requestsPerMinute = [:] }
            world.requestsPerMinute?[targetGroupArn, default: [:]][minute, default: 0] += count
        }
    }

    /// How closely the world follows AWS's delays and limits (see `Calibration`).
    public func setCalibration(_ calibration: Calibration) { change { $0.calibration = calibration } }

    /// A 5xx alarm on a target group: ALARM when `threshold` errors happen within `periodSeconds`.
    public func addAlarm(name: String, targetGroup: String?, threshold: Int = 5, periodSeconds: Double = 60) {
        change { world in
            let arn = targetGroup.flatMap { world.targetGroups[$0]?.arn }
            world.alarms[name] = .init(name: name, targetGroupArn: arn, threshold: threshold, periodSeconds: periodSeconds)
        }
    }

    /// Forces an alarm's state (`ALARM`, `OK`), or gives it back to its metric with `nil`.
    public func forceAlarm(_ name: String, _ state: String?) {
        change {
            $0.alarms[name]?.forced = state
            $0.evaluateAlarms()
        }
    }

    /// The instance of `group` launched most recently disappears at `at` (a spot interruption).
    public func loseInstance(of group: String, at: Date) { change { $0.losses.append(.init(group: group, at: at)) } }

    /// The tool was restarted after a crash: its calls reach the cloud again.
    public func restartTool() { change { $0.crashed = false } }

    /// Holds the tool's next command to `seconds` of virtual time from now (`ToolBound`); `nil` lifts the bound.
    public func bindTool(_ command: String?, seconds: Double = 0) {
        change { world in world.toolBound = command.map { ToolBound(command: $0, seconds: seconds, from: world.now) } }
    }

    /// Launches and boots every group to its desired size at once, healthy (for seeding a world already running).
    public func settle() {
        change { world in
            world.reconcileGroups()
            for id in world.instances.keys {
                world.instances[id]!.launchedAt = world.now.addingTimeInterval(-3600)
            }
            world.bootInstances()
            for name in world.targetGroups.keys {
                let used = world.isUsed(world.targetGroups[name]!.arn)
                for id in world.targetGroups[name]!.targets.keys {
                    world.targetGroups[name]!.targets[id]!.state = used ? "healthy" : "unused"
                }
            }
            world.events.removeAll()
        }
    }

    // MARK: - Reading the world (for tests)

    public var now: Date { read { $0.now } }
    public func parameter(_ name: String) -> String? { read { $0.parameters[name]?.value } }
    public func routes() -> [Route] { read { $0.routes } }
    public func groupSize(_ name: String) -> (min: Int, desired: Int, max: Int)? {
        read { $0.groups[name].map { ($0.minSize, $0.desiredCapacity, $0.maxSize) } }
    }
    public func instanceVersions(_ name: String) -> [String?] {
        read { world in world.groups[name]?.instanceIds.map { world.instances[$0]?.version } ?? [] }
    }
    public var calls: [String] { read { $0.calls } }
    public var events: [String] { read { $0.events } }
    public var requests: [SimulatedWorld.Request] { read { $0.requests } }
    public var violations: [String] { read { $0.invariants.violations } }
    public var isCrashed: Bool { read { $0.crashed } }

    /// Checks invariant 4 (consistent at the end) for these environments (all when `nil`).
    @discardableResult
    public func checkEnd(_ environments: [String]? = nil) -> [String] { change { $0.checkEnd(environments) } }

    // MARK: - Saving

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try read { try encoder.encode($0) }
    }

    public convenience init(decoding data: Data) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        self.init(world: try decoder.decode(SimulatedWorld.self, from: data))
    }
}

/// Virtual time for a `SimulatedCloud`: sleeping moves the world forward at once.
public struct SimulatedClock: WallClock {
    let cloud: SimulatedCloud

    public func now() -> Date { cloud.read { $0.now } }

    /// A crashed tool does not wait any more: its process is gone.
    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        try cloud.change { world in
            if world.crashed { throw SimulatedCrash() }
            let target = world.now.addingTimeInterval(duration.timeInterval)
            try world.checkToolBound(sleepingUntil: target)
            world.advance(to: target)
        }
    }
}

/// The world's seeded randomness, for the domain's jitter.
public struct SimulatedRandom: RandomSource {
    let cloud: SimulatedCloud
    public func nextUnitInterval() -> Double { cloud.change { $0.random.unit() } }
}
