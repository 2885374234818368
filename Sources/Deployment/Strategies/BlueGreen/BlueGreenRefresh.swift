import Foundation

/// The blue-green deploy of `environment refresh --strategy blue-green`.
///
/// Steps, each recorded with its duration and journalled in `{prefix}deployment` before it changes anything:
/// 1. `preflight`: resolve everything; refuse (nothing changed) if an unfinished deploy is journalled, the inactive
///    colour already has capacity, SSM and the load balancer disagree (unless forced), or a watched alarm is missing.
/// 2. `protect`: the live colour's min is raised to its desired size, so it cannot shrink but can still grow.
/// 3. `clear` (only when forced onto a colour that has instances): scale it to 0 and wait until its instances are
///    gone — they may run another build, and every instance of the deployed colour must run the deployed one.
/// 3. `deploy`: write the inactive colour's `{color}/version` (and `version` when given) before it boots.
/// 4. `scale`: pin the inactive colour at the capacity (min = desired = max).
/// 5. `health gate`: wait until every new instance is `InService` and healthy — by the load balancer's target
///    health when a listener or rule uses the group, else by an HTTP check of each instance — and has stayed so for
///    `health.stable`, within one timeout, polling at most `pollSeconds` apart and backing off after failed reads.
/// 6. `switch`: every route at once, read back, then SSM (see `SwitchRunner`).
/// 7. `bake`: watch the new colour's target health and the configured alarms; on a failure switch back to the warm
///    old colour (`rollback`) and undo.
/// 8. `finalize`: the new live colour gets min = max(1, minimum) and its original max; the old colour's min goes to
///    0 but it keeps running, warm for rollback.
public struct BlueGreenRefresh: Sendable {
    public struct Options: Sendable, Equatable {
        public var version: String?
        public var capacity: Int?
        public var force = false
        public var keepFailed = false
        /// The colour to deploy to; must be the inactive one (`--target`, as in the design document's test plan).
        public var target: Color?
        /// The bake period; `nil` takes the environment's.
        public var bakeSeconds: Int?
        /// Canary or linear: traffic moves in these weighted steps instead of at once (`nil`: blue-green).
        public var traffic: TrafficSteps?
        /// The strategy's name, as the journal records it.
        public var strategyName: String
        public init(
            version: String? = nil, capacity: Int? = nil, force: Bool = false, keepFailed: Bool = false, target: Color? = nil,
            bakeSeconds: Int? = nil, traffic: TrafficSteps? = nil, strategyName: String? = nil
        ) {
            self.traffic = traffic
            self.strategyName = strategyName ?? (traffic == nil ? "blue-green" : "canary")
            self.target = target
            self.version = version
            self.capacity = capacity
            self.force = force
            self.keepFailed = keepFailed
            self.bakeSeconds = bakeSeconds
        }

        /// The settings a journalled deploy was started with (`--resume`).
        public init(journal: DeploymentJournal) {
            self.init(
                version: journal.setsVersion ? journal.version : nil, capacity: journal.capacity, force: true,
                keepFailed: journal.keepFailed, target: journal.to, bakeSeconds: journal.bakeSeconds, traffic: journal.traffic,
                strategyName: journal.strategy)
        }
    }

    /// What a deploy will do, worked out in preflight (or from the journal when resuming).
    public struct Plan: Sendable, Equatable {
        public var live: Color
        public var target: Color
        public var version: String
        public var capacity: Int
        /// The groups as they were before the deploy.
        public var liveGroup: ScalingGroupSnapshot
        public var targetGroup: ScalingGroupSnapshot
        /// Whether the load balancer health-checks the target group (a rule uses it); otherwise HTTP checks.
        public var targetGroupInUse: Bool
        public var targetGroupArn: String

        /// Whether the colour deployed to already has instances (a forced deploy): they may run another build, so
        /// the `clear` step scales it to 0 before the new build is written and the colour started afresh.
        public var clearsTarget: Bool { targetGroup.desiredCapacity > 0 || !targetGroup.instances.isEmpty }
    }

