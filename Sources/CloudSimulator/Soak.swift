import Deployment
import Foundation

/// One random fault schedule for a blue-green, canary or linear deploy: the build's behaviour, boot times, API throttling, errors and
/// latency, lost instances, a crash of the tool at a step (then `--resume` or `recover`), a Ctrl-C, an alarm
/// during the bake period. The same seed always gives the same scenario and the same run.
public struct SoakScenario: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Build: String, Sendable, Codable, CaseIterable {
        /// Healthy 20 s after boot.
        case healthy
        /// Starts after 11 minutes: the gate times out.
        case slow
        /// Never passes its health check.
        case broken
        /// Up 8 s, down 8 s, forever: never stable for the gate.
        case flapping
        /// Healthy, but 30% of its answers are 5xx: the 5xx alarm fires during the bake period.
        case erroring
    }

    public enum Recovery: String, Sendable, Codable { case resume, recover }

    public var seed: UInt64
    public var environment: String
    public var liveInstances: Int
    public var build: Build
    public var bootSeconds: ClosedRange<Double>
    public var throttleRate: Double
    public var errorRate: Double
    public var latencySeconds: Double
    /// Seconds after the start when an instance of the new colour is lost.
    public var loseNewInstanceAt: Double?
    /// Seconds after the start when an instance of the live colour is lost.
    public var loseLiveInstanceAt: Double?
    /// The tool crashes right after journalling this step.
    public var crashAtStep: String?
    public var recovery: Recovery
    /// Seconds after the start when the operator presses Ctrl-C.
    public var interruptAfter: Double?
    /// The new colour's alarm is forced into ALARM as soon as the bake period starts.
    public var alarmDuringBake: Bool
    /// The new colour already runs an instance of an older build (`v0`), so the deploy is forced and must clear it.
    public var staleTarget: Bool
    /// The deploy's n-th change is answered AccessDenied (not retried); with `denyAfterChange`, after it was made.
    public var denyChange: Int?
    public var denyAfterChange: Bool
    /// `blue-green`, `canary` (25%, then all; 2 m step bake), `linear` (50% steps, 1 m step bake) or `instances` (one
    /// target group).
    public var strategy: DeployStrategy
    /// The world runs with AWS's delays and limits (`Calibration.aws`: route changes propagate for 5 s, the ELBv2
    /// Describe token bucket, alarms that see errors 2 minutes late), not an ideal cloud.
    public var calibrated: Bool
    /// Both colours boot one build object per environment (`builds: s3://compiler-explorer/version/{branch}`,
    /// `branches: {prod: release}`), as Compiler Explorer's instances do today.
    public var sharedBuildObject = false
    /// After the deploy (and whatever finished it), an operator rolls back to the colour kept warm.
    public var rollbackAfter = false

    public init(
        seed: UInt64, environment: String = "prod", liveInstances: Int = 2, build: Build = .healthy,
        bootSeconds: ClosedRange<Double> = 45...75, throttleRate: Double = 0, errorRate: Double = 0, latencySeconds: Double = 0,
        loseNewInstanceAt: Double? = nil, loseLiveInstanceAt: Double? = nil, crashAtStep: String? = nil,
        recovery: Recovery = .resume, interruptAfter: Double? = nil, alarmDuringBake: Bool = false, staleTarget: Bool = false,
        denyChange: Int? = nil, denyAfterChange: Bool = false, strategy: DeployStrategy = .blueGreen, calibrated: Bool = false
    ) {
        self.strategy = strategy
        self.calibrated = calibrated
        self.seed = seed
        self.environment = environment
        self.liveInstances = liveInstances
        self.build = build
        self.bootSeconds = bootSeconds
        self.throttleRate = throttleRate
        self.errorRate = errorRate
        self.latencySeconds = latencySeconds
        self.loseNewInstanceAt = loseNewInstanceAt
        self.loseLiveInstanceAt = loseLiveInstanceAt
        self.crashAtStep = crashAtStep
        self.recovery = recovery
        self.interruptAfter = interruptAfter
        self.alarmDuringBake = alarmDuringBake
        self.staleTarget = staleTarget
        self.denyChange = denyChange
        self.denyAfterChange = denyAfterChange
    }

    /// The steps a blue-green deploy journals (`DeployStrategy.journalledSteps`): where a crash can be injected.
    public static let crashSteps = DeployStrategy.blueGreen.journalledSteps

    /// The steps of the soak's canary and linear deploys: each split watched long enough for a 5xx alarm to see a
    /// build that fails at the soak's 2 requests per second (5 errors in 60 s at 30% errors needs 25% of the traffic).
    public var traffic: TrafficSteps? {
        switch strategy {
        case .canary: return TrafficSteps(percentages: [25, 100], stepBakeSeconds: 120)
        case .linear: return TrafficSteps(percentages: [50, 100], stepBakeSeconds: 60)
        case .blueGreen, .rolling, .instances: return nil
        }
    }

    /// A scenario drawn from `seed`.
    public static func random(seed: UInt64, liveInstances: Int? = nil) -> SoakScenario {
        var random = SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D)
        var scenario = drawn(seed: seed, liveInstances: liveInstances, random: &random)
        // Drawn last, so that every blue-green scenario of a seed stays as it was before canaries were drawn.
        var strategy = [DeployStrategy.blueGreen, .blueGreen, .blueGreen, .canary, .linear][random.index(5)]
        // Drawn after, so that the other scenarios of a seed stay as they were: a quarter of the blue-green ones switch
        // instances in one target group instead (no bake, so no alarm; a colour with capacity is refused, not forced).
        if strategy == .blueGreen && random.chance(0.25) {
            strategy = .instances
            scenario.staleTarget = false
            scenario.alarmDuringBake = false
        }
        if strategy != .blueGreen {
            scenario.strategy = strategy
            if scenario.crashAtStep != nil {
                let steps = strategy.journalledSteps
                scenario.crashAtStep = steps[random.index(steps.count)]
            }
        }
        // Drawn last, for the same reason: half of all scenarios run on a world calibrated as AWS documents it.
        scenario.calibrated = random.chance(0.5)
        // Drawn last too: a quarter of all scenarios boot from one object per environment, half of those rolled back.
        if random.chance(0.25) {
            scenario.sharedBuildObject = true
            scenario.rollbackAfter = random.chance(0.5)
        }
        return scenario
    }

    static func drawn(seed: UInt64, liveInstances: Int?, random: inout SeededRandom) -> SoakScenario {
        let environment = random.chance(0.7) ? "prod" : "beta"
        let builds: [Build] = [.healthy, .healthy, .healthy, .slow, .broken, .flapping, .erroring]
        let low = random.uniform(20...60)
        return SoakScenario(
            seed: seed, environment: environment,
            liveInstances: liveInstances ?? (environment == "prod" ? 2 + random.index(4) : 1 + random.index(2)),
            build: builds[random.index(builds.count)], bootSeconds: low...(low + random.uniform(0...60)),
            throttleRate: random.chance(0.5) ? random.uniform(0...0.4) : 0, errorRate: random.chance(0.3) ? random.uniform(0...0.1) : 0,
            latencySeconds: random.chance(0.3) ? random.uniform(0...0.5) : 0,
            loseNewInstanceAt: random.chance(0.25) ? random.uniform(0...200) : nil,
            loseLiveInstanceAt: random.chance(0.15) ? random.uniform(0...200) : nil,
            crashAtStep: random.chance(0.3) ? crashSteps[random.index(crashSteps.count)] : nil,
            recovery: random.chance(0.5) ? .resume : .recover, interruptAfter: random.chance(0.15) ? random.uniform(0...240) : nil,
            alarmDuringBake: random.chance(0.1), staleTarget: random.chance(0.15),
            denyChange: random.chance(0.15) ? 1 + random.index(22) : nil, denyAfterChange: random.chance(0.5))
    }

    public var description: String {
        var parts = [
            "seed \(seed)", "\(environment) ×\(liveInstances)", "build \(build.rawValue)",
        ]
        if let traffic { parts.append("\(strategy.rawValue) \(traffic.percentages.map { "\($0)%" }.joined(separator: "→"))") }
        if strategy == .instances { parts.append("instances (one target group)") }
        parts += [
            "boot \(Int(bootSeconds.lowerBound))–\(Int(bootSeconds.upperBound)) s",
        ]
        if throttleRate > 0 { parts.append("throttle \(Int(throttleRate * 100))%") }
        if errorRate > 0 { parts.append("5xx \(Int(errorRate * 100))%") }
        if latencySeconds > 0 { parts.append("latency \(Int(latencySeconds * 1000)) ms") }
        if let t = loseNewInstanceAt { parts.append("lose new instance at \(Int(t)) s") }
        if let t = loseLiveInstanceAt { parts.append("lose live instance at \(Int(t)) s") }
        if let step = crashAtStep { parts.append("crash at '\(step)' then \(recovery.rawValue)") }
        if let t = interruptAfter { parts.append("Ctrl-C at \(Int(t)) s") }
        if alarmDuringBake { parts.append("alarm during bake") }
        if staleTarget { parts.append("new colour runs v0 (forced)") }
        if let n = denyChange { parts.append("AccessDenied to change \(n)\(denyAfterChange ? " after making it" : "")") }
        if calibrated { parts.append("AWS delays") }
        if sharedBuildObject { parts.append("one build object for both colours") }
        if rollbackAfter { parts.append("then rollback") }
        return parts.joined(separator: ", ")
    }
}

