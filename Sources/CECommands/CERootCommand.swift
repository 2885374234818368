import AWSCore
import ArgumentParser
import Deployment
import Foundation

/// `ce`: blue-green deployments for services on Auto Scaling groups behind an Application Load Balancer.
public struct CERootCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ce",
        abstract: "Deploy new versions to Auto Scaling groups behind an Application Load Balancer with zero downtime.",
        discussion: """
            Global options (--region, --profile, --endpoint-url, --output, --verbose) may be given before or after \
            the subcommand: 'ce --endpoint-url URL doctor' and 'ce doctor --endpoint-url URL' are the same.
            """,
        subcommands: [
            DoctorCommand.self, InitCommand.self, EnvironmentCommand.self, BuildsCommand.self, ConfigCommand.self, SandboxCommand.self, SimulateCommand.self, IAMPolicyCommand.self, VersionCommand.self,
        ]
    )

    @OptionGroup public var global: GlobalOptions

    public init() {}

    /// As `AsyncParsableCommand.main()`, after one check the argument parser does not make: a subcommand name with a
    /// typo (`ce enviroment status`) is answered with the name it most likely meant, exit 64.
    public static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // The tool's version is `ce version` (and `ce --version`), so that no subcommand's help lists a `--version`
        // flag beside refresh's `--version BUILD`.
        if arguments == ["--version"] {
            print(CEVersion.current)
            return
        }
        if let suggestion = subcommandSuggestion(arguments) {
            badArgumentsDocument(arguments, error: suggestion)
            FileHandle.standardError.write(Data("Error: \(suggestion)\n  See 'ce --help' for the commands.\n".utf8))
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // Under --output json a command ends with its result document, a bad-arguments exit (64) too.
            if exitCode(for: error).rawValue == 64 { badArgumentsDocument(arguments, error: message(for: error)) }
            exit(withError: error)
        }
    }

    /// The result document of a bad-arguments exit (`outcome: bad arguments`, exit 64) on standard output, when the
    /// arguments ask for `--output json` or `ndjson`.
    static func badArgumentsDocument(_ arguments: [String], error: String) {
        guard let format = requestedFormat(arguments), format.isMachine else { return }
        Console.begin(format: format)
        Console.finish(exitCode: 64, error: error)
    }

    /// The `--output` / `-o` the arguments give (the last one wins), if a valid one.
    static func requestedFormat(_ arguments: [String]) -> OutputFormat? {
        var format: OutputFormat?
        for (index, word) in arguments.enumerated() {
            if (word == "--output" || word == "-o"), index + 1 < arguments.count, let value = OutputFormat(rawValue: arguments[index + 1]) {
                format = value
            } else if word.hasPrefix("--output="), let value = OutputFormat(rawValue: String(word.dropFirst("--output=".count))) {
                format = value
            }
        }
        return format
    }

    /// The global options that take a value (their value is not a subcommand name).
    static let optionsWithValues: Set<String> = [
        "--env", "--config", "--region", "--profile", "--endpoint-url", "--output", "-o", "--max-attempts", "--connect-timeout", "--request-timeout",
    ]

    /// "Unknown command 'enviroment'. Did you mean 'environment'?" when the first word that is not a subcommand of
    /// the command before it is a near miss of one; `nil` otherwise (the parser's own message then says the rest).
    static func subcommandSuggestion(_ arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = CERootCommand.self
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            index += 1
            if word.hasPrefix("-") {
                if optionsWithValues.contains(word) { index += 1 }
                continue
            }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: { $0.configuration.commandName == word || $0.configuration.aliases.contains(word) }) {
                command = next
                continue
            }
            var names: [String] = []
            for subcommand in subcommands where subcommand.configuration.shouldDisplay {
                if let name = subcommand.configuration.commandName { names.append(name) }
            }
            return DeploymentError.closest(to: word, in: names).map { "Unknown command '\(word)'. Did you mean '\($0)'?" }
        }
        return nil
    }
}

/// `ce version`: the tool's version (`ce --version` too).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print ce's version.")
    func run() throws { print(CEVersion.current) }
}
