import ArgumentParser
import Deployment
import Foundation

/// `ce environment unlock`: break a deploy lock left by a command that is gone.
struct EnvironmentUnlockCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Break the environment's deploy lock ({prefix}deploy-lock), after showing who holds it. Asks first; --yes skips.")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            try await Backend.with(options) { backend in
                let ports = backend.persistentPorts
                let manager = LockManager(environment: environment, store: ports.documents, clock: ports.clock)
                guard let value = try await manager.store.read(name: manager.name) else {
                    Console.say("\(environment.name) is not locked.")
                    return
                }
                Console.say(manager.describeHeld(value, now: ports.clock.now()))
                try Mutating.confirm(environment: environment.name, action: "Breaking the lock", yes: options.yes, everyEnvironment: true)
                try await manager.store.delete(name: manager.name)
                Console.say("\(environment.name): lock \(manager.name) removed.")
            }
        }
    }
}
