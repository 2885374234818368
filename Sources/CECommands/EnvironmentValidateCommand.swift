import ArgumentParser
import Deployment
import Foundation

/// `ce environment validate`: a checklist of the environment's blue-green set-up.
struct EnvironmentValidateCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the load balancer, listeners, rules, both target groups and ASGs, the SSM parameters and drift.",
        discussion: "Prints a checklist; exits 1 if any check fails (warnings and information do not fail)."
    )

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        try await Self.runChecklist(options: options)
    }

    static func runChecklist(options: GlobalOptions) async throws {
        LogSetup.bootstrap(verbose: options.verbose)
        var checks: [EnvironmentValidator.Check] = []
        do {
            let environment = try options.environmentConfiguration()
            checks = try await Backend.with(options) { backend in
                do {
                    return EnvironmentValidator.checks(try await backend.ports.statusReader(for: environment).snapshot())
                } catch let error as DeploymentError {
                    return [.init(name: "load balancer", outcome: .fail, detail: error.description)]
                }
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        let failed = checks.filter { $0.outcome == .fail }.count
        switch options.outputFormat {
        case .json, .ndjson:
            struct Document: Encodable {
                var passed: Bool
                var checks: [EnvironmentValidator.Check]
            }
            print(try JSONOutput.string(Document(passed: failed == 0, checks: checks), format: options.outputFormat))
        case .text:
            let width = (checks.map(\.name.count).max() ?? 0) + 2
            for check in checks {
                let mark: String
                switch check.outcome {
                case .pass: mark = "ok  "
                case .info: mark = "info"
                case .warn: mark = "warn"
                case .fail: mark = "FAIL"
                }
                print("\(mark) \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))\(check.detail)")
            }
            print(failed == 0 ? "Valid." : "\(failed) check\(failed == 1 ? "" : "s") failed.")
        }
        if failed > 0 { throw ExitStatus.failed }
    }
}
