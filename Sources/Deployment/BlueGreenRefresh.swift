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

    public func run(options: Options, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> StepReport {
        var report = StepReport()
        var started = clock.now()
        let snapshot = try await reader.snapshot()
        let plan = try Self.plan(snapshot, options: options)
        report.add("preflight", seconds: clock.now().timeIntervalSince(started), "deploy \(plan.version) to \(plan.target.rawValue) (\(plan.capacity) instance(s)); \(plan.live.rawValue) is live")

        let env = environment
        var switched = false
        var step = "protect"
        do {
            started = clock.now()
            if plan.liveGroup.minSize < plan.liveGroup.desiredCapacity {
                try await applier.apply(.resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.desiredCapacity, desiredCapacity: nil, maxSize: nil))
            }
            report.add(step, seconds: clock.now().timeIntervalSince(started), "\(plan.liveGroup.name) min \(plan.liveGroup.minSize) → \(max(plan.liveGroup.minSize, plan.liveGroup.desiredCapacity))")

            step = "deploy"
            started = clock.now()
            try await applier.apply(.putParameter(name: env.parameters.version(of: plan.target), value: plan.version))
            if options.version != nil { try await applier.apply(.putParameter(name: env.parameters.version, value: plan.version)) }
            report.add(step, seconds: clock.now().timeIntervalSince(started), "\(env.parameters.version(of: plan.target)) = \(plan.version)")

            step = "scale"
            started = clock.now()
            try await applier.apply(.resizeGroup(name: plan.targetGroup.name, minSize: plan.capacity, desiredCapacity: plan.capacity, maxSize: plan.capacity))
            report.add(step, seconds: clock.now().timeIntervalSince(started), "\(plan.targetGroup.name) pinned at \(plan.capacity)")

            step = "health gate"
            started = clock.now()
            let detail = try await healthGate(plan, progress: progress)
            report.add(step, seconds: clock.now().timeIntervalSince(started), detail)

            step = "switch"
            let fresh = try await reader.snapshot()
            let switchPlan = try TrafficSwitch(environment: env, status: fresh.status, routes: fresh.routes).plan(to: plan.target, force: true)
            let switchReport = try await SwitchRunner(environment: env, applier: applier, loadBalancer: reader.loadBalancer, clock: clock).run(switchPlan)
            switched = true
            report.steps += switchReport.steps

            step = "finalize"
            started = clock.now()
            for mutation in Self.finalizeMutations(plan, environment: env) { try await applier.apply(mutation) }
            report.add(step, seconds: clock.now().timeIntervalSince(started), "\(plan.targetGroup.name) min \(env.liveFloor) max \(max(plan.targetGroup.maxSize, plan.capacity)); \(plan.liveGroup.name) min 0, kept warm for rollback")
            return report
        } catch {
            let cause = String(describing: error)
            if switched {
                throw Failure(
                    step: step, cause: cause,
                    state: "Traffic is on \(plan.target.rawValue) (\(plan.version)); \(plan.targetGroup.name) was left as it is. Left to do: set \(plan.targetGroup.name) min \(env.liveFloor) and max \(max(plan.targetGroup.maxSize, plan.capacity)), and \(plan.liveGroup.name) min 0.",
                    report: report)
            }
            let undo = await undoBeforeSwitch(plan, keepFailed: options.keepFailed)
            throw Failure(step: step, cause: cause, state: "Traffic was not touched (\(plan.live.rawValue) still serves). \(undo)", report: report)
        }
    }

    /// Before the switch: the inactive colour back to 0 (unless kept for inspection), the live colour's settings back.
    func undoBeforeSwitch(_ plan: Plan, keepFailed: Bool) async -> String {
        var done: [String] = []
        var failed: [String] = []
        var mutations: [Mutation] = [
            .resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.minSize, desiredCapacity: nil, maxSize: nil)
        ]
        if !keepFailed {
            mutations.insert(
                .resizeGroup(name: plan.targetGroup.name, minSize: 0, desiredCapacity: 0, maxSize: plan.targetGroup.maxSize), at: 0)
        }
        for mutation in mutations {
            do {
                try await applier.apply(mutation)
                done.append(mutation.description)
            } catch {
                failed.append("\(mutation.description) (\(error))")
            }
        }
        var text = done.isEmpty ? "" : "Undone: \(done.joined(separator: "; ")). "
        if keepFailed { text += "\(plan.targetGroup.name) kept at \(plan.capacity) for inspection (--keep-failed); 'environment cleanup' removes it. " }
        if !failed.isEmpty { text += "NOT undone, do by hand: \(failed.joined(separator: "; "))." }
        return text
    }

    /// Waits until `capacity` instances of the target colour are InService and healthy, or the timeout.
    func healthGate(_ plan: Plan, progress: @Sendable (Progress) -> Void) async throws -> String {
        let env = environment
        let timeout = Double(env.health.timeoutSeconds)
        let poll = Double(max(1, min(env.health.pollSeconds, 5)))
        let start = clock.now()
        var wait = poll
        var last = Progress(color: plan.target, inService: 0, healthy: 0, wanted: plan.capacity, elapsedSeconds: 0, timeoutSeconds: timeout)
        while true {
            do {
                let groups = try await reader.scalingGroups.groups(names: [plan.targetGroup.name])
                let inService = (groups[plan.targetGroup.name]?.instances ?? []).filter { $0.lifecycleState == "InService" }.map(\.id)
                var healthy = 0
                if plan.targetGroupInUse {
                    let targets = try await reader.loadBalancer.targetHealth(targetGroupArn: plan.targetGroupArn)
                    healthy = targets.filter { inService.contains($0.id) && $0.state == "healthy" }.count
                } else if !inService.isEmpty {
                    let addresses = try await instances.addresses(instanceIds: inService)
                    healthy = await withTaskGroup(of: Bool.self) { group in
                        for id in inService {
                            guard let address = addresses[id] else { continue }
                            group.addTask { await prober.isHealthy(address: address, port: env.health.port, path: env.health.path, timeout: .seconds(2)) }
                        }
                        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                }
                last = Progress(
                    color: plan.target, inService: inService.count, healthy: healthy, wanted: plan.capacity,
                    elapsedSeconds: clock.now().timeIntervalSince(start), timeoutSeconds: timeout)
                progress(last)
                if inService.count >= plan.capacity && healthy >= plan.capacity {
                    return "\(healthy)/\(plan.capacity) healthy (\(plan.targetGroupInUse ? "load balancer target health" : "HTTP \(env.health.path)"))"
                }
                wait = poll
            } catch {
                // A failed read (throttling, a blip): back off, within the one timeout.
                wait = min(wait * 2, 30)
            }
            let elapsed = clock.now().timeIntervalSince(start)
            if elapsed >= timeout {
                throw GateTimeout(description: "timed out after \(Int(timeout)) s: \(last.inService)/\(plan.capacity) InService, \(last.healthy)/\(plan.capacity) healthy")
            }
            try await clock.sleep(for: .milliseconds(Int64(min(wait, timeout - elapsed) * 1000)))
        }
    }

    struct GateTimeout: Error, CustomStringConvertible {
        var description: String
    }
}

