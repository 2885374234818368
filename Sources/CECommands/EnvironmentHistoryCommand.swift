import ArgumentParser
import Deployment
import Foundation

/// `ce environment history`: the environment's last mutating commands, as recorded in AWS.
struct EnvironmentHistoryCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the environment's last deploys, switches, rollbacks, recoveries and cleanups (kept in SSM under {prefix}history/).")

    @Option(help: "How many records, newest first.") var limit = 20
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    mutating func validate() throws {
        guard (1...History.keep).contains(limit) else { throw ValidationError("--limit must be 1–\(History.keep) (the history keeps \(History.keep) records).") }
    }

    /// `--output json`.
    struct Document: Encodable {
        var environment: String
        var records: [HistoryRecord]
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        let limit = self.limit
        let (environment, records): (EnvironmentConfiguration, [HistoryRecord])
        do {
            environment = try options.environmentConfiguration()
            records = try await Backend.with(options) { try await History(environment: environment, store: $0.ports.documents).read(limit: limit) }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        switch options.outputFormat {
        case .json, .ndjson:
            print(try JSONOutput.string(Document(environment: environment.name, records: records), format: options.outputFormat))
        case .text:
            guard !records.isEmpty else {
                print("\(environment.name): no history yet (\(environment.parameters.history)/ is empty).")
                return
            }
            // (The widest operation sets the column: `builds set-current`, `test-blue-green` are never cut.)
            let width = max(9, records.map(\.operation.count).max() ?? 0)
            for record in records {
                var line = "\(record.at)  \(record.operation.padding(toLength: width, withPad: " ", startingAt: 0)) \(record.outcome.padding(toLength: 11, withPad: " ", startingAt: 0)) \(DurationText.of(record.seconds).padding(toLength: 7, withPad: " ", startingAt: 0))"
                if let strategy = record.strategy, let from = record.from, let to = record.to {
                    line += " \(strategy) \(from) → \(to) \(record.build ?? "")"
                } else if let build = record.build {
                    line += " next build \(build)"
                } else if let serving = record.serving {
                    line += " \(serving) serves"
                }
                line += "  by \(record.by)"
                if let error = record.error { line += "\n    \(error)" }
                print(line)
            }
        }
    }
}
