import AWSCore
import ArgumentParser
import Foundation

/// Options every command accepts, before or after the subcommand name.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, instance metadata).")
    public var region: String?

    @Option(name: .long, help: "Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, or default).")
    public var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS call to this URL, e.g. a local moto server.")
    public var endpointURL: String?

    @Option(name: .long, help: "Output format: text or json.")
    public var output: OutputFormat?

    @Flag(name: .long, help: "Log every AWS call (never credentials) to standard error.")
    public var verbose: Bool = false

    public init() {}

    /// The values given on either side of the subcommand name, the later one winning.
    func merged(with other: GlobalOptions) -> GlobalOptions {
        var result = self
        result.region = other.region ?? region
        result.profile = other.profile ?? profile
        result.endpointURL = other.endpointURL ?? endpointURL
        result.output = other.output ?? output
        result.verbose = verbose || other.verbose
        return result
    }

    public func awsSettings(environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSSettings {
        AWSSettings(region: region, profile: profile, endpointURL: endpointURL, environment: environment)
    }

    public var outputFormat: OutputFormat { output ?? .text }
}

public enum OutputFormat: String, ExpressibleByArgument, Sendable, CaseIterable {
    case text, json
}
