import ArgumentParser
import Deployment
import Foundation

/// `ce environment refresh --strategy blue-green`: deploy the build to the inactive colour, gate on health, switch,
/// bake; `--resume` continues a deploy that stopped half-way.
struct EnvironmentRefreshCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Deploy a new build with zero downtime: the inactive colour is scaled up, health-gated, then gets all traffic at once.",
        discussion: """
            Exit codes: 0 deployed; 1 failed (the message says what state it left); 2 refused, nothing changed; \
            3 rolled back after the bake period; 128+N stopped by signal N and brought to a consistent state. \
            See the README's 'Deploying' section for every step.
            """
    )

    @Option(help: "blue-green, canary, linear or rolling (default: the environment's configured strategy, else blue-green).")
    var strategy: DeployStrategy?
    @Option(help: "Canary: the shares of traffic on the new colour, e.g. 10,50,100 (default from the config, else 10,100).")
    var steps: String?
    @Option(help: "Linear: the share of traffic added at each step, in percent (default from the config, else 20).") var step: Int?
    @Option(name: .customLong("step-bake"), help: "Canary/linear: watch each step this long (e.g. 2m; default from the config, else 5m).")
    var stepBake: String?
    @Option(help: "Canary/linear: target-group stickiness while traffic is split (1s–7d, e.g. 1h), so a user stays on one build.")
    var stickiness: String?
    @Option(help: "Instances for the new colour (default: the live colour's desired, at least the live floor).") var capacity: Int?
    @Option(help: "Build to deploy (default: the environment's version parameter, see 'builds set_current').") var version: String?
    @Option(help: "The colour to deploy to (optional; must be the inactive one).") var target: String?
    @Option(help: "Watch the new colour this long after the switch (e.g. 90s, 5m; 0 turns it off); default from the config (1m).")
    var bake: String?
    @Flag(help: "Continue the unfinished deploy recorded in the journal, from its step.") var resume = false
    @Flag(help: "Deploy even if the inactive colour has capacity or SSM and the load balancer disagree.") var force = false
    @Flag(name: .customLong("keep-failed"), help: "On failure, leave the new colour running for inspection.")
    var keepFailed = false
    @Option(name: .customLong("min-healthy-percent"), help: "Rolling strategy: the share of instances kept in service (default 75).")
    var minHealthyPercent = 75
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        if let capacity, !(1...1000).contains(capacity) { throw ValidationError("--capacity must be between 1 and 1000.") }
        guard (0...100).contains(minHealthyPercent) else { throw ValidationError("--min-healthy-percent must be between 0 and 100.") }
        if let version, let problem = BuildName.problem(version) {
            throw ValidationError("--version \(BuildName.quoted(version)) cannot be used: \(problem). A build name is \(BuildName.rule).")
        }
        if let bake, ConfigurationLoader.seconds(bake).map({ $0 <= 86400 }) != true {
            throw ValidationError("--bake must be a duration such as 0, 90s, 5m or 1h (at most 24h), not '\(bake)'.")
        }
        if resume && (version != nil || capacity != nil || target != nil || bake != nil || force || keepFailed || strategy != nil || trafficOptionGiven) {
            throw ValidationError("--resume continues the recorded deploy with its own settings: drop --version, --capacity, --target, --bake, --force, --keep-failed, --strategy, --steps, --step, --step-bake and --stickiness.")
        }
        if let steps, parsedSteps(steps) == nil {
            throw ValidationError("--steps must be percentages separated by commas, increasing, e.g. 10,50,100, not '\(steps)'.")
        }
        if let step, !(1...99).contains(step) { throw ValidationError("--step must be a percentage from 1 to 99, not \(step).") }
        if let stepBake, ConfigurationLoader.seconds(stepBake).map({ $0 <= 86400 }) != true {
            throw ValidationError("--step-bake must be a duration such as 0, 90s, 5m or 1h (at most 24h), not '\(stepBake)'.")
        }
        if let stickiness, ConfigurationLoader.seconds(stickiness).map(TrafficSteps.stickinessRange.contains) != true {
            throw ValidationError("--stickiness must be a duration from 1s to 7d, such as 30m or 1h, not '\(stickiness)'.")
        }
        if steps != nil && strategy != nil && strategy != .canary {
            throw ValidationError("--steps belongs to --strategy canary (linear takes --step).")
        }
        if step != nil && strategy != nil && strategy != .linear {
            throw ValidationError("--step belongs to --strategy linear (canary takes --steps).")
        }
    }

    var trafficOptionGiven: Bool { steps != nil || step != nil || stepBake != nil || stickiness != nil }

    func parsedSteps(_ text: String) -> [Int]? {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        return values.map { $0! }
    }

    /// The strategy to run: the journal's when resuming, else `--strategy`, else the configured one — and canary
    /// when only --steps is given, linear when only --step is.
    func chosenStrategy(_ environment: EnvironmentConfiguration, resumed: DeploymentJournal?) throws -> DeployStrategy {
        if let resumed {
            guard let recorded = DeployStrategy(journal: resumed) else {
                throw Refusal("The unfinished deployment \(resumed.id) is a '\(resumed.strategy)' deploy, which this ce does not know. Nothing changed; run 'ce --env \(environment.name) environment recover'.")
            }
            return recorded
        }
        if let strategy { return strategy }
        if steps != nil { return .canary }
        if step != nil { return .linear }
        return environment.strategy
    }

    func refreshOptions(_ strategy: DeployStrategy, environment: EnvironmentConfiguration) throws -> BlueGreenRefresh.Options {
        if !strategy.splitsTraffic && trafficOptionGiven {
            throw ValidationError("--steps, --step, --step-bake and --stickiness belong to the canary and linear strategies, not \(strategy.rawValue).")
        }
        let traffic = try environment.canary.steps(
            for: strategy, canarySteps: steps.flatMap(parsedSteps), linearStep: step,
            stepBakeSeconds: stepBake.flatMap(ConfigurationLoader.seconds), stickinessSeconds: stickiness.flatMap(ConfigurationLoader.seconds))
        return BlueGreenRefresh.Options(
            version: version, capacity: capacity, force: force, keepFailed: keepFailed, target: try target.map(Color.parse),
            bakeSeconds: bake.flatMap(ConfigurationLoader.seconds), traffic: traffic, strategyName: strategy.rawValue)
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run {
            let environment = try options.environmentConfiguration()
            try await Backend.with(options) { backend in
                // Resuming, the journal says which strategy the unfinished deploy used (one read, not a snapshot); with
                // nothing to resume, the refusal comes before the lock is taken.
                let resumed = resume ? try await Self.unfinishedJournal(environment, backend: backend) : nil
                let chosen = try chosenStrategy(environment, resumed: resumed)
                if !chosen.usesBothColors {
                    try await runRolling(environment: environment, backend: backend, options: options, resumed: resumed)
                } else if mutation.dryRun {
                    try await dryRun(environment: environment, backend: backend, strategy: chosen)
                } else {
                    try await deploy(environment: environment, backend: backend, options: options, strategy: chosen)
                }
            }
        }
    }

    /// The unfinished journal `--resume` continues; refused (before any lock) when there is none or it cannot be read.
    static func unfinishedJournal(_ environment: EnvironmentConfiguration, backend: Backend) async throws -> DeploymentJournal {
        let name = environment.parameters.deployment
        guard let value = try await backend.persistentPorts.documents.read(name: name) else {
            throw Refusal("No unfinished deployment to resume: \(name) is not set. Nothing changed.")
        }
        guard let journal = DeploymentJournal.decode(value) else {
            throw DeploymentJournal.unreadableRefusal(BuildName.quoted(value), in: environment)
        }
        guard journal.isUnfinished else {
            throw Refusal("No unfinished deployment to resume in \(name) (the last one, \(journal.id), is \(journal.status.rawValue)). Nothing changed.")
        }
        return journal
    }

    func deploy(environment: EnvironmentConfiguration, backend: Backend, options: GlobalOptions, strategy: DeployStrategy) async throws {
        let mode: RefreshMachine.Mode = resume ? .resume : .fresh(try refreshOptions(strategy, environment: environment))
        if case .fresh(let refreshOptions) = mode {
            // Refusals (drift, a missing resource, --target naming the live colour, …) come from a read before the
            // lock, so that a refused deploy never takes it; everything is checked again under the lock.
            _ = try BlueGreenRefresh.plan(try await backend.persistentPorts.statusReader(for: environment).snapshot(), options: refreshOptions)
        }
        try Mutating.confirm(environment: environment.name, action: resume ? "Resume the deploy to prod" : "Deploy to prod", yes: options.yes)
        try await Mutating.locked(environment, backend: backend, takeOver: resume) { interruption in
            let refresh = BlueGreenRefresh(
                environment: environment, ports: backend.persistentPorts, identity: Mutating.lockIdentity(), interruption: interruption)
            let display = ProgressDisplay(clock: backend.ports.clock)
            try await display.following(done: "\(environment.name): refresh done.") { try await refresh.run(mode) { display.show($0) } }
        }
    }

    /// The calls of every step, in order, the journal writes included; what each step waits for in words.
    func dryRun(environment: EnvironmentConfiguration, backend: Backend, strategy: DeployStrategy) async throws {
        let snapshot = try await backend.ports.statusReader(for: environment).snapshot()
        let journalName = environment.parameters.deployment
        func journal(_ step: String) -> String { "SSM PutParameter Name=\(journalName) Value={journal: step \(step)} Type=String Overwrite=true" }
        let steps: [PlannedStep]
        if resume {
            guard let recorded = snapshot.status.deployment, recorded.isUnfinished,
                let step = RefreshMachine.Phase(rawValue: recorded.step),
                let resumed = BlueGreenRefresh.Plan(journal: recorded, snapshot: snapshot)
            else {
                throw Refusal("No unfinished deployment to resume in \(journalName). Nothing changed.")
            }
            print("dry run: would resume \(recorded.id) (\(recorded.version), \(recorded.from.rawValue) → \(recorded.to.rawValue)) at step '\(recorded.step)'\(recorded.recordedPercent.map { " (\($0)% on \(recorded.to.rawValue))" } ?? "")")
            steps = try BlueGreenRefresh.plannedSteps(
                snapshot, plan: resumed, options: .init(journal: recorded), resumeAt: step, resumeStep: recorded.trafficStep ?? 0)
        } else {
            let refreshOptions = try self.refreshOptions(strategy, environment: environment)
            let plan = try BlueGreenRefresh.plan(snapshot, options: refreshOptions)
            steps = try BlueGreenRefresh.plannedSteps(snapshot, plan: plan, options: refreshOptions)
        }
        print("dry run: would make these AWS calls, in this order (route changes concurrently):")
        for step in steps {
            print("  \(journal(step.name))")
            for call in step.calls { print("  \(call)") }
            if let wait = step.wait { print("then \(wait)\(step.name == "clear" || step.name == "health gate" ? ", and only then:" : "; else:")") }
        }
        print("  \(journal("done"))")
    }
}

