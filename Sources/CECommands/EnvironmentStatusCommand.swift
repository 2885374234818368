import ArgumentParser
import Deployment
import Foundation

/// `ce environment status`: the active colour per SSM and per load balancer, drift, and each colour's state.
struct EnvironmentStatusCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which colour serves the environment, drift between SSM and the load balancer, and both colours' state.",
        discussion: "Exits 0 when consistent, 1 on drift, an unfinished deployment, or an error. --output json gives the keys documented in docs/status.md."
    )

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        var status: EnvironmentStatus
        let now: Date
        do {
            let environment = try options.environmentConfiguration()
            (status, now) = try await Backend.with(options) { backend in
                (try await backend.ports.statusReader(for: environment).read(), backend.ports.clock.now())
            }
            status.holderStopped = Mutating.lockHolderStopped(status.lock, sandbox: options.sandbox, now: now)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        switch options.outputFormat {
        case .text: print(StatusRenderer.text(status, verbose: options.verbose, now: now, invocation: options.invocation), terminator: "")
        case .json, .ndjson: print(try JSONOutput.string(status, format: options.outputFormat))
        }
        if status.drift || status.hasUnfinishedDeploy { throw ExitCode(1) }
    }
}
