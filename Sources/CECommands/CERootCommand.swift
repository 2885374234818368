import AWSCore
import ArgumentParser

/// `ce`: blue-green deployments for services on Auto Scaling groups behind an Application Load Balancer.
public struct CERootCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ce",
        abstract: "Deploy new versions to Auto Scaling groups behind an Application Load Balancer with zero downtime.",
        discussion: """
            Global options (--region, --profile, --endpoint-url, --output, --verbose) may be given before or after \
            the subcommand: 'ce --endpoint-url URL doctor' and 'ce doctor --endpoint-url URL' are the same.
            """,
        version: CEVersion.current,
        subcommands: [DoctorCommand.self, EnvironmentCommand.self, BuildsCommand.self, ConfigCommand.self, SandboxCommand.self]
    )

    @OptionGroup public var global: GlobalOptions

    public init() {}
}