/// What one scenario did.
public struct SoakOutcome: Sendable {
    public var scenario: SoakScenario
    /// How it ended: `deployed`, `failed at health gate`, `rolled back`, `interrupted`, `crashed at scale → resumed: deployed`, …
    public var result: String
    /// Every invariant violation the simulator saw (empty when the run was safe).
    public var violations: [String]
    public var virtualSeconds: Double
    public var calls: Int
    public var requests: Int
    public var failedRequests: Int
    public var events: [String]
    /// Requests served by an instance that booted a shared build object's other build (see `InvariantState`).
    public var offRecordRequests = 0
}

/// Runs `SoakScenario`s on the simulated cloud and checks the invariants after every event and at the end.
public enum Soak {
    public static let version = "v2"
    /// Virtual time after the last command before the end check: enough for a lost instance to be replaced.
    public static let settleSeconds: Int64 = 300

    /// The configuration the scenarios deploy with: the built-in layout, a 5xx alarm per colour, a 60 s bake.
    public static var configuration: DeploymentConfiguration {
        var configuration = DeploymentConfiguration.builtIn
        for name in configuration.environments.keys {
            configuration.environments[name]!.alarms = ["{env}-{color}-5xx"]
            configuration.environments[name]!.bakeSeconds = 60
        }
        return configuration
    }

