import ArgumentParser
import Deployment
import Foundation

/// `ce environment promote` / `abort`: answer a deploy paused for approval (`--approve`), or ask the running canary or
/// linear deploy (another terminal holds the lock) to go on now or to send all traffic back. The request is addressed
/// to that deploy by its journal id and taken at its next poll of the pause or a step bake (a few seconds).
enum CanaryRequest {
    static func send(_ kind: DeploymentRequest.Kind, options: GlobalOptions) async throws {
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            try await Backend.with(options) { backend in
                let ports = backend.persistentPorts
                let snapshot = try await ports.statusReader(for: environment).snapshot()
                let now = ports.clock.now()
                let stopped = Mutating.lockHolderStopped(snapshot.status.lock, sandbox: options.sandbox, now: now)
                let request = try DeploymentRequest.make(kind, snapshot: snapshot, by: Mutating.lockIdentity().holder, now: now, holderStopped: stopped)
                try await ports.documents.overwrite(name: environment.parameters.deploymentRequest, value: request.json())
                let journal = snapshot.status.deployment!
                if journal.step == DeploymentRequest.approvalStep {
                    switch kind {
                    case .promote:
                        Console.say("\(environment.name): approved \(journal.id); it goes on at its next poll (within seconds) and moves traffic to \(journal.to.rawValue).")
                    case .abort:
                        Console.say("\(environment.name): asked \(journal.id) to abort; at its next poll it \(journal.percentBeforeStep > 0 ? "sends all traffic back to \(journal.from.rawValue)" : "undoes the deploy (\(journal.from.rawValue) keeps serving)") and exits 3.")
                    }
                    return
                }
                switch kind {
                case .promote:
                    Console.say("\(environment.name): asked \(journal.id) to skip its remaining step bakes; it moves all traffic to \(journal.to.rawValue) at its next poll.")
                case .abort:
                    Console.say("\(environment.name): asked \(journal.id) to abort; it sends all traffic back to \(journal.from.rawValue) at its next poll and exits 3.")
                }
            }
        }
    }
}

struct EnvironmentPromoteCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Approve a deploy paused by --approve, or tell the running canary or linear deploy to skip its remaining step bakes and move all traffic now.",
        discussion: "Exits 0 once the request is written ({prefix}deployment-request), 2 when no deploy waits for approval and no canary or linear deploy is running.")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        LogSetup.bootstrap(verbose: options.verbose)
        try await CanaryRequest.send(.promote, options: options)
    }
}

struct EnvironmentAbortCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Undo a deploy paused by --approve, or tell the running canary or linear deploy to send all traffic back to the old colour.",
        discussion: "Exits 0 once the request is written ({prefix}deployment-request), 2 when no deploy waits for approval and no canary or linear deploy is running. A deploy that stopped is undone with 'environment recover'.")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        LogSetup.bootstrap(verbose: options.verbose)
        try await CanaryRequest.send(.abort, options: options)
    }
}
