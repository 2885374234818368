import Foundation

/// The blue-green deploy of `environment refresh --strategy blue-green`.
///
/// Steps, each recorded with its duration:
/// 1. `preflight`: resolve everything; refuse (nothing changed) if the inactive colour already has capacity or SSM
///    and the load balancer disagree, unless forced.
/// 2. `protect`: the live colour's min is raised to its desired size, so it cannot shrink but can still grow.
/// 3. `deploy`: write the inactive colour's `{color}/version` (and `version` when given) before it boots.
/// 4. `scale`: pin the inactive colour at the capacity (min = desired = max).
/// 5. `health gate`: wait until every new instance is `InService` and healthy — by the load balancer's target
///    health when a listener or rule uses the group, else by an HTTP check of each instance — within one timeout,
///    polling at most `pollSeconds` apart and backing off after failed reads. Replaced instances are followed.
/// 6. `switch`: every route at once, read back, then SSM (see `SwitchRunner`).
/// 7. `finalize`: the new live colour gets min = max(1, minimum) and its original max; the old colour's min goes to
///    0 but it keeps running, warm for rollback.
///
/// A failure before the switch leaves traffic untouched, scales the inactive colour back to 0 (unless keepFailed)
/// and restores the live colour's settings. A failure after the switch never reduces the now-live colour and says
/// what is left to do.
public struct BlueGreenRefresh: Sendable {
    public struct Options: Sendable, Equatable {
        public var version: String?
        public var capacity: Int?
        public var force = false
        public var keepFailed = false
        /// The colour to deploy to; must be the inactive one (`--target`, as in the design document's test plan).
        public var target: Color?
        public init(version: String? = nil, capacity: Int? = nil, force: Bool = false, keepFailed: Bool = false, target: Color? = nil) {
            self.target = target
            self.version = version
            self.capacity = capacity
            self.force = force
            self.keepFailed = keepFailed
        }
    }

    /// What a deploy will do, worked out in preflight.
    public struct Plan: Sendable, Equatable {
        public var live: Color
        public var target: Color
        public var version: String
        public var capacity: Int
        public var liveGroup: ScalingGroupSnapshot
        public var targetGroup: ScalingGroupSnapshot
        /// Whether the load balancer health-checks the target group (a rule uses it); otherwise HTTP checks.
        public var targetGroupInUse: Bool
        public var targetGroupArn: String
    }

    /// Progress of the health gate, for live display.
    public struct Progress: Sendable, Equatable {
        public var color: Color
        public var inService: Int
        public var healthy: Int
        public var wanted: Int
        public var elapsedSeconds: Double
        public var timeoutSeconds: Double
    }

