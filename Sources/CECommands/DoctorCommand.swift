import AWSCore
import AWSServices
import ArgumentParser
import Deployment
import Foundation

/// `ce doctor`: checks region, credentials, identity and every service endpoint, and says what to fix.
struct DoctorCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the AWS region, credentials, caller identity and that every service endpoint answers.",
        discussion: "Exits 0 when every check passes, 1 otherwise. Secrets are never printed."
    )

    @Option(name: .long, help: "Check only this service (repeatable): STS, ELBv2, AutoScaling, EC2, SSM, CloudWatch.")
    var service: [String] = []

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        let known = AWSServiceDescriptor.all.map(\.name)
        for name in service where !known.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
            throw ValidationError("Unknown service '\(name)'. Use one of: \(known.joined(separator: ", ")).")
        }
    }

    var selectedServices: [AWSServiceDescriptor] {
        guard !service.isEmpty else { return AWSServiceDescriptor.all }
        return AWSServiceDescriptor.all.filter { descriptor in
            service.contains { $0.caseInsensitiveCompare(descriptor.name) == .orderedSame }
        }
    }

    func run() async throws {
        LogSetup.bootstrap(verbose: options.verbose)
        if options.sandbox {
            try await Backend.with(options) { backend in
                guard let sandbox = backend.sandbox else { return }
                let (now, environments) = sandbox.cloud.read { ($0.now, $0.environments.map(\.name)) }
                var report = DoctorReport()
                report.add(.init(name: "sandbox", passed: true, detail: "simulated cloud in \(sandbox.directory) (no AWS account, no network)"))
                report.add(.init(name: "virtual time", passed: true, detail: DeployLock.format(now)))
                report.add(.init(name: "environments", passed: true, detail: environments.joined(separator: ", ")))
                switch options.outputFormat {
                case .text: print(report.text, terminator: "")
                case .json, .ndjson: print(try report.json(format: options.outputFormat))
                }
            }
            return
        }
        let report = await Doctor(settings: options.awsSettings(), services: selectedServices).run()
        switch options.outputFormat {
        case .text: print(report.text, terminator: "")
        case .json, .ndjson: print(try report.json(format: options.outputFormat))
        }
        if !report.passed { throw ExitCode(1) }
    }
}
