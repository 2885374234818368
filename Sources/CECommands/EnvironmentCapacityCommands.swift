import ArgumentParser
import Deployment
import Foundation

/// `ce environment cleanup`: scale the colour that is not serving (per the load balancer) to 0.
struct EnvironmentCleanupCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Scale the colour that is not serving to 0 (min first, then desired); 'not serving' comes from the load balancer.")

    @OptionGroup var mutation: MutationOptions
    @Flag(help: "Scale the idle colour down without the proof that it serves nothing (routes and CloudWatch's request count).")
    var force = false
    @Flag(help: "Only once the old colour's keepOldFor is over (for a cron job): before that, say until when and exit 0.")
    var expired = false
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let (force, expired, dryRun, yes) = (self.force, self.expired, mutation.dryRun, options.yes)
        try await Self.capacity(options, dryRun: dryRun, action: "cleanup", prove: { snapshot, ports in
            let now = ports.clock.now()
            if let warm = KeepWarm(snapshot: snapshot), !warm.isOver(at: now) {
                if expired {
                    return .nothingToDo("nothing to do yet: \(warm.description); '\(snapshot.environment.command("environment cleanup --expired"))' scales it down after that.")
                }
                if !dryRun {
                    let env = snapshot.environment
                    do {
                        try Mutating.confirm(
                            environment: env.name, action: "Scale \(warm.color.rawValue) down now, although \(warm.description),", yes: yes,
                            everyEnvironment: true)
                    } catch let refusal as Refusal where env.invocation.isSandbox {
                        // In the sandbox the keepOldFor ends only when virtual time gets there: say how.
                        throw Refusal("\(refusal) Or let the keepOldFor end: \(env.retry("environment cleanup", at: warm.until, now: now)).")
                    }
                }
            }
            guard let proof = CleanupProof(snapshot: snapshot, now: now) else { return .proven("no single colour serves") }
            return .proven(force ? proof.skipped : try await proof.check(metrics: ports.metrics))
        }) { try $0.cleanup() }
    }
}

/// `ce environment start`: bring the live colour up to its configured capacity.
struct EnvironmentStartCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Bring the live colour up to its configured capacity (at least max(1, min instances)).")

    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        try await Self.capacity(options, dryRun: mutation.dryRun, action: "start", downtime: false) { try $0.start() }
    }
}

/// `ce environment stop`: bring the live colour down to 0.
struct EnvironmentStopCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Bring the live colour down to 0 instances (the environment stops serving).")

    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        try await Self.capacity(options, dryRun: mutation.dryRun, action: "stop", downtime: true) { try $0.stop() }
    }
}

extension GlobalOptionsCommand {
    /// cleanup, start and stop: plan with `CapacityPlanner`.
    /// - Parameter downtime: `stop` takes the environment down on purpose, `start` brings it back (the sandbox's
    ///   invariants are told); `nil` for neither.
    static func capacity(
        _ options: GlobalOptions, dryRun: Bool, action: String, downtime: Bool? = nil,
        prove: (@Sendable (EnvironmentSnapshot, CloudPorts) async throws -> PlanFlow.Proof)? = nil,
        planning: @escaping @Sendable (CapacityPlanner) throws -> [Mutation]
    ) async throws {
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            try await PlanFlow(options: options, dryRun: dryRun).run(
                action: action, nothingToDo: { _ in "nothing to do for \(action)." },
                planning: { try planning(CapacityPlanner(snapshot: $0)) },
                before: { backend, environment in
                    if let downtime { backend.declareDowntime(environment.name, onPurpose: downtime) }
                }, prove: prove)
        }
    }
}
