import ArgumentParser
import CloudSimulator
import Deployment
import Foundation

/// `ce simulate …`: what-if runs on the simulated cloud, with an environment's own configuration.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "What-if runs on the simulated cloud (no AWS account): compare strategies for an environment.",
        subcommands: [SimulateCompareCommand.self])
}

/// `ce simulate compare`: each strategy deploys the environment on the simulated cloud, calibrated as AWS behaves;
/// one table of what each costs.
struct SimulateCompareCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Deploy the environment by each strategy on the simulated cloud and compare: duration, two builds live, 5xx, capacity, cost, API calls.",
        discussion: """
            Each strategy deploys v1 → v2 on a fresh simulated world with the environment's configuration (from \
            --config, ./ce.yaml or the built-in layout; the sandbox's with --sandbox): its health gate, bake, alarms, \
            canary steps. The world behaves as AWS documents it: rule changes propagate over the load balancer's \
            nodes, ELBv2 Describe calls share a token bucket, alarms see errors two minutes late. The same options \
            and seed always print the same figures. Nothing is sent to AWS.
            """)

    @Option(help: "Strategies to compare, comma-separated.") var strategies = "rolling,blue-green,instances,canary"
    @Option(help: "Instances serving the environment (default: its minimum, at least 2).") var instances: Int?
    @Option(help: "How long an instance takes to boot (60, 60s, 2m; each draws within ±10%).") var boot = "60s"
    @Option(help: "Requests per second sent to the environment.") var rps: Double = 50
    @Option(help: "Seed of the first run.") var seed: UInt64 = 1
    @Option(help: "Runs per strategy (seeds S, S+1, …): the table shows medians and ranges.") var runs = 1
    @Option(help: "Seconds a rule change takes to reach every load balancer node (AWS: a short time).") var propagation = "5s"
    @Option(help: "Also write a self-contained HTML page: per strategy, builds serving, capacity and 5xx over time.") var report: String?
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    var parsedStrategies: [DeployStrategy] {
        get throws {
            let names = strategies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty else { throw ValidationError("--strategies is empty; give e.g. rolling,blue-green,instances,canary.") }
            var seen: [DeployStrategy] = []
            for name in names {
                guard let strategy = DeployStrategy(rawValue: name) else {
                    throw ValidationError("--strategies: '\(name)' is not a strategy; use \(DeployStrategy.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                if !seen.contains(strategy) { seen.append(strategy) }
            }
            return seen
        }
    }

    mutating func validate() throws {
        _ = try parsedStrategies
        if let instances, !(1...1000).contains(instances) { throw ValidationError("--instances must be 1–1000.") }
        guard let boot = ConfigurationLoader.seconds(boot), (1...3600).contains(boot) else {
            throw ValidationError("--boot must be a duration of 1 s to 1 h (60, 60s, 2m).")
        }
        guard rps > 0 && rps <= 1000 else { throw ValidationError("--rps must be more than 0 and at most 1000.") }
        guard (1...50).contains(runs) else { throw ValidationError("--runs must be 1–50.") }
        guard let propagation = ConfigurationLoader.seconds(propagation), (0...600).contains(propagation) else {
            throw ValidationError("--propagation must be a duration of 0 to 10 minutes (0, 5s).")
        }
        if let report, report.isEmpty { throw ValidationError("--report needs a file name, e.g. --report compare.html.") }
    }

    func run() async throws {
        let options = self.options
        let environment: EnvironmentConfiguration
        do {
            environment = try options.environmentConfiguration()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        var calibration = Calibration.aws
        calibration.propagationSeconds = Double(ConfigurationLoader.seconds(propagation) ?? 5)
        let comparison = StrategyComparison(
            environment: environment, strategies: try parsedStrategies, instances: instances ?? max(2, environment.liveFloor),
            bootSeconds: Double(ConfigurationLoader.seconds(boot) ?? 60), requestsPerSecond: rps, seed: seed, runs: runs,
            calibration: calibration)
        let result = await comparison.run()
        if let report {
            do {
                try ComparisonReport.html(result).write(toFile: report, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure.report(DeploymentError.unsupported("cannot write --report \(report): \(error.localizedDescription)"))
            }
        }
        switch options.outputFormat {
        case .json, .ndjson: print(try JSONOutput.string(ComparisonRenderer.document(result), format: options.outputFormat))
        case .text: print(ComparisonRenderer.text(result))
        }
        if let report, options.outputFormat == .text { print("report: \(report)") }
    }
}
