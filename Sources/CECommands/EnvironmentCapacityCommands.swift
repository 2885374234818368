import AWSServices
import ArgumentParser
import Deployment
import Foundation

/// `ce environment cleanup`: scale the colour that is not serving (per the load balancer) to 0.
struct EnvironmentCleanupCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Scale the colour that is not serving to 0 (min first, then desired); 'not serving' comes from the load balancer.")

    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        try await CapacityFlow(options: options, dryRun: mutation.dryRun).run(action: "cleanup") { try $0.cleanup() }
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
        try await CapacityFlow(options: options, dryRun: mutation.dryRun).run(action: "start") { try $0.start() }
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
        try await CapacityFlow(options: options, dryRun: mutation.dryRun).run(action: "stop") { try $0.stop() }
    }
}

/// Read, plan, confirm, then apply in order or print.
struct CapacityFlow: Sendable {
    var options: GlobalOptions
    var dryRun: Bool

    func run(action: String, planning: @escaping @Sendable (CapacityPlanner) throws -> [Mutation]) async throws {
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run {
            let environment = try options.environmentConfiguration()
            let aws = try await AWSServices.live(options.awsSettings())
            try await Mutating.lockedUnlessDryRun(dryRun, environment, aws: aws) {
                try await perform(action: action, environment: environment, aws: aws, planning: planning)
            }
        }
    }

    func perform(
        action: String, environment: EnvironmentConfiguration, aws: AWSServices, planning: (CapacityPlanner) throws -> [Mutation]
    ) async throws {
        do {
            let plan = try planning(CapacityPlanner(snapshot: try await aws.statusReader(for: environment).snapshot()))
            if dryRun {
                Mutating.printDryRun(plan)
                return
            }
            guard !plan.isEmpty else {
                print("\(environment.name): nothing to do for \(action).")
                return
            }
            try Mutating.confirm(environment: environment.name, action: action.prefix(1).uppercased() + action.dropFirst(), yes: options.yes)
            let clock = LiveDeploymentClock()
            var report = StepReport()
            for mutation in plan {
                let started = clock.now()
                do {
                    try await aws.mutationApplier.apply(mutation)
                } catch {
                    let done = report.steps.count
                    throw CommandError("\(action) stopped after \(done) of \(plan.count) change(s) at '\(mutation)': \(error)")
                }
                report.add("resize", seconds: clock.now().timeIntervalSince(started), mutation.description)
            }
            print("\(environment.name): \(action) done.")
            Mutating.printReport(report)
        }
    }
}
