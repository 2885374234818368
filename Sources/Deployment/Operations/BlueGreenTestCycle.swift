import Foundation

/// `environment test-blue-green`: the design document's beta test plan in one command, judged by its success
/// criteria. Under the caller's lock:
/// 1. the validate checklist must pass (else refused, nothing changed);
/// 2. traffic through the load balancer is watched from here to the end (`TrafficWatch`);
/// 3. a blue-green deploy of the build to the idle colour — gate, switch, bake, finalize — whose switch is timed
///    (from the first route change to every route read back);
/// 4. validate again (every check, the new colour serving and healthy);
/// 5. the switch back to the old colour, still warm, timed from its first read to every route read back — the
///    rollback a person would run;
/// 6. after the load balancer's propagation, the watch ends: every request must have been answered without a 5xx.
public struct BlueGreenTestCycle: Sendable {
    /// The design document's success criteria.
    public struct Criteria: Sendable, Equatable {
        public var switchSeconds: Double = 2
        public var rollbackSeconds: Double = 60
        public init() {}
    }

    /// One criterion: what was measured against what the document asks.
    public struct Check: Sendable, Equatable, Codable {
        public var name: String
        public var measured: String
        public var target: String
        public var passed: Bool
    }

    /// What the cycle did and how it measured up.
    public struct Result: Sendable, Equatable {
        public var from: Color
        public var to: Color
        public var version: String
        public var deploy: StepReport
        public var switchSeconds: Double
        public var rollback: StepReport
        public var rollbackSeconds: Double
        public var traffic: TrafficTally
        public var checks: [Check]
        public var passed: Bool { checks.allSatisfy(\.passed) }
    }

    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts
    public let identity: LockIdentity
    public let interruption: Interruption
    public var criteria = Criteria()

    public init(environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity, interruption: Interruption = Interruption()) {
        self.environment = environment
        self.ports = ports
        self.identity = identity
        self.interruption = interruption
    }

    /// Runs the cycle with `options` (a blue-green deploy) while `watch` counts the traffic.
    /// - Parameter say: each stage as it starts, for the operator watching.
    public func run(
        _ options: DeployOptions, watch: any TrafficWatch, say: @escaping @Sendable (String) -> Void = { _ in },
        progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> Result {
        let reader = ports.statusReader(for: environment)
        let before = try await reader.snapshot()
        let failing = EnvironmentValidator.checks(before).filter { $0.outcome == .fail }
        guard failing.isEmpty else {
            throw Refusal("\(environment.name) is not ready for the test: \(failing.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")). Nothing changed; see '\(environment.command("environment validate"))'.")
        }
        try Deploy.preflight(before, .fresh(.blueGreen, options))
        let version = try BuildName.toDeploy(options.version, snapshot: before)

        say("watching \(environment.name)'s traffic through the load balancer")
        let watcher = try await watch.start(environment)
        var stopped = false
        func stopWatching() async -> TrafficTally {
            stopped = true
            return await watcher.stop()
        }
        do {
            say("deploying to the idle colour")
            let deploy = try await Deploy.run(
                .fresh(.blueGreen, options), environment: environment, ports: ports, identity: identity, interruption: interruption, progress: progress)
            let switchSeconds = deploy.steps.filter { $0.name == "switch" || $0.name == "verify" }.reduce(0) { $0 + $1.seconds }

            say("validating the new colour")
            let after = try await reader.snapshot()
            let failed = EnvironmentValidator.checks(after).filter { $0.outcome == .fail }
            guard let to = after.status.albColor else {
                throw Refusal("After the deploy the load balancer does not send all of \(environment.name)'s traffic to one colour. Check '\(environment.command("environment status"))'.")
            }
            let healthy = after.status.color(to)?.targetHealth["healthy"] ?? 0

            say("switching back to \(to.other.rawValue)")
            let rollbackStarted = ports.clock.now()
            let back = try await reader.snapshot()
            let plan = try TrafficSwitch(snapshot: back).plan(to: to.other)
            let rollback = try await SwitchRunner(environment: environment, ports: ports).runAllOrNothing(plan)
            let rollbackSeconds = ports.clock.now().timeIntervalSince(rollbackStarted)

            // Requests that reached a load balancer node still on the new colour are counted too.
            if environment.propagationSeconds > 0 { try await ports.clock.sleep(for: .seconds(environment.propagationSeconds)) }
            let traffic = await stopWatching()
            let checks = [
                Check(name: "test deployment", measured: "done", target: "done", passed: true),
                Check(
                    name: "health checks", measured: failed.isEmpty ? "\(healthy) healthy, validate passed" : failed.map(\.name).joined(separator: ", "),
                    target: "all passing", passed: failed.isEmpty && healthy > 0),
                Check(name: "switch time", measured: Self.seconds(switchSeconds), target: "< \(Self.seconds(criteria.switchSeconds))", passed: switchSeconds < criteria.switchSeconds),
                Check(
                    name: "rollback time", measured: Self.seconds(rollbackSeconds), target: "< \(Self.seconds(criteria.rollbackSeconds))",
                    passed: rollbackSeconds < criteria.rollbackSeconds),
                Check(
                    name: "5xx errors", measured: "\(traffic.serverErrors) of \(traffic.requests) request(s)\(traffic.unanswered > 0 ? ", \(traffic.unanswered) unanswered" : "")",
                    target: "0", passed: traffic.serverErrors == 0 && traffic.unanswered == 0 && traffic.requests > 0),
            ]
            return Result(
                from: to.other, to: to, version: version, deploy: deploy, switchSeconds: switchSeconds, rollback: rollback,
                rollbackSeconds: rollbackSeconds, traffic: traffic, checks: checks)
        } catch {
            if !stopped { _ = await stopWatching() }
            throw error
        }
    }

    static func seconds(_ value: Double) -> String { value < 10 ? String(format: "%.2f s", value) : DurationText.of(value) }
}