extension EnvironmentRefreshCommand {
    /// `--strategy rolling`: an instance refresh of the live colour (old and new builds serve side by side meanwhile).
    /// - Parameter resumed: with `--resume`, the unfinished rolling deploy's journal.
    func runRolling(environment: EnvironmentConfiguration, backend: Backend, options: GlobalOptions, resumed: DeploymentJournal?) async throws {
        guard capacity == nil, target == nil, !keepFailed, bake == nil else {
            throw ValidationError("--capacity, --target, --bake and --keep-failed belong to the blue-green strategy.")
        }
        let rollingOptions = RollingRefresh.Options(version: version, minHealthyPercentage: minHealthyPercent)
        if mutation.dryRun, let journal = resumed {
            print("dry run: would resume the rolling deploy \(journal.id) (\(journal.version) on \(journal.from.rawValue)) at step '\(journal.step)'\(journal.refreshId.map { ", following instance refresh \($0)" } ?? "")")
            return
        }
        if resumed == nil {
            // As for blue-green: refused before the lock is taken, checked again under it.
            let (live, group, build) = try RollingRefresh.preflight(try await backend.persistentPorts.statusReader(for: environment).snapshot(), options: rollingOptions)
            if mutation.dryRun {
                Mutating.printDryRun([.putParameter(name: environment.parameters.version(of: live), value: build)])
                print("  AutoScaling StartInstanceRefresh AutoScalingGroupName=\(group.name) Preferences={MinHealthyPercentage=\(minHealthyPercent), InstanceWarmup=60}")
                return
            }
        }
        let resume = self.resume
        try Mutating.confirm(environment: environment.name, action: resume ? "Resume the rolling deploy to prod" : "Rolling deploy to prod", yes: options.yes)
        try await Mutating.locked(environment, backend: backend, takeOver: resume) { interruption in
            let ports = backend.persistentPorts
            let rolling = RollingRefresh(environment: environment, ports: ports, identity: Mutating.lockIdentity(), interruption: interruption)
            let display = ProgressDisplay(clock: ports.clock)
            do {
                try await display.following(done: "\(environment.name): rolling refresh done.") {
                    resume
                        ? try await rolling.resume { display.show(rolling: $0) }
                        : try await rolling.run(options: rollingOptions) { display.show(rolling: $0) }
                }
            } catch let failure as BlueGreenRefresh.Failure where failure.kind == .failed {
                throw CommandError(failure.description.replacingOccurrences(of: "refresh failed", with: "rolling refresh failed"))
            }
        }
    }
}