    /// A scenario's configuration: for instance switching, its environment keeps one target group (`Prod`, `Beta`).
    public static func configuration(for scenario: SoakScenario) -> DeploymentConfiguration {
        var configuration = Self.configuration
        if scenario.sharedBuildObject {
            for name in configuration.environments.keys {
                configuration.environments[name]!.builds = .sharedObject(bucket: "compiler-explorer", keyPattern: "version/{branch}")
                configuration.environments[name]!.buildBranch = name == "prod" ? "release" : name
            }
        }
        if scenario.strategy == .instances, var environment = configuration.environments[scenario.environment] {
            let shared = DeploymentConfiguration.expand(DeploymentConfiguration.Defaults().sharedTargetGroupPattern, env: environment.name, color: nil)
            environment.targetGroupNames = ColorPair(blue: shared, green: shared)
            environment.strategy = .instances
            configuration.environments[scenario.environment] = environment
        }
        return configuration
    }

    public static func run(_ scenario: SoakScenario) async -> SoakOutcome {
        await run(scenario, on: makeCloud(scenario))
    }

    /// The scenario's world, before anything runs (for watching a run from a test).
    public static func makeCloud(_ scenario: SoakScenario) -> SimulatedCloud {
        let cloud = try! SimulatedCloud.designDocument(
            environments: ["prod", "beta"], configuration: configuration(for: scenario), seed: scenario.seed,
            liveInstances: [scenario.environment: scenario.liveInstances], requestsPerSecond: 2, alarms: "{env}-{color}-5xx")
        // The invariants are checked as each request is served; keeping every request would only grow the memory.
        cloud.change { $0.keepRequests = false }
        return cloud
    }

    public static func run(_ scenario: SoakScenario, on cloud: SimulatedCloud) async -> SoakOutcome {
        await FanOut.$sequential.withValue(true) { await runSequentially(scenario, on: cloud) }
    }

