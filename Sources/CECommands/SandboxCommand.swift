import ArgumentParser
import CloudSimulator
import Deployment
import Foundation
import Synchronization

/// `ce sandbox …`: shape the simulated cloud that `ce --sandbox` commands run against, and soak-test ce on it.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Control the simulated cloud of 'ce --sandbox' (./.ce-sandbox, or CE_SANDBOX_DIR): reset it, script builds and faults, let time pass, soak-test.",
        subcommands: [
            SandboxResetCommand.self, SandboxShowCommand.self, SandboxAppCommand.self, SandboxFaultsCommand.self,
            SandboxAdvanceCommand.self, SandboxLoseInstanceCommand.self, SandboxAlarmCommand.self, SandboxSoakCommand.self,
        ])
}

/// Opens the sandbox, changes it, saves it.
enum SandboxEdit {
    static func run(fresh: SimulatedCloud? = nil, _ body: (Sandbox) throws -> String) throws {
        do {
            let sandbox = try Sandbox(fresh: fresh)
            let message = try body(sandbox)
            try sandbox.save()
            print(message)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
    }
}

struct SandboxResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Start afresh: Compiler Explorer's load balancer (prod and eight path environments, other services' and preview rules), blue live at v1, no faults.")

    @Option(help: "Seed of the simulated world (boot times, traffic, faults).") var seed: UInt64 = Sandbox.defaultSeed
    @Option(name: .customLong("requests-per-second"), help: "Traffic sent to each environment, requests per second.") var requestsPerSecond: Double = 5
    @Option(name: .customLong("prod-instances"), help: "Instances of prod's live colour (default 2).") var prodInstances: Int?

    func validate() throws {
        guard requestsPerSecond >= 0 && requestsPerSecond <= 1000 else {
            throw ValidationError("--requests-per-second must be between 0 and 1000.")
        }
        if let prodInstances, !(2...1000).contains(prodInstances) { throw ValidationError("--prod-instances must be between 2 and 1000.") }
    }

    @ParentCommand var root: CERootCommand

    func run() throws {
        let directory = Sandbox.directory()
        // `ce sandbox reset --config FILE`: the world laid out as the file says; commands then use the same --config.
        let path = root.global.config
        let configuration: DeploymentConfiguration?
        let world: SimulatedCloud
        do {
            configuration = try path.map { try ConfigurationLoader.load(path: try ConfigurationLoader.locate(explicit: $0, workingDirectory: "", home: "")) }
            world = try Sandbox.newWorld(seed: seed, requestsPerSecond: requestsPerSecond, prodInstances: prodInstances, configuration: configuration)
        } catch {
            throw CommandFailure.report(error)
        }
        try SandboxEdit.run(fresh: world) { _ in
            try Sandbox.remember(configuration: configuration == nil ? nil : path, in: directory)
            guard let configuration, let path else {
                return "sandbox reset in \(directory): prod (\(prodInstances ?? 2) instances) and beta, staging, gpu, wintest, winstaging, winprod, aarch64prod, aarch64staging behind GccExplorerApp with other services' and preview rules; blue live at v1 (seed \(seed), \(requestsPerSecond) requests/s each)."
            }
            let names = configuration.environments.keys.sorted().map { name in
                let env = configuration.environments[name]!
                return "\(name) (\(env.strategy.rawValue)\(env.sharesOneTargetGroup ? ", one target group \(env.targetGroupNames.blue)" : ""))"
            }
            return "sandbox reset in \(directory) as \(path) lays it out: \(names.joined(separator: ", ")); blue live at v1 (seed \(seed), \(requestsPerSecond) requests/s each). Later commands on this sandbox use that file (with --config or without)."
        }
    }
}