/// Live progress of the health gate and the bake period: one rewritten line on a terminal, timestamped lines
/// otherwise.
final class ProgressDisplay: Sendable {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    let clock: any WallClock

    init(clock: any WallClock) {
        self.clock = clock
    }

    func show(_ progress: BlueGreenRefresh.Progress) {
        switch progress.stage {
        case .healthGate:
            var text = "health gate: \(progress.color.rawValue) InService \(progress.inService)/\(progress.wanted), healthy \(progress.healthy)/\(progress.wanted)"
            if let stable = progress.stableSeconds, progress.neededStableSeconds > 0 {
                text += ", stable \(Int(stable))/\(Int(progress.neededStableSeconds)) s"
            }
            write(text + ", \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s")
        case .step:
            let alarms = progress.alarmsFiring.isEmpty ? "alarms OK" : "ALARM: \(progress.alarmsFiring.joined(separator: ", "))"
            write("step bake: \(progress.color.rawValue) at \(progress.percent ?? 0)%, healthy \(progress.healthy)/\(progress.inService), \(alarms), \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s")
        case .bake:
            let alarms = progress.alarmsFiring.isEmpty ? "alarms OK" : "ALARM: \(progress.alarmsFiring.joined(separator: ", "))"
            write("bake: \(progress.color.rawValue) healthy \(progress.healthy)/\(progress.inService), \(alarms), \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s")
        }
    }

    func show(rolling status: InstanceRefreshStatus) {
        write("instance refresh \(status.id): \(status.status) \(status.percentComplete.map { "\($0)%" } ?? "")")
    }

    func write(_ text: String) {
        if isTerminal {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K\(text)".utf8))
        } else {
            FileHandle.standardOutput.write(Data("\(DeployLock.format(clock.now())) \(text)\n".utf8))
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }

    /// Runs a deploy showing its progress, then its steps and durations, also when it fails.
    func following(done: String, _ body: () async throws -> StepReport) async throws {
        do {
            let report = try await body()
            finish()
            print(done)
            Mutating.printReport(report)
        } catch let failure as BlueGreenRefresh.Failure {
            finish()
            Mutating.printReport(failure.report)
            throw failure
        }
    }
}

extension DeployStrategy: ExpressibleByArgument {}