    /// A deploy that stopped: the step, the cause, and what state it left.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var step: String
        public var cause: String
        public var state: String
        public var report: StepReport
        public var description: String { "refresh failed at \(step): \(cause). \(state)" }
    }

    public let environment: EnvironmentConfiguration
    public let reader: EnvironmentStatusReader
    public let applier: any MutationApplier
    public let instances: any InstanceDirectory
    public let prober: any HealthProber
    public let clock: any DeploymentClock

    public init(
        environment: EnvironmentConfiguration, reader: EnvironmentStatusReader, applier: any MutationApplier,
        instances: any InstanceDirectory, prober: any HealthProber, clock: any DeploymentClock
    ) {
        self.environment = environment
        self.reader = reader
        self.applier = applier
        self.instances = instances
        self.prober = prober
        self.clock = clock
    }

    // MARK: - Preflight

    public static func plan(_ snapshot: EnvironmentSnapshot, options: Options) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        guard let live = status.albColor ?? (options.force ? status.activeColor : nil) else {
            throw Refusal("The load balancer does not send all of \(env.name)'s traffic to one colour (\(status.driftReasons.joined(separator: "; "))). Nothing changed; fix it with 'environment switch --to COLOR'.")
        }
        if status.drift && !options.force {
            throw Refusal("\(env.name) has drift: \(status.driftReasons.joined(separator: "; ")). Nothing changed; fix it (environment switch) or pass --force.")
        }
        let target = live.other
        if let wanted = options.target, wanted != target {
            throw Refusal("--target \(wanted.rawValue) is the colour serving \(env.name); a deploy goes to the inactive colour (\(target.rawValue)). Nothing changed.")
        }
        guard let liveGroup = snapshot.groups[env.autoScalingGroupNames[live]!] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[live]!)
        }
        guard let targetGroup = snapshot.groups[env.autoScalingGroupNames[target]!] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[target]!)
        }
        guard let targetTG = snapshot.targetGroups[env.targetGroupNames[target]!] else {
            throw DeploymentError.missingTargetGroup(env.targetGroupNames[target]!)
        }
        if !options.force && (targetGroup.desiredCapacity > 0 || !targetGroup.instances.isEmpty) {
            throw Refusal("The inactive colour \(target.rawValue) (\(targetGroup.name)) already has capacity (desired \(targetGroup.desiredCapacity), \(targetGroup.instances.count) instance(s)). Nothing changed; run 'environment cleanup' first, or pass --force.")
        }
        guard let version = options.version ?? snapshot.values[env.parameters.version] else {
            throw Refusal("No build to deploy: \(env.parameters.version) is not set. Run 'ce --env \(env.name) builds set_current VERSION' or pass --version.")
        }
        let capacity = options.capacity ?? max(liveGroup.desiredCapacity, env.liveFloor)
        guard capacity >= 1 else { throw Refusal("--capacity must be at least 1. Nothing changed.") }
        return Plan(
            live: live, target: target, version: version, capacity: capacity, liveGroup: liveGroup, targetGroup: targetGroup,
            targetGroupInUse: !targetTG.loadBalancerArns.isEmpty, targetGroupArn: targetTG.arn)
    }

    // MARK: - Running

    /// Performs the actions of a `RefreshMachine` until it finishes, refuses or fails.
    public func run(options: Options, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> StepReport {
        var machine = RefreshMachine(environment: environment, options: options)
        var event = RefreshMachine.Event.start
        // Instance addresses never change: look each up once, not on every poll of the gate.
        var addresses: [String: String] = [:]
        while true {
            let action = machine.next(event, now: clock.now())
            if case .health = event, let current = machine.progress { progress(current) }
            switch action {
            case .readSnapshot:
                event = .snapshot(try await reader.snapshot())
            case .apply(let mutations):
                event = .applied
                for mutation in mutations {
                    do {
                        try await applier.apply(mutation)
                    } catch {
                        event = .applyFailed("\(mutation): \(error)")
                        break
                    }
                }
            case .checkHealth(let plan):
                if let reading = try? await readHealth(plan, addresses: &addresses) {
                    event = .health(inService: reading.inService, healthy: reading.healthy)
                } else {
                    event = .healthReadFailed
                }
            case .wait(let duration):
                try await clock.sleep(for: duration)
                event = .waited
            case .switchTraffic(let target):
                do {
                    let fresh = try await reader.snapshot()
                    let plan = try TrafficSwitch(snapshot: fresh).plan(to: target, force: true)
                    event = .switched(try await SwitchRunner(environment: environment, applier: applier, loadBalancer: reader.loadBalancer, clock: clock).run(plan))
                } catch {
                    event = .switchFailed(String(describing: error))
                }
            case .undo(let mutations):
                var done: [String] = []
                var failed: [String] = []
                for mutation in mutations {
                    do {
                        try await applier.apply(mutation)
                        done.append(mutation.description)
                    } catch {
                        failed.append("\(mutation) (\(error))")
                    }
                }
                event = .undone(done: done, failed: failed)
            case .finished(let report):
                return report
            case .refused(let refusal):
                throw refusal
            case .failed(let failure):
                throw failure
            }
        }
    }

    /// One reading of the target colour: instances InService, and how many of them are healthy — by the load
    /// balancer's target health when a listener or rule uses the group, else by HTTP.
    func readHealth(_ plan: Plan, addresses: inout [String: String]) async throws -> (inService: Int, healthy: Int) {
        let env = environment
        let groups = try await reader.scalingGroups.groups(names: [plan.targetGroup.name])
        let inService = (groups[plan.targetGroup.name]?.instances ?? []).filter { $0.lifecycleState == "InService" }.map(\.id)
        if plan.targetGroupInUse {
            let targets = try await reader.loadBalancer.targetHealth(targetGroupArn: plan.targetGroupArn)
            return (inService.count, targets.filter { inService.contains($0.id) && $0.state == "healthy" }.count)
        }
        guard !inService.isEmpty else { return (0, 0) }
        let unknown = inService.filter { addresses[$0] == nil }
        if !unknown.isEmpty { addresses.merge(try await instances.addresses(instanceIds: unknown)) { $1 } }
        let known = addresses
        let healthy = await withTaskGroup(of: Bool.self) { group in
            for id in inService {
                guard let address = known[id] else { continue }
                group.addTask { await prober.isHealthy(address: address, port: env.health.port, path: env.health.path, timeout: .seconds(2)) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        return (inService.count, healthy)
    }

}

extension BlueGreenRefresh {
    /// The changes a phase makes, used by the state machine and by `--dry-run` alike.
    /// - protect: the live colour's min up to its desired size;
    /// - deploy: the inactive colour's version (and `version` when given);
    /// - scale: the inactive colour pinned at the capacity;
    /// - finalize: the new live colour gets min = max(1, minimum) and its original max (at least the capacity); the
    ///   old colour's min goes to 0 while it keeps running.
    public static func mutations(
        for phase: RefreshMachine.Phase, plan: Plan, environment env: EnvironmentConfiguration, options: Options
    ) -> [Mutation] {
        switch phase {
        case .protect:
            let group = plan.liveGroup
            return group.minSize < group.desiredCapacity
                ? [.resizeGroup(name: group.name, minSize: group.desiredCapacity, desiredCapacity: nil, maxSize: nil)] : []
        case .deploy:
            var mutations: [Mutation] = [.putParameter(name: env.parameters.version(of: plan.target), value: plan.version)]
            if options.version != nil { mutations.append(.putParameter(name: env.parameters.version, value: plan.version)) }
            return mutations
        case .scale:
            return [.resizeGroup(name: plan.targetGroup.name, minSize: plan.capacity, desiredCapacity: plan.capacity, maxSize: plan.capacity)]
        case .finalize:
            return [
                .resizeGroup(name: plan.targetGroup.name, minSize: env.liveFloor, desiredCapacity: nil, maxSize: max(plan.targetGroup.maxSize, plan.capacity)),
                .resizeGroup(name: plan.liveGroup.name, minSize: 0, desiredCapacity: nil, maxSize: nil),
            ]
        case .preflight, .healthGate, .switchTraffic, .done:
            return []
        }
    }
}
