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
        guard let serving = status.albColor, let colour = status.color(serving) else {
            print("\(environment.name): no single colour serves (\(status.driftReasons.joined(separator: "; "))).")
            throw ExitStatus.failed
        }
        let healthy = colour.targetHealth["healthy"] ?? 0
        let total = colour.targetHealth.values.reduce(0, +)
        let line = "\(environment.name): \(serving.rawValue) serves, \(healthy)/\(total) target(s) healthy in \(colour.targetGroup) (\(StatusRenderer.counts(colour.targetHealth)))"
        print(line)
        if healthy < environment.liveFloor || (colour.targetHealth["unhealthy"] ?? 0) > 0 { throw ExitStatus.failed }
    }
}
