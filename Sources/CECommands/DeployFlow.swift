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
            // Where the world can tell (the sandbox's users), what the requests got meanwhile: a deploy is never
            // reported done over failed requests it could see.
            let watcher = try? await backend.sandbox?.cloud.start(environment)
            let operation = isSwitch ? "switch" : strategy.operation
            try await display.following(done: "\(environment.name): \(operation) done.") {
                let report: StepReport
                do {
                    report = try await Deploy.run(
                        request, environment: environment, ports: backend.persistentPorts, identity: Mutating.lockIdentity(),
                        interruption: interruption, progress: display.show)
                } catch var failure as DeployFailure {
                    if let failed = await watcher?.stop().failedText(environment.name) { failure.state += " Meanwhile \(failed)." }
                    throw failure
                }
                if let failed = await watcher?.stop().failedText(environment.name) {
                    throw DeployFailure(
                        step: "traffic", cause: "\(failed) while it ran",
                        state: "The \(operation) itself is done: the new build serves. Find what failed them before the next deploy (the sandbox's summary says which colour and build answered).",
                        report: report, operation: operation)
                }
                return report
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
        // Hooks run as the journal enters a step (each point once per deployment), and after the outcome.
        let strategy = try Deploy.strategy(of: request, in: environment)
        var hooksShown: Set<HookPoint> = []
        func hooks(_ step: String, _ status: DeploymentJournal.Status) {
            guard case .fresh = request else { return }
            for point in strategy.hookPoints(step: step, status: status) where !hooksShown.contains(point) {
                hooksShown.insert(point)
                for hook in environment.hooks[point] { Console.say("  run hook \(point.rawValue): \(hook.commandLine) (\(Self.consequence(of: hook, at: point)))") }
            }
        }
        for step in steps {
            Console.say("  \(journal(step.name))")
            hooks(step.name, .inProgress)
            for call in step.calls { Console.say("  \(call)") }
            if let wait = step.wait {
                // A gate lets the rest happen only once it passes; a watch (bake) has an "else"; a plain wait goes on.
                let rest = ["clear", "health gate", "launch"].contains(step.name) ? ", and only then:" : step.name == "drain" ? ", then:" : "; else:"
                Console.say("then \(wait)\(rest)")
            }
        }
        Console.say("  \(journal("done"))")
        hooks("done", .done)
        guard case .fresh = request else { return }
        for (point, what) in [(HookPoint.postRollback, "after a rollback"), (.onFailure, "after a rollback, a failure or an interruption")] {
            for hook in environment.hooks[point] { Console.say("\(what): run hook \(point.rawValue): \(hook.commandLine) (\(Self.consequence(of: hook, at: point)))") }
        }
    }

    /// What a hook's failure does, in a few words, with its timeout.
    static func consequence(of hook: Hook, at point: HookPoint) -> String {
        let failure: String
        switch point {
        case .preDeploy: failure = "a failure stops the deploy, nothing changed"
        case .preSwitch: failure = "a failure undoes the deploy before traffic moves"
        case .postSwitch: failure = hook.continueOnFailure ? "a failure is reported, the deploy goes on" : "a failure rolls back"
        case .postRollback, .onFailure: failure = "a failure is reported"
        case .postDeploy: failure = "a failure is reported, exit 1"
        }
        return "timeout \(hook.timeoutSeconds) s; \(failure)"
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