struct SandboxAppCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app", abstract: "Script how a build behaves once deployed (healthy by default).")

    @Argument(help: "The build, e.g. v2.") var version: String
    @Option(help: "Seconds after boot before it answers.") var start: Double = 0
    @Flag(name: .customLong("never-healthy"), help: "It never passes its health check.") var neverHealthy = false
    @Option(help: "Percent of its answers that are 5xx (feeds the 5xx alarms).") var errors: Double = 0
    @Option(help: "UP:DOWN seconds: it flaps forever.") var flapping: String?

    func validate() throws {
        // The build a deploy may name: the same rules as `--version` and `builds set-current`.
        if let problem = BuildName.problem(version) {
            throw ValidationError("The build \(BuildName.quoted(version)) cannot be used: \(problem). A build name is \(BuildName.rule).")
        }
        guard start >= 0, (0...100).contains(errors) else { throw ValidationError("--start must be at least 0 and --errors between 0 and 100.") }
        if let flapping, parseFlapping(flapping) == nil { throw ValidationError("--flapping takes UP:DOWN seconds, e.g. 8:8.") }
        if neverHealthy && flapping != nil { throw ValidationError("--never-healthy and --flapping exclude each other.") }
    }

    func parseFlapping(_ text: String) -> (Double, Double)? {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        return parts.count == 2 && parts.allSatisfy { $0 > 0 } ? (parts[0], parts[1]) : nil
    }

    static func describe(_ behaviour: AppBehaviour) -> String {
        var text: String
        switch behaviour.health {
        case .healthy: text = "healthy"
        case .never: text = "never healthy"
        case .flapping(let up, let down): text = "flapping \(Int(up)):\(Int(down)) s"
        }
        if behaviour.startSeconds > 0 { text += " after \(Int(behaviour.startSeconds)) s" }
        if behaviour.errorRate > 0 { text += ", \(Int(behaviour.errorRate * 100))% 5xx" }
        return text
    }

    func run() throws {
        var behaviour = AppBehaviour(startSeconds: start, errorRate: errors / 100)
        if neverHealthy { behaviour.health = .never }
        if let flapping, let (up, down) = parseFlapping(flapping) { behaviour.health = .flapping(up: up, down: down) }
        try SandboxEdit.run { sandbox in
            sandbox.cloud.setBehaviour(version: version, behaviour)
            return "sandbox: build \(version) is \(Self.describe(behaviour)) (instances that boot it from now on)."
        }
    }
}

struct SandboxFaultsCommand: ParsableCommand {
    /// A step name as typed on the command line: `health-gate`.
    static func dashed(_ step: String) -> String { step.replacingOccurrences(of: " ", with: "-") }

    static let configuration = CommandConfiguration(
        commandName: "faults", abstract: "Inject faults into ce's calls: throttling, 5xx, latency, a crash after a step, AccessDenied.")

    @Option(help: "Percent of API attempts throttled.") var throttle: Double?
    @Option(help: "Percent of API attempts answered 5xx.") var errors: Double?
    @Option(help: "Milliseconds each API call takes.") var latency: Double?
    @Option(name: .customLong("crash-at"), help: ArgumentHelp("The next deploy dies right after journalling this step (\(DeployStrategy.allCases.map { "\($0.rawValue): \($0.journalledSteps.map(Self.dashed).joined(separator: ", "))" }.joined(separator: "; ")); a canary's later splits: shift-2, step-bake-2; with --approve: approval).", valueName: "step"))
    var crashAt: String?
    @Option(help: "Answer this call AccessDenied (repeatable): OPERATION or 'OPERATION SUBJECT', e.g. 'SSM DeleteParameter' or 'SSM PutParameter /compiler-explorer/prod/active-target-group-arn'.")
    var deny: [String] = []
    @Option(name: .customLong("deny-change"), help: "Answer the N-th change ce makes from now AccessDenied.") var denyChange: Int?
    @Flag(name: .customLong("after-change"), help: "With --deny-change: make the change, then answer AccessDenied (the answer is lost).")
    var afterChange = false
    @Flag(help: "Remove every fault.") var clear = false

    func validate() throws {
        for (name, value) in [("--throttle", throttle), ("--errors", errors)] {
            if let value, !(0...100).contains(value) { throw ValidationError("\(name) must be a percentage between 0 and 100.") }
        }
        if let latency, !(0...60000).contains(latency) { throw ValidationError("--latency must be between 0 and 60000 ms.") }
        if let denyChange, denyChange < 1 { throw ValidationError("--deny-change counts changes from 1.") }
        if afterChange && denyChange == nil { throw ValidationError("--after-change goes with --deny-change N.") }
        if let bad = deny.first(where: { $0.split(separator: " ").count < 2 }) {
            throw ValidationError("--deny '\(bad)' must name a service and an operation, e.g. 'SSM DeleteParameter'.")
        }
        if let crashAt, !DeployStrategy.allJournalledSteps.contains(Faults.parseCrashPoint(crashAt).step) {
            throw ValidationError("--crash-at must be one of: \(DeployStrategy.allJournalledSteps.map(Self.dashed).joined(separator: ", ")) (a canary's later splits: shift-2, step-bake-2).")
        }
    }

