import ArgumentParser
import Deployment
import Foundation

/// `ce environment recover`: back to the last consistent state after a deploy stopped half-way.
struct EnvironmentRecoverCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Bring the environment back to its last consistent state after a deploy stopped half-way.",
        discussion: """
            With an unfinished deployment in the journal ({prefix}deployment): if the new colour serves every route \
            and its bake had passed, the deploy is finished (SSM, sizes); otherwise — the old colour serves, traffic is \
            split, or the new build was never proven by its bake — every route goes back to the old colour (when it can \
            serve), the recorded original settings are restored and the half-deployed colour scaled back down. An \
            instance switch goes back by its own way back (the old instances registered and gated first). Without a \
            journal, SSM is reconciled with the load balancer; a journal that cannot be read is removed. A lock left by a process of yours on this host that is gone is taken over and released, also \
            when there is nothing else to recover.
            """
    )

    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            let identity = Mutating.lockIdentity()
            try await Backend.with(options) { backend in
                let snapshot = try await backend.persistentPorts.statusReader(for: environment).snapshot()
                let refresh = try await Recovery(environment: environment, ports: backend.ports).rollingRefresh(snapshot)
                let plan = try Recovery.plan(snapshot, now: backend.ports.clock.now(), by: identity.holder, rollingRefresh: refresh)
                let lock = snapshot.status.lock.map { value in
                    DeployLock.decode(value).map { "the lock left by \($0.holder) (pid \($0.pid), '\($0.command)')" } ?? "the unreadable lock \(environment.parameters.deployLock)"
                }
                if mutation.dryRun {
                    Console.say("dry run: \(plan.summary)")
                    Mutating.printDryRun(plan.mutations)
                    if let journal = plan.journal { Console.say("  SSM PutParameter Name=\(environment.parameters.deployment) Value={journal \(journal.id): recovered} Type=String Overwrite=true") }
                    if plan.removesUnreadableJournal { Console.say("  SSM DeleteParameter Name=\(environment.parameters.deployment)") }
                    if let back = plan.continuation {
                        Console.say("  SSM PutParameter Name=\(environment.parameters.deployment) Value={journal \(back.id): step '\(back.step)'} Type=String Overwrite=true")
                        Console.say("  then the deploy's own way back from '\(back.step)', as '\(environment.command("environment refresh --resume"))' runs it")
                    }
                    if let lock { Console.say("and \(lock) would be taken over and released if that process is gone from this host") }
                    return
                }
                if plan.isEmpty {
                    guard let lock else {
                        Console.say("\(environment.name): \(plan.summary)")
                        return
                    }
                    // A process stopped right after taking the lock, or right after its last journal write: nothing
                    // to undo, but its lock would refuse every deploy. Taken over (only if its holder is provably
                    // gone; otherwise the refusal names the holder) and released.
                    try Mutating.confirm(environment: environment.name, action: "Release \(lock)", yes: options.yes)
                    try await Mutating.locked(environment, backend: backend, takeOver: true) { _ in }
                    Console.say("\(environment.name): \(plan.summary); \(lock) was released.")
                    return
                }
                try Mutating.confirm(environment: environment.name, action: "Recover", yes: options.yes)
                try await Mutating.locked(environment, backend: backend, takeOver: true) { _ in
                    let (done, report) = try await Recovery(environment: environment, ports: backend.persistentPorts).run(by: identity.holder)
                    Console.say("\(environment.name): recovered — \(done.summary).")
                    Mutating.printReport(report)
                }
            }
        }
    }
}
