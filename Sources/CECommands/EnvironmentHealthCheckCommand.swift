import ArgumentParser
import Deployment
import Foundation

/// `ce environment health-check`: is the serving colour healthy right now?
struct EnvironmentHealthCheckCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "health-check",
        abstract: "Check that the colour serving the environment has healthy targets (exit 1 if not).")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        let (environment, status): (EnvironmentConfiguration, EnvironmentStatus)
        do {
            environment = try options.environmentConfiguration()
            status = try await Backend.with(options) { try await $0.ports.statusReader(for: environment).read() }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        /// `--output json`: every key always present.
        struct Document: Encodable {
            var environment: String
            var serving: Color?
            var healthy: Bool
            var healthyTargets: Int
            var targets: Int
            var targetGroup: String?
            var targetHealth: [String: Int]
            var floor: Int
            var problem: String?
            enum CodingKeys: String, CodingKey { case environment, serving, healthy, healthyTargets, targets, targetGroup, targetHealth, floor, problem }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(environment, forKey: .environment)
                try c.encode(serving, forKey: .serving)
                try c.encode(healthy, forKey: .healthy)
                try c.encode(healthyTargets, forKey: .healthyTargets)
                try c.encode(targets, forKey: .targets)
                try c.encode(targetGroup, forKey: .targetGroup)
                try c.encode(targetHealth, forKey: .targetHealth)
                try c.encode(floor, forKey: .floor)
                try c.encode(problem, forKey: .problem)
            }
        }
        let serving = status.albColor
        let colour = serving.flatMap(status.color)
        let healthy = colour?.targets(.healthy) ?? 0
        let total = colour?.targetHealth.values.reduce(0, +) ?? 0
        let problem: String? =
            colour == nil ? "no single colour serves (\(status.driftReasons.joined(separator: "; ")))"
            : healthy < environment.liveFloor ? "\(healthy) healthy, below the live floor of \(environment.liveFloor)"
            : (colour?.targets(.unhealthy) ?? 0) > 0 ? "\(colour?.targets(.unhealthy) ?? 0) target(s) unhealthy" : nil
        switch options.outputFormat {
        case .json, .ndjson:
            print(try JSONOutput.string(Document(
                environment: environment.name, serving: serving, healthy: problem == nil, healthyTargets: healthy, targets: total,
                targetGroup: colour?.targetGroup, targetHealth: colour?.targetHealth ?? [:], floor: environment.liveFloor, problem: problem),
                format: options.outputFormat))
        case .text:
            if let serving, let colour {
                print("\(environment.name): \(serving.rawValue) serves, \(healthy)/\(total) target(s) healthy in \(colour.targetGroup) (\(StatusRenderer.counts(colour.targetHealth)))")
            } else {
                print("\(environment.name): \(problem ?? "no single colour serves").")
            }
        }
        if problem != nil { throw ExitStatus.failed }
    }
}
