import ArgumentParser
import Deployment
import Foundation

/// `ce environment switch --to COLOR [--from COLOR] [--force]`.
struct EnvironmentSwitchCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "Send all of the environment's traffic to one colour, atomically per listener/rule, then record it in SSM.",
        discussion: """
            Refuses (exit 2, nothing changed) unless the target colour has healthy capacity, or when --from does not \
            name the colour serving now. Every serving route of the environment (each forwarding listener default \
            action for routing: default, else each rule whose conditions are exactly its path or host) is changed in \
            its forward only, concurrently, and read back before the SSM parameters active-color and \
            active-target-group-arn are written; if one fails, the routes that moved are put back. Nothing else on the \
            load balancer is touched. An environment with one target group (strategy: instances) moves instances \
            instead: the colour's running instances are registered, gated on their target health, then the serving \
            colour's deregistered and drained — journalled like a deploy (--resume, recover).
            """
    )

    @Option(
        name: [.customLong("to"), .customLong("target")], help: "The colour to send traffic to: blue or green (--target is the same).",
        completion: .list(["blue", "green"]))
    var to: String
    @Option(help: "The colour expected to be serving now; refuses if it is not.", completion: .list(["blue", "green"])) var from: String?
    @Flag(help: "Switch even if the target colour does not look healthy.") var force = false
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        if (try? Color.parse(to)) == nil { throw ValidationError("--to must be blue or green, not '\(to)'.") }
        if let from, (try? Color.parse(from)) == nil { throw ValidationError("--from must be blue or green, not '\(from)'.") }
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let target = try Color.parse(to)
            let expected = try from.map(Color.parse)
            let force = self.force
            let environment = try options.environmentConfiguration()
            // One target group (instance switching): the warm colour's instances are registered, then the serving ones'
            // deregistered — a journalled run of the engine, not a route change.
            if environment.sharesOneTargetGroup {
                try await DeployFlow.switchInstances(.switchInstances(to: target, from: expected, force: force), environment: environment, options: options, dryRun: mutation.dryRun)
                return
            }
            try await PlanFlow(options: options, dryRun: mutation.dryRun).runSwitch(action: "switch to \(target.rawValue)") { plan in
                try plan.plan(to: target, from: expected, force: force)
            }
        }
    }
}

/// `ce environment rollback`: back to the warm colour that is not serving.
struct EnvironmentRollbackCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Send traffic back to the other (warm) colour; refuses unless it has healthy capacity (one target group: its instances are re-registered first)."
    )

    @Flag(help: "Roll back even if the other colour does not look healthy.") var force = false
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        let force = self.force
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            if environment.sharesOneTargetGroup {
                // The warm colour is the one not serving: re-registered first, then the serving one deregistered.
                try await Backend.with(options) { backend in
                    let status = try await backend.persistentPorts.statusReader(for: environment).read()
                    guard let serving = status.albColor else {
                        throw Refusal("No single colour's instances serve \(environment.name) (\(status.driftReasons.joined(separator: "; "))), so there is no warm colour to roll back to. Nothing changed; run '\(environment.command("environment recover"))'.")
                    }
                    let request = Deploy.Request.switchInstances(to: serving.other, from: serving, force: force)
                    if mutation.dryRun {
                        try await DeployFlow.dryRun(request, environment: environment, backend: backend)
                    } else {
                        try await DeployFlow.run(request, environment: environment, backend: backend, options: options)
                    }
                }
                return
            }
            try await PlanFlow(options: options, dryRun: mutation.dryRun).runSwitch(action: "rollback") { plan in
                try plan.plan(to: try plan.rollbackTarget(), force: force)
            }
        }
    }
}

/// Read, plan, confirm, then apply or print: shared by switch, rollback, cleanup, start and stop. When the operator
/// must confirm (prod without --yes), the plan is made from a read, confirmed, then made again from a fresh read
/// under the lock (the world may have moved while the operator answered); otherwise the one read is made under the
/// lock. A dry run takes no lock and changes nothing.
struct PlanFlow: Sendable {
    /// What a check made before a plan is applied found: proven (a line for the report), or nothing to do now.
    enum Proof: Sendable {
        case proven(String)
        case nothingToDo(String)
    }

    var options: GlobalOptions
    var dryRun: Bool

    /// - Parameters:
    ///   - nothingToDo: what to say when the plan is empty.
    ///   - planning: the plan, from a fresh read of the environment.
    ///   - before: called with the plan under the lock, just before it is applied (the sandbox notes a stop).
    ///   - prove: a check made on the read the plan comes from, before it is applied (and in a dry run): a line saying
    ///     what it proved, or a `Refusal`.
    func run(
        action: String, nothingToDo: @escaping @Sendable (EnvironmentSnapshot) -> String,
        planning: @escaping @Sendable (EnvironmentSnapshot) throws -> [Mutation],
        before: @escaping @Sendable (Backend, EnvironmentConfiguration) -> Void = { _, _ in },
        prove: (@Sendable (EnvironmentSnapshot, CloudPorts) async throws -> Proof)? = nil
    ) async throws {
        let environment = try options.environmentConfiguration()
        let options = self.options
        try await Backend.with(options) { backend in
            if dryRun {
                let snapshot = try await backend.ports.statusReader(for: environment).snapshot()
                let plan = try planning(snapshot)
                if let prove, !plan.isEmpty {
                    switch try await prove(snapshot, backend.ports) {
                    case .proven(let line): Console.say("dry run: \(line)")
                    case .nothingToDo(let line):
                        Console.say("dry run: \(line)")
                        return
                    }
                }
                Mutating.printDryRun(plan)
                return
            }
            if Mutating.needsConfirmation(environment: environment.name, yes: options.yes) {
                let first = try await backend.persistentPorts.statusReader(for: environment).snapshot()
                let plan = try planning(first)
                guard !plan.isEmpty else {
                    Console.say("\(environment.name): \(nothingToDo(first))")
                    return
                }
                try Mutating.confirm(
                    environment: environment.name,
                    action: "\(action.prefix(1).uppercased() + action.dropFirst()) on \(environment.name) in \(await backend.whereItActs())",
                    details: plan.map(SwitchRunner.short), yes: options.yes)
            }
            try await Mutating.locked(environment, backend: backend) { _ in
                let ports = backend.persistentPorts
                let snapshot = try await ports.statusReader(for: environment).snapshot()
                let plan = try planning(snapshot)
                guard !plan.isEmpty else {
                    Console.say("\(environment.name): \(nothingToDo(snapshot))")
                    return
                }
                let started = ports.clock.now()
                var proof: String?
                switch try await prove?(snapshot, ports) {
                case .proven(let line)?: proof = line
                case .nothingToDo(let line)?:
                    Console.say("\(environment.name): \(line)")
                    return
                case nil: break
                }
                before(backend, environment)
                var report = StepReport()
                if let proof { report.add("proof", seconds: ports.clock.now().timeIntervalSince(started), proof) }
                report.steps += try await SwitchRunner(environment: environment, ports: ports).runAllOrNothing(plan).steps
                Console.say("\(environment.name): \(action) done.")
                Mutating.printReport(report)
            }
        }
    }

    /// Switch and rollback: plan with `TrafficSwitch`.
    func runSwitch(action: String, planning: @escaping @Sendable (TrafficSwitch) throws -> [Mutation]) async throws {
        try await run(
            action: action,
            nothingToDo: { "nothing to do, \(TrafficSwitch(snapshot: $0).servingColor?.rawValue ?? "?") already serves every route and SSM agrees." },
            planning: { try planning(TrafficSwitch(snapshot: $0)) })
    }
}