    func run() throws {
        try SandboxEdit.run { sandbox in
            sandbox.cloud.change { world in
                if clear { world.faults = Faults() }
                if let throttle { world.faults.throttleRate = throttle / 100 }
                if let errors { world.faults.errorRate = errors / 100 }
                if let latency { world.faults.latencySeconds = latency / 1000 }
                if let crashAt { world.faults.crashAtStep = crashAt }
                if !deny.isEmpty { world.faults.denied += deny }
                if let denyChange {
                    world.faults.changesSeen = 0
                    world.faults.denyChange = denyChange
                    world.faults.denyAfterChange = afterChange
                }
                return "sandbox faults: \(world.faults)."
            }
        }
    }
}

struct SandboxAdvanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "advance", abstract: "Let virtual time pass (traffic flows, instances boot, alarms evaluate).")

    @Argument(help: "How long, e.g. 90s, 10m, 1h.") var duration: String

    func validate() throws {
        guard let seconds = ConfigurationLoader.seconds(duration), seconds <= 7 * 86400 else {
            throw ValidationError("The duration must be like 90s, 10m or 1h (at most a week), not '\(duration)'.")
        }
    }

    func run() throws {
        let seconds = Double(ConfigurationLoader.seconds(duration)!)
        try SandboxEdit.run { sandbox in
            sandbox.cloud.change { $0.advance(to: $0.now.addingTimeInterval(seconds)) }
            return sandbox.summary()
        }
    }
}

struct SandboxLoseInstanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lose-instance", abstract: "A spot interruption: the group's newest instance disappears now.")

    @Argument(help: "The Auto Scaling group, e.g. prod-blue.") var group: String

    func run() throws {
        try SandboxEdit.run { sandbox in
            guard sandbox.cloud.read({ $0.groups[group]?.instanceIds.isEmpty == false }) else {
                throw CommandError("The sandbox group '\(group)' does not exist or has no instance. 'ce --sandbox --env prod environment status' shows the groups.")
            }
            sandbox.cloud.loseInstance(of: group, at: sandbox.cloud.now)
            sandbox.cloud.change { $0.advance(to: $0.now.addingTimeInterval(1)) }
            return "sandbox: \(group) lost an instance; Auto Scaling launches a replacement."
        }
    }
}

struct SandboxAlarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alarm", abstract: "Force an alarm's state, or give it back to its 5xx metric.")

    @Argument(help: "The alarm, e.g. prod-green-5xx.") var name: String
    @Option(help: "ALARM, OK, or auto (computed from the 5xx answers).") var state: String

    func validate() throws {
        guard ["ALARM", "OK", "auto"].contains(state) else { throw ValidationError("--state must be ALARM, OK or auto.") }
    }

    func run() throws {
        try SandboxEdit.run { sandbox in
            guard sandbox.cloud.read({ $0.alarms[name] != nil }) else {
                throw CommandError("No sandbox alarm '\(name)'. Alarms: \(sandbox.cloud.read { $0.alarms.keys.sorted().joined(separator: ", ") }).")
            }
            sandbox.cloud.forceAlarm(name, state == "auto" ? nil : state)
            return "sandbox: alarm \(name) is \(state == "auto" ? "computed from 5xx answers" : "forced to \(state)")."
        }
    }
}

