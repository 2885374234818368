import AWSCore
import ArgumentParser
import Foundation

/// Options every command accepts, before or after the subcommand name.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(
        name: .long, help: "Environment to act on, e.g. prod, beta, staging.",
        completion: .custom { words, _, _ in GlobalOptions.environmentNames(completing: words) })
    public var env: String?

    @Option(name: .long, help: "Config file (default: ./ce.yaml, then ~/.config/ce/config.yaml, then built-in defaults).")
    public var config: String?

    @Option(name: .long, help: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, instance metadata).")
    public var region: String?

    @Option(name: .long, help: "Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, or default).")
    public var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS call to this URL, e.g. a local moto server.")
    public var endpointURL: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: text, json (one document) or ndjson (a deploy's events as JSON lines).")
    public var output: OutputFormat?

    @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation (mutating commands on prod ask otherwise).")
    public var yes: Bool = false

    @Flag(name: .long, help: "Log every AWS call (never credentials) to standard error.")
    public var verbose: Bool = false

    @Flag(name: .long, help: "Run against the simulated cloud kept in ./.ce-sandbox (or CE_SANDBOX_DIR): no AWS account needed.")
    public var sandbox: Bool = false

    @Option(name: .customLong("max-attempts"), help: "Attempts per AWS call, retries included (default 5).")
    public var maxAttempts: Int?

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for a connection to AWS (default 3).")
    public var connectTimeout: Double?

    @Option(name: .customLong("request-timeout"), help: "Seconds to wait for one AWS call's answer (default 20).")
    public var requestTimeout: Double?

    public init() {}

    /// The values given on either side of the subcommand name, the later one winning.
    func merged(with other: GlobalOptions) -> GlobalOptions {
        var result = self
        result.env = other.env ?? env
        result.config = other.config ?? config
        result.region = other.region ?? region
        result.profile = other.profile ?? profile
        result.endpointURL = other.endpointURL ?? endpointURL
        result.output = other.output ?? output
        result.verbose = verbose || other.verbose
        result.yes = yes || other.yes
        result.sandbox = sandbox || other.sandbox
        result.maxAttempts = other.maxAttempts ?? maxAttempts
        result.connectTimeout = other.connectTimeout ?? connectTimeout
        result.requestTimeout = other.requestTimeout ?? requestTimeout
        return result
    }

    public mutating func validate() throws {
        // An empty value is a mistake (an unset shell variable, say), never "use the default": AWS_REGION or a
        // profile's region must not be picked silently instead of what the operator meant to give.
        let given = [("--env", env, "prod"), ("--config", config, "ce.yaml"), ("--region", region, "us-east-1"), ("--profile", profile, "ops"), ("--endpoint-url", endpointURL, "http://127.0.0.1:5000")]
        if let (name, _, example) = given.first(where: { $0.1?.trimmingCharacters(in: .whitespaces).isEmpty == true }) {
            throw ValidationError("\(name) is empty: give a value (e.g. \(name) \(example)) or leave the option out.")
        }
        if sandbox, let clash = [("--endpoint-url", endpointURL), ("--profile", profile)].first(where: { $0.1 != nil }) {
            throw ValidationError("\(clash.0) has no meaning with --sandbox (the simulated cloud needs no account or endpoint): drop one of them.")
        }
        if let maxAttempts, !(1...20).contains(maxAttempts) {
            throw ValidationError("--max-attempts must be between 1 and 20, not \(maxAttempts).")
        }
        for (name, value) in [("--connect-timeout", connectTimeout), ("--request-timeout", requestTimeout)] {
            if let value, !(value > 0 && value <= 600) {
                throw ValidationError("\(name) must be more than 0 and at most 600 seconds, not \(value).")
            }
        }
    }

    public func awsSettings(environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSSettings {
        var settings = AWSSettings(region: region, profile: profile, endpointURL: endpointURL, environment: environment)
        if let maxAttempts { settings.retryPolicy.maxAttempts = maxAttempts }
        if let connectTimeout { settings.timeouts.connect = .milliseconds(Int64(connectTimeout * 1000)) }
        if let requestTimeout { settings.timeouts.request = .milliseconds(Int64(requestTimeout * 1000)) }
        return settings
    }

    public var outputFormat: OutputFormat { output ?? .text }
}

public enum OutputFormat: String, ExpressibleByArgument, Sendable, CaseIterable {
    case text, json
    /// JSON lines: a deploy's events as they happen (progress, traffic, steps, the result); one line per document.
    case ndjson

    /// Whether the output is for programs (JSON or JSON lines).
    var isMachine: Bool { self != .text }
}

extension GlobalOptions {
    /// Shell completion of `--env`: the environments of the configuration the command line being completed would
    /// use (its `--config`, `--sandbox`, else `./ce.yaml`, `~/.config/ce/config.yaml` or the built-in layout); none
    /// when it cannot be read.
    static func environmentNames(completing words: [String]) -> [String] {
        var arguments: [String] = words.contains("--sandbox") ? ["--sandbox"] : []
        if let index = words.firstIndex(of: "--config"), index + 1 < words.count { arguments += ["--config", words[index + 1]] }
        guard let options = try? GlobalOptions.parse(arguments) else { return [] }
        return ((try? options.deploymentConfiguration())?.environments.keys.sorted()) ?? []
    }
}
