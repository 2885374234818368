import ArgumentParser
import Deployment
import Foundation

/// `ce builds …`: the build the next deploy installs (`{prefix}version`).
struct BuildsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "builds", abstract: "Show or set the build the next deploy installs.",
        subcommands: [BuildsCurrentCommand.self, BuildsSetCurrentCommand<DashedName>.self, BuildsSetCurrentCommand<UnderscoredName>.self])
}

struct BuildsCurrentCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(commandName: "current", abstract: "Print the build the next deploy installs.")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            let name = environment.parameters.version
            let value = try await Backend.with(options) { try await $0.ports.parameters.values(names: [name])[name] }
            guard let value else {
                throw CommandError("\(name) is not set. Run '\(environment.command("builds set-current VERSION"))'.")
            }
            Console.say(value)
        }
    }
}

/// How `builds set-current` is spelt: `set-current`, or `set_current` (the design document's spelling, kept working
/// but not listed).
protocol SetCurrentSpelling: Sendable {
    static var name: String { get }
    static var isListed: Bool { get }
}
enum DashedName: SetCurrentSpelling {
    static let name = "set-current"
    static let isListed = true
}
enum UnderscoredName: SetCurrentSpelling {
    static let name = "set_current"
    static let isListed = false
}

struct BuildsSetCurrentCommand<Spelling: SetCurrentSpelling>: GlobalOptionsCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Spelling.name, abstract: "Set the build the next deploy installs (SSM {prefix}version).",
            shouldDisplay: Spelling.isListed)
    }

    @Argument(help: "The build, e.g. gh-12345.") var version: String
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        if let problem = BuildName.problem(version) {
            throw ValidationError("The version \(BuildName.quoted(version)) cannot be used: \(problem). A build name is \(BuildName.rule).")
        }
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            let plan: [Mutation] = [.putParameter(name: environment.parameters.version, value: version)]
            if mutation.dryRun {
                Mutating.printDryRun(plan)
                return
            }
            let version = self.version
            try Mutating.confirm(environment: environment.name, action: "Set the next build of \(environment.name) to \(version)", yes: options.yes)
            try await Backend.with(options) { backend in
                try await Mutating.locked(environment, backend: backend) { _ in
                    try await backend.persistentPorts.applier.apply(plan[0])
                    Console.say("\(environment.name): the next deploy installs \(version) (\(environment.parameters.version)).")
                }
            }
        }
    }
}

/// A failure with a message of its own (exit 1).
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