    /// A reading of the health gate or the bake period, for live display.
    public struct Progress: Sendable, Equatable {
        public enum Stage: String, Sendable { case healthGate = "health gate", step = "step bake", bake }
        public var stage: Stage
        public var color: Color
        public var inService: Int
        public var healthy: Int
        public var wanted: Int
        public var elapsedSeconds: Double
        /// The gate's timeout, or the bake period's length.
        public var limitSeconds: Double
        /// How long every instance has been healthy (gate), `nil` when not all are.
        public var stableSeconds: Double?
        public var neededStableSeconds: Double
        public var alarmsFiring: [String] = []
        /// A canary step's share of traffic on the new colour.
        public var percent: Int? = nil
    }

    /// One look at the new colour during the bake period.
    public struct BakeReading: Sendable, Equatable {
        public var healthy: Int
        public var unhealthy: Int
        /// Registered targets, draining ones excluded.
        public var total: Int
        public var firing: [String]
        public var missing: [String]
        public var watched: Int
        public init(healthy: Int, unhealthy: Int, total: Int, firing: [String] = [], missing: [String] = [], watched: Int = 0) {
            self.healthy = healthy
            self.unhealthy = unhealthy
            self.total = total
            self.firing = firing
            self.missing = missing
            self.watched = watched
        }

        /// Why the new colour must not keep the traffic, or `nil`.
        public var problem: String? {
            if !firing.isEmpty { return "alarm\(firing.count == 1 ? "" : "s") in ALARM: \(firing.joined(separator: ", "))" }
            if unhealthy > 0 { return "\(unhealthy) of \(total) target(s) unhealthy" }
            if total == 0 { return "no target registered" }
            if !missing.isEmpty { return "watched alarm\(missing.count == 1 ? "" : "s") no longer exist: \(missing.joined(separator: ", "))" }
            return nil
        }
    }

