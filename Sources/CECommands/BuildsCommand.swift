import ArgumentParser
import Deployment
import Foundation

/// `ce builds …`: the build the next deploy installs (`{prefix}version`).
struct BuildsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "builds", abstract: "Show or set the build the next deploy installs, or list the builds it named.",
        subcommands: [
            BuildsCurrentCommand.self, BuildsSetCurrentCommand<DashedName>.self, BuildsSetCurrentCommand<UnderscoredName>.self, BuildsListCommand.self,
        ])
}

struct BuildsCurrentCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(commandName: "current", abstract: "Print the build the next deploy installs.")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    /// `--output json`: every key always present.
    struct Document: Encodable {
        struct RolledBack: Encodable {
            var deployment: String
            var at: String
            var note: String?
            enum CodingKeys: String, CodingKey { case deployment, at, note }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(deployment, forKey: .deployment)
                try c.encode(at, forKey: .at)
                try c.encode(note, forKey: .note)
            }
        }
        var environment: String
        var parameter: String
        var build: String?
        var rolledBack: RolledBack?
        enum CodingKeys: String, CodingKey { case environment, parameter, build, rolledBack }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(environment, forKey: .environment)
            try c.encode(parameter, forKey: .parameter)
            try c.encode(build, forKey: .build)
            try c.encode(rolledBack, forKey: .rolledBack)
        }
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        let environment: EnvironmentConfiguration
        let values: [String: String]
        do {
            environment = try options.environmentConfiguration()
            let names = [environment.parameters.version, environment.parameters.deployment]
            values = try await Backend.with(options) { try await $0.ports.parameters.values(names: names) }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        let name = environment.parameters.version
        let build = values[name]
        // The last deploy's journal, when it rolled this very build back (an unreadable journal is status's business).
        let journal = values[environment.parameters.deployment].flatMap { try? JSONDecoder().decode(DeploymentJournal.self, from: Data($0.utf8)) }
        let rolledBack = journal.flatMap { $0.status == .rolledBack && $0.version == build ? $0 : nil }
        switch options.outputFormat {
        case .json, .ndjson:
            print(try JSONOutput.string(Document(
                environment: environment.name, parameter: name, build: build,
                rolledBack: rolledBack.map { Document.RolledBack(deployment: $0.id, at: $0.updatedAt, note: $0.note) }),
                format: options.outputFormat))
            if build == nil { throw ExitCode(1) }
        case .text:
            guard let build else {
                throw CommandFailure.report(CommandError("\(name) is not set. Run '\(environment.command("builds set-current VERSION"))'."))
            }
            // Standard output stays the bare build, for `$(ce builds current)`; the warning is for the person.
            print(build)
            if let rolledBack {
                FileHandle.standardError.write(Data("note: \(build) was rolled back by \(rolledBack.id) at \(rolledBack.updatedAt); a plain refresh refuses it ('\(environment.command("environment refresh --version \(build)"))' deploys it again).\n".utf8))
            }
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
            commandName: Spelling.name, abstract: "Set the build the next deploy installs (SSM {prefix}version, or its S3 object with builds: s3://…).",
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
                    try await backend.persistentPorts.applier(for: environment).apply(plan[0])
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