    static func runSequentially(_ scenario: SoakScenario, on cloud: SimulatedCloud) async -> SoakOutcome {
        let configuration = configuration(for: scenario)
        let environment = try! configuration.environment(scenario.environment)
        let start = cloud.now
        cloud.setBootSeconds(scenario.bootSeconds)
        if scenario.calibrated { cloud.setCalibration(.aws) }
        switch scenario.build {
        case .healthy: cloud.setBehaviour(version: version, .healthy(startSeconds: 20))
        case .slow: cloud.setBehaviour(version: version, .healthy(startSeconds: 660))
        case .broken: cloud.setBehaviour(version: version, .neverHealthy)
        case .flapping: cloud.setBehaviour(version: version, .flapping(up: 8, down: 8))
        case .erroring: cloud.setBehaviour(version: version, .erroring(0.3, startSeconds: 20))
        }
        let newGroup = environment.autoScalingGroupNames[.green]
        let liveGroup = environment.autoScalingGroupNames[.blue]
        if scenario.staleTarget {
            // Warm with an older build: an earlier deploy's colour, or someone scaled it by hand.
            cloud.setParameter(environment.parameters.version(of: .green), "v0")
            cloud.change { world in world.groups[newGroup]!.desiredCapacity = 1 }
            try? await cloud.clock.sleep(for: .seconds(120))
        }
        if let t = scenario.loseNewInstanceAt { cloud.loseInstance(of: newGroup, at: start.addingTimeInterval(t)) }
        if let t = scenario.loseLiveInstanceAt { cloud.loseInstance(of: liveGroup, at: start.addingTimeInterval(t)) }
        cloud.setFaults(
            Faults(
                throttleRate: scenario.throttleRate, errorRate: scenario.errorRate, latencySeconds: scenario.latencySeconds,
                crashAtStep: scenario.crashAtStep, denyChange: scenario.denyChange, denyAfterChange: scenario.denyAfterChange))

        let ports = cloud.patientPorts
        let interruption = Interruption()
        let alarm = DeploymentConfiguration.expand("{env}-{color}-5xx", env: scenario.environment, color: .green)
        let first = LockIdentity(holder: "operator@sim", command: "ce --env \(scenario.environment) environment refresh", pid: 1001)
        let progress: @Sendable (DeployProgress) -> Void = { progress in
            if let t = scenario.interruptAfter, cloud.now.timeIntervalSince(start) >= t { interruption.request("SIGINT") }
            if scenario.alarmDuringBake, progress.stage == .bake || progress.stage == .step { cloud.forceAlarm(alarm, "ALARM") }
        }
        let request = Deploy.Request.fresh(
            scenario.strategy, .init(version: version, force: scenario.staleTarget, traffic: scenario.traffic, strategyName: scenario.strategy.rawValue))
        var result = await attempt(
            "deploy", cloud: cloud, environment: environment, identity: first, takeOver: false, ports: ports,
            bound: bound(request, environment)
        ) {
            try await Deploy.run(request, environment: environment, ports: ports, identity: first, interruption: interruption, progress: progress)
        }

        // Whatever is left unfinished, the next operator finishes: `--resume` or `recover` as the scenario says,
        // then `recover` if that did not end it. A lock left by the dead process is taken over.
        var pid = 1002
        for mode in [scenario.recovery, .recover] where isUnfinished(cloud, environment) {
            cloud.restartTool()
            let identity = LockIdentity(holder: "operator@sim", command: "ce environment \(mode.rawValue)", pid: pid)
            pid += 1
            let outcome: String
            switch mode {
            case .resume:
                let journal = cloud.parameter(environment.parameters.deployment).flatMap(DeploymentJournal.decode)
                let seconds = journal.map { bound(.resume($0), environment) } ?? recoverBound(environment)
                outcome = await attempt("resume", cloud: cloud, environment: environment, identity: identity, takeOver: true, ports: ports, bound: seconds) {
                    guard let journal else { throw Refusal("no journal to resume") }
                    return try await Deploy.run(.resume(journal), environment: environment, ports: ports, identity: identity)
                }
            case .recover:
                outcome = await attempt(
                    "recover", cloud: cloud, environment: environment, identity: identity, takeOver: true, ports: ports, bound: recoverBound(environment)
                ) {
                    _ = try await Recovery(environment: environment, ports: ports).run(by: identity.holder)
                    return StepReport()
                }
            }
            result += " → \(outcome)"
        }
        if scenario.rollbackAfter && !isUnfinished(cloud, environment) {
            cloud.restartTool()
            // The scenario's AccessDenied is the deploy's n-th change; the operator's rollback is a command of its own.
            cloud.change { $0.faults.denyChange = nil }
            let identity = LockIdentity(holder: "operator@sim", command: "ce environment rollback", pid: pid)
            result += " → " + (await attempt("rollback", cloud: cloud, environment: environment, identity: identity, takeOver: true, ports: ports, bound: recoverBound(environment)) {
                try await rollback(environment, ports: ports, identity: identity)
            })
        }
        cloud.restartTool()
        // Let the world settle (Auto Scaling replaces instances lost late in the run) before the end check.
        try? await cloud.clock.sleep(for: .seconds(settleSeconds))
        cloud.checkEnd()
        return cloud.read { world in
            SoakOutcome(
                scenario: scenario, result: result, violations: world.invariants.violations,
                virtualSeconds: world.now.timeIntervalSince(world.start), calls: world.calls.count,
                requests: world.trafficCounts.values.reduce(0, +),
                failedRequests: world.trafficCounts.filter { $0.key.hasSuffix(" 500") || $0.key.hasSuffix(" 502") || $0.key.hasSuffix(" 503") }.values.reduce(0, +),
                events: world.events, offRecordRequests: world.invariants.offRecordRequests ?? 0)
        }
    }