extension BlueGreenRefresh {
    /// After the switch: the new live colour gets min = max(1, minimum) and its original max (at least the
    /// capacity); the old colour's min goes to 0 while it keeps running.
    public static func finalizeMutations(_ plan: Plan, environment env: EnvironmentConfiguration) -> [Mutation] {
        [
            .resizeGroup(name: plan.targetGroup.name, minSize: env.liveFloor, desiredCapacity: nil, maxSize: max(plan.targetGroup.maxSize, plan.capacity)),
            .resizeGroup(name: plan.liveGroup.name, minSize: 0, desiredCapacity: nil, maxSize: nil),
        ]
    }

    /// The calls a refresh would make before the health gate, in order, for `--dry-run`.
    public static func dryRunCalls(_ plan: Plan, environment env: EnvironmentConfiguration, options: Options) -> [Mutation] {
        var calls: [Mutation] = []
        if plan.liveGroup.minSize < plan.liveGroup.desiredCapacity {
            calls.append(.resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.desiredCapacity, desiredCapacity: nil, maxSize: nil))
        }
        calls.append(.putParameter(name: env.parameters.version(of: plan.target), value: plan.version))
        if options.version != nil { calls.append(.putParameter(name: env.parameters.version, value: plan.version)) }
        calls.append(.resizeGroup(name: plan.targetGroup.name, minSize: plan.capacity, desiredCapacity: plan.capacity, maxSize: plan.capacity))
        return calls
    }
}
