import ArgumentParser
import Deployment
import Foundation

/// `ce environment refresh --strategy blue-green`: deploy the build to the inactive colour, gate on health, switch,
/// bake; `--resume` continues a deploy that stopped half-way.
struct EnvironmentRefreshCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Deploy a new build with zero downtime: the inactive colour is scaled up, health-gated, then gets the traffic — at once (blue-green) or in weighted steps (canary, linear); or its instances replace the live ones in one target group (instances); or roll the live colour (rolling).",
        discussion: """
            Exit codes: 0 deployed; 1 failed (the message says what state it left); 2 refused, nothing changed; \
            3 rolled back after the bake period; 128+N stopped by signal N and brought to a consistent state. \
            See the README's 'Deploying' section for every step.
            """
    )

    @Option(help: "blue-green, canary, linear, instances or rolling (default: the environment's configured strategy, else blue-green).")
    var strategy: DeployStrategy?
    @Option(parsing: .unconditional, help: "Canary: the shares of traffic on the new colour, e.g. 10,50,100 (default from the config, else 10,100).")
    var steps: String?
    @Option(parsing: .unconditional, help: "Linear: the share of traffic added at each step, in percent (default from the config, else 20).") var step: Int?
    @Option(name: .customLong("step-bake"), parsing: .unconditional, help: "Canary/linear: watch each step's traffic this long (e.g. 2m; default from the config, else 5m); with alarms each step lasts alarmDelay longer.")
    var stepBake: String?
    @Option(parsing: .unconditional, help: "Canary/linear: target-group stickiness while traffic is split (1s–7d, e.g. 1h), so a user stays on one build.")
    var stickiness: String?
    @Option(parsing: .unconditional, help: "Instances for the new colour (default: the live colour's desired, at least the live floor).") var capacity: Int?
    @Option(help: "Build to deploy (default: the environment's version parameter, see 'builds set-current').") var version: String?
    @Option(
        name: [.customLong("target"), .customLong("to")], help: "The colour to deploy to (optional; must be the inactive one; --to is the same).",
        completion: .list(["blue", "green"]))
    var target: String?
    @Option(parsing: .unconditional, help: "Watch the new colour's traffic this long after the switch (e.g. 90s, 5m; 0 turns it off; default from the config, 1m); with alarms the bake lasts alarmDelay longer.")
    var bake: String?
    @Flag(help: "Continue the unfinished deploy recorded in the journal, from its step.") var resume = false
    @Flag(help: "Deploy even if the inactive colour has capacity or SSM and the load balancer disagree.") var force = false
    @Flag(name: .customLong("keep-failed"), help: "On failure, leave the new colour running for inspection.")
    var keepFailed = false
    @Option(name: .customLong("keep-old-for"), parsing: .unconditional, help: "Keep the old colour warm for rollback this long after the deploy (e.g. 2h; default from the config, else 1h).")
    var keepOldFor: String?
    @Option(name: .customLong("min-healthy-percent"), parsing: .unconditional, help: "Rolling strategy: the share of instances kept in service.")
    var minHealthyPercent = 75
    @Flag(help: "Pause once the new colour has passed the health gate, before traffic moves (and before each later canary/linear step), until 'environment promote' or 'environment abort'.")
    var approve = false
    @Option(name: .customLong("approve-timeout"), parsing: .unconditional, help: "With --approve: how long each pause waits for an answer (e.g. 30m; default 1h); then the deploy is undone, or goes on with --auto-promote.")
    var approveTimeout: String?
    @Flag(name: .customLong("auto-promote"), help: "With --approve: go on when a pause times out instead of undoing the deploy.")
    var autoPromote = false
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        if let capacity, !(1...1000).contains(capacity) { throw ValidationError("--capacity must be between 1 and 1000, not \(capacity).") }
        for (name, value) in [("--bake", bake), ("--keep-old-for", keepOldFor), ("--approve-timeout", approveTimeout), ("--step-bake", stepBake), ("--stickiness", stickiness)] {
            if let value, value.hasPrefix("-") { throw ValidationError("\(name) cannot be negative ('\(value)'): give a duration such as 0, 90s, 5m or 1h.") }
        }
        if let target, (try? Color.parse(target)) == nil { throw ValidationError("--to must be blue or green, not '\(target)'.") }
        guard (0...100).contains(minHealthyPercent) else { throw ValidationError("--min-healthy-percent must be between 0 and 100.") }
        if let version, let problem = BuildName.problem(version) {
            throw ValidationError("--version \(BuildName.quoted(version)) cannot be used: \(problem). A build name is \(BuildName.rule).")
        }
        if let bake, ConfigurationLoader.seconds(bake).map({ $0 <= 86400 }) != true {
            throw ValidationError("--bake must be a duration such as 0, 90s, 5m or 1h (at most 24h), not '\(bake)'.")
        }
        if let keepOldFor, ConfigurationLoader.seconds(keepOldFor).map({ $0 <= 604800 }) != true {
            throw ValidationError("--keep-old-for must be a duration such as 0, 30m or 2h (at most 168h), not '\(keepOldFor)'.")
        }
        if let approveTimeout, ConfigurationLoader.seconds(approveTimeout).map({ (1...86400).contains($0) }) != true {
            throw ValidationError("--approve-timeout must be a duration from 1s to 24h, such as 30m or 2h, not '\(approveTimeout)'.")
        }
        if !approve && (approveTimeout != nil || autoPromote) {
            throw ValidationError("--approve-timeout and --auto-promote belong to --approve: add --approve, or drop them.")
        }
        if resume && approve {
            throw ValidationError("--resume continues the recorded deploy with its own settings, its pauses for approval included: drop --approve, --approve-timeout and --auto-promote.")
        }
        if resume && (version != nil || capacity != nil || target != nil || bake != nil || force || keepFailed || strategy != nil || trafficOptionGiven) {
            throw ValidationError("--resume continues the recorded deploy with its own settings: drop --version, --capacity, --target, --bake, --force, --keep-failed, --strategy, --steps, --step, --step-bake and --stickiness.")
        }
        if let steps {
            guard let parsed = parsedSteps(steps) else {
                throw ValidationError("--steps must be percentages separated by commas, increasing, e.g. 10,50,100, not '\(steps)'.")
            }
            if let problem = TrafficSteps.problem(parsed.last == 100 ? parsed : parsed + [100]) { throw ValidationError("--steps \(steps): \(problem).") }
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

    func deployOptions(_ strategy: DeployStrategy, environment: EnvironmentConfiguration) throws -> DeployOptions {
        if !strategy.splitsTraffic && trafficOptionGiven {
            throw ValidationError("--steps, --step, --step-bake and --stickiness belong to the canary and linear strategies, not \(strategy.rawValue).")
        }
        if !strategy.usesBothColors && (capacity != nil || target != nil || keepFailed || bake != nil) {
            throw ValidationError("--capacity, --target, --bake and --keep-failed belong to the blue-green, canary and linear strategies.")
        }
        let traffic = try environment.canary.steps(
            for: strategy, canarySteps: steps.flatMap(parsedSteps), linearStep: step,
            stepBakeSeconds: stepBake.flatMap(ConfigurationLoader.seconds), stickinessSeconds: stickiness.flatMap(ConfigurationLoader.seconds))
        var options = DeployOptions(
            version: version, capacity: capacity, force: force, keepFailed: keepFailed, target: try target.map(Color.parse),
            bakeSeconds: bake.flatMap(ConfigurationLoader.seconds), traffic: traffic, strategyName: strategy.rawValue,
            minHealthyPercentage: minHealthyPercent)
        options.keepOldForSeconds = keepOldFor.flatMap(ConfigurationLoader.seconds)
        if approve {
            guard strategy != .rolling else {
                throw ValidationError("--approve pauses between the health gate and moving traffic; the rolling strategy replaces the live instances in place and has no such point. Use --strategy blue-green, canary, linear or instances, or drop --approve.")
            }
            options.approval = ApprovalSettings(
                timeoutSeconds: approveTimeout.flatMap(ConfigurationLoader.seconds) ?? ApprovalSettings.defaultTimeoutSeconds, autoPromote: autoPromote)
        }
        return options
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            try await Backend.with(options) { backend in
                // Resuming, the journal says which strategy the unfinished deploy used (one read, not a snapshot); with
                // nothing to resume, the refusal comes before the lock is taken.
                let request: Deploy.Request
                if resume {
                    request = .resume(try await Self.unfinishedJournal(environment, backend: backend))
                } else {
                    let strategy = try chosenStrategy(environment)
                    request = .fresh(strategy, try deployOptions(strategy, environment: environment))
                }
                if mutation.dryRun {
                    try await DeployFlow.dryRun(request, environment: environment, backend: backend)
                } else {
                    try await DeployFlow.run(request, environment: environment, backend: backend, options: options, resume: resume)
                }
            }
        }
    }

    /// The strategy of a fresh deploy: `--strategy`, else the configured one — and canary when only --steps is
    /// given, linear when only --step is.
    func chosenStrategy(_ environment: EnvironmentConfiguration) throws -> DeployStrategy {
        if let strategy { return strategy }
        if steps != nil { return .canary }
        if step != nil { return .linear }
        return environment.strategy
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

}

extension DeployStrategy: ExpressibleByArgument {}

/// The plan, before anything changes, as an `--output ndjson` event.
struct PlanEvent: Encodable {
    var event = "plan"
    var environment: String
    var resume: Bool
    var plan: [String]
}