/// `ce sandbox soak`: many random fault schedules against the simulator's invariants.
struct SandboxSoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run many seeded random fault schedules (bad builds, throttling, 5xx, latency, lost instances, crashes, Ctrl-C, alarms) and check the invariants.",
        discussion: "Exits 1 if any invariant was violated, printing each failing seed; a seed replays exactly with --seed N --runs 1 --events.")

    @Option(help: "How many scenarios.") var runs = 300
    @Option(help: "The first scenario's seed; the others follow.") var seed: UInt64 = 1
    @Option(help: "Instances in the live colour (default: 1–5, drawn per scenario).") var instances: Int?
    @Flag(help: "Print every scenario's event log.") var events = false
    @Option(help: "Seconds of wall time one scenario may take before the soak calls it a hang and stops (exit 1).")
    var scenarioTimeout = 60

    func validate() throws {
        guard (1...1_000_000).contains(runs) else { throw ValidationError("--runs must be between 1 and 1000000.") }
        if let instances, !(1...5000).contains(instances) { throw ValidationError("--instances must be between 1 and 5000.") }
        guard (1...3600).contains(scenarioTimeout) else { throw ValidationError("--scenario-timeout must be between 1 and 3600 (seconds).") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let soak = SoakRun(
            firstSeed: seed, runs: runs, liveInstances: instances, parallel: ProcessInfo.processInfo.activeProcessorCount,
            keepEvents: events || runs == 1)
        if runs == 1 { FileHandle.standardOutput.write(Data("\(SoakScenario.random(seed: seed, liveInstances: instances))\n".utf8)) }
        let progress = SoakProgress(started: started)
        let watchdog = SoakWatchdog(limit: .seconds(scenarioTimeout), onHang: SoakWatchdog.exitOnHang)
        let summary = await soak.run(
            starting: { watchdog.started($0.seed) },
            finished: { outcome, summary in
                watchdog.ended(outcome.scenario.seed)
                progress.show(done: summary.scenarios, of: runs, violating: summary.failing.count)
            })
        watchdog.stop()
        progress.finish()
        let elapsed = ContinuousClock.now - started
        for outcome in summary.outcomes where events || runs == 1 {
            print(runs == 1 ? "  → \(outcome.result)" : "\(outcome.scenario)\n  → \(outcome.result)")
            if events { outcome.events.forEach { print("    \($0)") } }
        }
        let seconds = elapsed.timeInterval
        print("soak: \(runs) scenario(s) from seed \(seed) in \(String(format: "%.2f", seconds)) s wall (\(String(format: "%.1f", seconds * 1000 / Double(runs))) ms each), \(Int(summary.virtualSeconds / 3600)) h of virtual time, \(summary.requests) requests")
        let strategies = DeployStrategy.allCases.compactMap { strategy -> String? in
            let count = summary.byStrategy[strategy] ?? 0
            return count > 0 ? "\(count) \(strategy.rawValue)" : nil
        }
        print("  strategies: \(strategies.joined(separator: ", "))")
        if summary.sharedObjectScenarios > 0 {
            print("  one build object for both colours: \(summary.sharedObjectScenarios) scenario(s); \(summary.offRecordRequests) request(s) served by an instance that booted the object's other build (the layout's exposure, not counted as a violation)")
        }
        for (kind, count) in summary.byResult.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            print("  \(String(count).padding(toLength: 6, withPad: " ", startingAt: 0)) \(kind)")
        }
        if summary.failing.isEmpty {
            print("invariants: all held in every scenario")
        } else {
            print("INVARIANTS VIOLATED in \(summary.failing.count) scenario(s):")
            for outcome in summary.failing {
                print("  \(outcome.scenario)\n    → \(outcome.result)")
                outcome.violations.forEach { print("    ! \($0)") }
            }
            throw ExitCode(1)
        }
    }
}

/// A long soak's progress on standard error (the results stay on standard output): a redrawn line on a terminal,
/// a line every ten seconds otherwise; nothing for a run of a few seconds.
final class SoakProgress: Sendable {
    struct State {
        var lastShown: ContinuousClock.Instant
        var shown = false
    }

    let started: ContinuousClock.Instant
    let isTerminal = isatty(STDERR_FILENO) == 1
    let state: Mutex<State>

    init(started: ContinuousClock.Instant) {
        self.started = started
        state = Mutex(State(lastShown: started))
    }

    func show(done: Int, of total: Int, violating: Int) {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            guard done < total, now - state.lastShown >= (isTerminal ? .milliseconds(500) : .seconds(10)) else { return false }
            state.lastShown = now
            state.shown = true
            return true
        }
        guard due else { return }
        let elapsed = (now - started).components.seconds
        let text = "soak: \(done)/\(total) scenarios, \(elapsed) s, \(violating == 0 ? "every invariant held so far" : "\(violating) violating")"
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K\(text)" : text + "\n").utf8))
    }

    func finish() {
        if isTerminal && state.withLock({ $0.shown }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