    /// A deploy that stopped: the step, the cause, and what state it left.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// Something failed; `state` says what was undone or is left.
            case failed
            /// A stop was requested (a signal) and the environment was brought to a consistent state.
            case interrupted
            /// The bake period failed and traffic went back to the old colour.
            case rolledBack = "rolled back"
        }
        public var step: String
        public var cause: String
        public var state: String
        public var report: StepReport
        public var kind: Kind = .failed

        public var description: String {
            switch kind {
            case .failed: return "refresh failed at \(step): \(cause). \(state)"
            case .interrupted: return "refresh stopped at \(step): \(cause). \(state)"
            case .rolledBack: return "refresh rolled back: \(cause). \(state)"
            }
        }
    }

    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts
    public let identity: LockIdentity
    public let interruption: Interruption

    public init(
        environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity = .unknown,
        interruption: Interruption = Interruption()
    ) {
        self.environment = environment
        self.ports = ports
        self.identity = identity
        self.interruption = interruption
    }

    public var reader: EnvironmentStatusReader { ports.statusReader(for: environment) }
    var clock: any WallClock { ports.clock }

    // MARK: - Preflight

    public static func plan(_ snapshot: EnvironmentSnapshot, options: Options) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        if let journal = status.deployment, journal.isUnfinished { throw journal.refusal(in: env) }
        if let shown = status.unreadableJournal { throw DeploymentJournal.unreadableRefusal(shown, in: env) }
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
        let version = try BuildName.toDeploy(options.version, snapshot: snapshot)
        if (options.bakeSeconds ?? env.bakeSeconds) > 0 {
            let missing = env.alarmNames(for: target).filter { status.alarms[$0] == nil || status.alarms[$0] == "missing" }
            if !missing.isEmpty {
                throw Refusal("The bake period would watch alarm\(missing.count == 1 ? "" : "s") that do not exist: \(missing.joined(separator: ", ")). Nothing changed; create them or fix 'alarms' in the config.")
            }
        }
        let capacity = options.capacity ?? max(liveGroup.desiredCapacity, env.liveFloor)
        guard capacity >= 1 else { throw Refusal("--capacity must be at least 1. Nothing changed.") }
        if capacity < env.liveFloor && !options.force {
            throw Refusal("--capacity \(capacity) is below \(env.name)'s live floor of \(env.liveFloor) (max(1, min instances)): all its traffic would rest on fewer instances through the bake. Nothing changed; give --capacity \(env.liveFloor) or more, or --force.")
        }
        return Plan(
            live: live, target: target, version: version, capacity: capacity, liveGroup: liveGroup, targetGroup: targetGroup,
            targetGroupInUse: snapshot.isInUse(targetTG), targetGroupArn: targetTG.arn)
    }

    // MARK: - Running

    /// A fresh deploy; see `run(_:progress:)`.
    public func run(options: Options, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> StepReport {
        try await run(.fresh(options), progress: progress)
    }

    /// Performs the actions of a `RefreshMachine` until it finishes, refuses or fails. A stop request on
    /// `interruption` takes the place of the next action the machine accepts it for (see `acceptsInterruption`).
    public func run(_ mode: RefreshMachine.Mode, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> StepReport {
        var machine = RefreshMachine(environment: environment, mode: mode, identity: identity)
        var event = RefreshMachine.Event.start
        var interruptionDelivered = false
        // Instance addresses never change: look each up once, not on every poll of the gate.
        var addresses: [String: String] = [:]
        while true {
            let action = machine.next(event, now: clock.now())
            switch event {
            case .health, .bake, .step: if let current = machine.progress { progress(current) }
            default: break
            }
            if !interruptionDelivered, let reason = interruption.reason, machine.acceptsInterruption {
                interruptionDelivered = true
                event = .interrupted(reason)
                continue
            }
            switch action {
            case .readSnapshot:
                event = .snapshot(try await reader.snapshot())
            case .record(let journal):
                do {
                    try await ports.documents.overwrite(name: environment.parameters.deployment, value: journal.json())
                    event = .recorded
                } catch {
                    event = .recordFailed(String(describing: error))
                }
            case .apply(let mutations):
                event = .applied
                for mutation in mutations {
                    do {
                        try await ports.applier.apply(mutation)
                    } catch {
                        event = .applyFailed("\(mutation): \(error)")
                        break
                    }
                }
            case .countInstances(let group):
                if let found = try? await ports.scalingGroups.groups(names: [group]) {
                    event = .instances(found[group]?.instances.count ?? 0)
                } else {
                    event = .instancesReadFailed
                }
            case .checkHealth(let plan):
                if let reading = try? await readHealth(plan, addresses: &addresses) {
                    event = .health(inService: reading.inService, healthy: reading.healthy)
                } else {
                    event = .healthReadFailed
                }
            case .checkBake(let plan, let alarms):
                if let reading = try? await readBake(plan, alarms: alarms) {
                    event = .bake(reading)
                } else {
                    event = .bakeReadFailed
                }
            case .wait(let duration):
                let completed = try await interruption.sleep(on: clock, for: duration)
                if !completed && !interruptionDelivered && machine.acceptsInterruption {
                    interruptionDelivered = true
                    event = .interrupted(interruption.reason ?? "a stop request")
                } else {
                    event = .waited
                }
            case .switchTraffic(let target, let checked):
                event = await switchTraffic(to: target, checked: checked, unsticky: machine.options.traffic?.stickinessSeconds != nil)
            case .shiftTraffic(let percent):
                event = await shiftTraffic(percent: percent, plan: machine.plan!, stickinessSeconds: machine.options.traffic?.stickinessSeconds)
            case .checkStep(let plan, let alarms, let deployment):
                if let reading = try? await readBake(plan, alarms: alarms) {
                    event = .step(reading, request: await takeRequest(for: deployment))
                } else {
                    event = .bakeReadFailed
                }
            case .undo(let mutations):
                var done: [String] = []
                var failed: [String] = []
                for mutation in mutations {
                    do {
                        try await ports.applier.apply(mutation)
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

    /// Every route to `target`, verified, then SSM. If it fails half-way, what this attempt changed is put back — the
    /// routes it moved (judged against the read it planned from: a route already on `target` was not moved by it) and
    /// the SSM values it wrote — so that the machine knows whether any traffic (or record) was left on `target`.
    func switchTraffic(to target: Color, checked: Bool, unsticky: Bool = false) async -> RefreshMachine.Event {
        let runner = SwitchRunner(environment: environment, applier: ports.applier, loadBalancer: ports.loadBalancer, clock: clock)
        var before: EnvironmentSnapshot?
        do {
            let fresh = try await reader.snapshot()
            before = fresh
            let plan = try TrafficSwitch(snapshot: fresh).plan(to: target, force: !checked, settleCapacity: false, unsticky: unsticky)
            return .switched(try await runner.run(plan))
        } catch {
            let cause = String(describing: error)
            // Without the read, nothing was sent.
            guard let before else { return .switchFailed(cause, trafficMoved: false) }
            guard let after = try? await reader.snapshot(), let arn = after.targetGroups[environment.targetGroupNames[target]!]?.arn else {
                return .switchFailed(cause, trafficMoved: true)
            }
            let untouched = Set(before.routes.filter { ($0.weights[arn] ?? 0) > 0 }.map(\.arn))
            let moved = after.routes.filter { ($0.weights[arn] ?? 0) > 0 && !untouched.contains($0.arn) }
            // Send the moved routes back to the other colour, so that no traffic is left on a colour being undone.
            guard let back = after.targetGroups[environment.targetGroupNames[target.other]!]?.arn else {
                return .switchFailed(cause, trafficMoved: !moved.isEmpty)
            }
            var note = ""
            if !moved.isEmpty {
                do {
                    _ = try await runner.run(moved.map { Mutation.forward(route: $0, targetGroupArn: back) })
                    note = "; the routes that had moved were sent back"
                } catch {
                    return .switchFailed(cause + "; sending the moved routes back failed too: \(error)", trafficMoved: true)
                }
            }
            // The SSM values this attempt wrote before it stopped, back to what they were.
            let names = environment.parameters
            let records: [Mutation] = [names.activeColor, names.activeTargetGroupArn].compactMap { name in
                guard let old = before.values[name], after.values[name] != old else { return nil }
                return .putParameter(name: name, value: old)
            }
            var recordsLeft = false
            if !records.isEmpty {
                do {
                    _ = try await runner.run(records)
                    note += "; \(records.count == 1 ? "the SSM value it had written was" : "the SSM values it had written were") put back"
                } catch {
                    recordsLeft = true
                    note += "; putting SSM back failed too: \(error)"
                }
            }
            return .switchFailed(cause + note, trafficMoved: false, returned: !moved.isEmpty, recordsLeft: recordsLeft)
        }
    }

    /// A canary step: every serving route split, read back, verified. A failure leaves the routes as they are: the
    /// machine then returns all traffic to the old colour.
    func shiftTraffic(percent: Int, plan: Plan, stickinessSeconds: Int?) async -> RefreshMachine.Event {
        do {
            let mutations = try TrafficShift.plan(
                try await reader.snapshot(), live: plan.live, target: plan.target, percent: percent, stickinessSeconds: stickinessSeconds)
            let runner = SwitchRunner(environment: environment, applier: ports.applier, loadBalancer: ports.loadBalancer, clock: clock)
            var report = try await runner.run(mutations)
            if mutations.isEmpty { report.add("shift", seconds: 0, "every route already carries \(percent)%") }
            return .shifted(report)
        } catch {
            return .shiftFailed(String(describing: error))
        }
    }

    /// The request (`environment promote` / `abort`) addressed to `deployment`, removed once taken; a request for
    /// another deploy is left alone, and a read that fails is no request (the next poll reads again).
    func takeRequest(for deployment: String) async -> DeploymentRequest.Kind? {
        let name = environment.parameters.deploymentRequest
        guard let value = try? await ports.documents.read(name: name), let request = DeploymentRequest.decode(value),
            request.deployment == deployment
        else { return nil }
        try? await ports.documents.delete(name: name)
        return request.kind
    }

    /// One reading of the target colour: instances InService, and how many of them are healthy — by the load
    /// balancer's target health when a listener or rule uses the group, else by HTTP.
    func readHealth(_ plan: Plan, addresses: inout [String: String]) async throws -> (inService: Int, healthy: Int) {
        let env = environment
        let groups = try await ports.scalingGroups.groups(names: [plan.targetGroup.name])
        let inService = (groups[plan.targetGroup.name]?.instances ?? []).filter { $0.lifecycleState == "InService" }.map(\.id)
        if plan.targetGroupInUse {
            let targets = try await ports.loadBalancer.targetHealth(targetGroupArn: plan.targetGroupArn)
            let ids = Set(inService)
            return (inService.count, targets.filter { ids.contains($0.id) && $0.state == "healthy" }.count)
        }
        guard !inService.isEmpty else { return (0, 0) }
        let unknown = inService.filter { addresses[$0] == nil }
        if !unknown.isEmpty { addresses.merge(try await ports.instances.addresses(instanceIds: unknown)) { $1 } }
        let known = addresses
        let prober = ports.prober
        let results = await FanOut.map(inService.compactMap { known[$0] }) { address in
            await prober.isHealthy(address: address, port: env.health.port, path: env.health.path, timeout: .seconds(2))
        }
        return (inService.count, results.filter { $0 }.count)
    }

    /// One look at the new colour during the bake: its target health and the watched alarms.
    func readBake(_ plan: Plan, alarms: [String]) async throws -> BakeReading {
        let targets = try await ports.loadBalancer.targetHealth(targetGroupArn: plan.targetGroupArn).filter { $0.state != "draining" }
        let states = alarms.isEmpty ? [:] : try await ports.alarms.states(names: alarms)
        return BakeReading(
            healthy: targets.filter { $0.state == "healthy" }.count, unhealthy: targets.filter { $0.state == "unhealthy" }.count,
            total: targets.count, firing: alarms.filter { states[$0] == "ALARM" }, missing: alarms.filter { states[$0] == nil },
            watched: alarms.count)
    }
}

extension BlueGreenRefresh.Plan {
    /// The plan of a journalled deploy, with the groups' original settings.
    public init?(journal: DeploymentJournal, snapshot: EnvironmentSnapshot) {
        guard let from = journal.originalGroup(journal.from), let to = journal.originalGroup(journal.to) else { return nil }
        func group(_ settings: DeploymentJournal.GroupSettings) -> ScalingGroupSnapshot {
            let current = snapshot.groups[settings.name]
            return ScalingGroupSnapshot(
                name: settings.name, minSize: settings.min, desiredCapacity: settings.desired, maxSize: settings.max,
                instances: current?.instances ?? [], targetGroupArns: current?.targetGroupArns ?? [], tags: current?.tags ?? [:])
        }
        let targetGroupName = snapshot.environment.targetGroupNames[journal.to]!
        self.init(
            live: journal.from, target: journal.to, version: journal.version, capacity: journal.capacity, liveGroup: group(from),
            targetGroup: group(to), targetGroupInUse: snapshot.targetGroups[targetGroupName].map(snapshot.isInUse) ?? false,
            targetGroupArn: journal.targetGroupArn)
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
        case .clear:
            return [.resizeGroup(name: plan.targetGroup.name, minSize: 0, desiredCapacity: 0, maxSize: nil)]
        case .deploy:
            var mutations: [Mutation] = [.putParameter(name: env.parameters.version(of: plan.target), value: plan.version)]
            if options.version != nil { mutations.append(.putParameter(name: env.parameters.version, value: plan.version)) }
            return mutations
        case .scale:
            return [.resizeGroup(name: plan.targetGroup.name, minSize: plan.capacity, desiredCapacity: plan.capacity, maxSize: plan.capacity)]
        case .finalize:
            // (A forced deploy below the floor is raised to it now that it serves.)
            return [
                .resizeGroup(
                    name: plan.targetGroup.name, minSize: env.liveFloor, desiredCapacity: plan.capacity < env.liveFloor ? env.liveFloor : nil,
                    maxSize: max(plan.targetGroup.maxSize, plan.capacity, env.liveFloor)),
                .resizeGroup(name: plan.liveGroup.name, minSize: 0, desiredCapacity: nil, maxSize: nil),
            ]
        case .preflight, .healthGate, .switchTraffic, .bake, .rollback, .done, .shift, .stepBake, .abort:
            return []
        }
    }
}
