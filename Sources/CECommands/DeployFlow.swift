import Deployment
import Foundation

/// What `refresh` (every strategy) and, for an environment with one target group, `switch` and `rollback` share:
/// a deploy run by the engine, with the plan said or confirmed first, and its dry run.
enum DeployFlow {
    /// Refused from a read before the lock; the plan said (or confirmed on prod); then run under the lock with live
    /// progress.
    static func run(
        _ request: Deploy.Request, environment: EnvironmentConfiguration, backend: Backend, options: GlobalOptions, resume: Bool = false
    ) async throws {
        let strategy = try Deploy.strategy(of: request, in: environment)
        let isSwitch: Bool
        if case .switchInstances = request { isSwitch = true } else { isSwitch = false }
        // Refusals (drift, a missing resource, --target naming the live colour, …) come from a read before the lock,
        // so that a refused deploy never takes it; everything is checked again under the lock.
        let snapshot = try await backend.persistentPorts.statusReader(for: environment).snapshot()
        try Deploy.preflight(snapshot, request)
        // The plan, before anything changes: asked about on prod, said everywhere else.
        let summary = try Deploy.summary(snapshot, request)
        if Mutating.needsConfirmation(environment: environment.name, yes: options.yes) {
            let action = "\(resume ? "Resume a deploy of" : isSwitch ? "Switch" : "Deploy to") \(environment.name) in \(await backend.whereItActs())"
            try Mutating.confirm(environment: environment.name, action: action, details: summary, yes: options.yes)
        } else {
            Console.say("\(environment.name): \(resume ? "resuming a deploy" : isSwitch ? "switching" : "deploying"):")
            for line in summary { Console.say("  \(line)") }
            Console.event(PlanEvent(environment: environment.name, resume: resume, plan: summary))
        }
        try await Mutating.locked(environment, backend: backend, takeOver: resume) { interruption in
            let display = ProgressDisplay(clock: backend.ports.clock)
            try await display.following(done: "\(environment.name): \(isSwitch ? "switch" : strategy.operation) done.") {
                try await Deploy.run(
                    request, environment: environment, ports: backend.persistentPorts, identity: Mutating.lockIdentity(),
                    interruption: interruption, progress: display.show)
            }
        }
    }

    /// The calls of every step, in order, the journal writes included; what each step waits for in words.
    static func dryRun(_ request: Deploy.Request, environment: EnvironmentConfiguration, backend: Backend) async throws {
        let snapshot = try await backend.ports.statusReader(for: environment).snapshot()
        let journalName = environment.parameters.deployment
        func journal(_ step: String) -> String { "SSM PutParameter Name=\(journalName) Value={journal: step \(step)} Type=String Overwrite=true" }
        let (resuming, steps) = try Deploy.plannedSteps(snapshot, request)
        if let resuming { Console.say("dry run: \(resuming)") }
        Console.say("dry run: would make these AWS calls, in this order (route changes concurrently):")
        for step in steps {
            Console.say("  \(journal(step.name))")
            for call in step.calls { Console.say("  \(call)") }
            if let wait = step.wait {
                // A gate lets the rest happen only once it passes; a watch (bake) has an "else"; a plain wait goes on.
                let rest = ["clear", "health gate", "launch"].contains(step.name) ? ", and only then:" : step.name == "drain" ? ", then:" : "; else:"
                Console.say("then \(wait)\(rest)")
            }
        }
        Console.say("  \(journal("done"))")
    }

    /// `switch` on an environment with one target group.
    static func switchInstances(_ request: Deploy.Request, environment: EnvironmentConfiguration, options: GlobalOptions, dryRun: Bool) async throws {
        try await Backend.with(options) { backend in
            if dryRun {
                try await Self.dryRun(request, environment: environment, backend: backend)
            } else {
                try await run(request, environment: environment, backend: backend, options: options)
            }
        }
    }
}