    /// The virtual time a deploy may take in a scenario (`Deploy.longestRun`, the design document's 20 s drain), and
    /// the lock's own calls.
    static func bound(_ request: Deploy.Request, _ environment: EnvironmentConfiguration) -> Double {
        ((try? Deploy.longestRun(request, environment: environment, drainSeconds: SimulatedCloud.designDocumentTargetGroup.deregistrationDelaySeconds)) ?? 0)
            + recoverBound(environment)
    }

    /// The virtual time a recovery (or a refused command) may take: a propagation wait, and a score of calls each
    /// retried as long as the patient policy lets one call retry (the lock, the reads, the changes, the journal).
    static func recoverBound(_ environment: EnvironmentConfiguration) -> Double {
        Double(environment.propagationSeconds) + 20 * RetryPolicy.patient.longestWait.timeInterval
    }

    static func isUnfinished(_ cloud: SimulatedCloud, _ environment: EnvironmentConfiguration) -> Bool {
        cloud.parameter(environment.parameters.deployment).flatMap(DeploymentJournal.decode)?.isUnfinished == true
            || cloud.parameter(environment.parameters.deployLock) != nil
    }

    /// Runs `body` under the lock and says how it ended; past `bound` seconds of virtual time the tool is stopped and
    /// the scenario violates an invariant (`ToolBound`).
    /// `environment rollback`, as the command does it: to the warm colour, with its capacity proven (one target group:
    /// its instances re-registered by the instance switch).
    static func rollback(_ environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity) async throws -> StepReport {
        let snapshot = try await ports.statusReader(for: environment).snapshot()
        if environment.sharesOneTargetGroup {
            guard let serving = snapshot.status.albColor else { throw Refusal("no single colour serves") }
            return try await Deploy.run(.switchInstances(to: serving.other, from: serving, force: false), environment: environment, ports: ports, identity: identity)
        }
        let switching = TrafficSwitch(snapshot: snapshot)
        return try await SwitchRunner(environment: environment, ports: ports).runAllOrNothing(try switching.plan(to: try switching.rollbackTarget()))
    }

    static func attempt(
        _ name: String, cloud: SimulatedCloud, environment: EnvironmentConfiguration, identity: LockIdentity,
        takeOver: Bool, ports: CloudPorts, bound: Double, _ body: @escaping @Sendable () async throws -> StepReport
    ) async -> String {
        cloud.bindTool(name, seconds: bound)
        defer { cloud.bindTool(nil) }
        var manager = LockManager(environment: environment, store: ports.documents, clock: ports.clock)
        // Every earlier operator process of the scenario is gone by the time a later one runs.
        manager.holderIsGone = { $0.pid < identity.pid }
        do {
            _ = try await manager.withLock(identity, keepAlive: nil, takeOver: takeOver, body)
            return name == "deploy" ? "deployed" : "\(name): done"
        } catch let failure as DeployFailure {
            let crashed = cloud.isCrashed ? "crashed at \(failure.step)" : nil
            switch failure.kind {
            case .failed: return crashed ?? "\(name) failed at \(failure.step)"
            case .interrupted: return "\(name) interrupted at \(failure.step)"
            case .rolledBack: return "\(name) rolled back"
            }
        } catch is Refusal {
            return cloud.isCrashed ? "crashed" : "\(name) refused"
        } catch {
            return cloud.isCrashed ? "crashed" : "\(name) error: \(error)"
        }
    }
}
