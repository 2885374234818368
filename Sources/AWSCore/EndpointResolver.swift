import Foundation

/// Chooses each service's endpoint: `--endpoint-url`, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`,
/// then the regional AWS endpoint.
public struct EndpointResolver: Sendable {
    /// Where an endpoint came from, for `ce doctor`.
    public enum Source: String, Sendable {
        case commandLine = "--endpoint-url"
        case serviceVariable = "AWS_ENDPOINT_URL_<SERVICE>"
        case globalVariable = "AWS_ENDPOINT_URL"
        case regional = "regional AWS endpoint"
    }

    public struct Endpoint: Sendable, Equatable {
        public var url: URL
        public var source: Source
    }

    public var commandLineURL: String?
    public var environment: [String: String]

    public init(commandLineURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.commandLineURL = commandLineURL
        self.environment = environment
    }

    public func endpoint(for service: AWSServiceDescriptor, region: String) throws -> Endpoint {
        if let url = commandLineURL, !url.isEmpty {
            return Endpoint(url: try Self.validate(url), source: .commandLine)
        }
        if let url = environment["AWS_ENDPOINT_URL_\(service.endpointVariable)"], !url.isEmpty {
            return Endpoint(url: try Self.validate(url), source: .serviceVariable)
        }
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty {
            return Endpoint(url: try Self.validate(url), source: .globalVariable)
        }
        guard Self.isValidRegion(region) else {
            throw AWSClientError.invalidEndpoint(region, reason: "'\(region)' is not a valid region name")
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return Endpoint(url: URL(string: "https://\(service.endpointPrefix).\(region).\(suffix)")!, source: .regional)
    }

    /// Region names are lower-case letters, digits and dashes (`us-east-1`); anything else would make a bad host.
    public static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 32
            && region.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    static func validate(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            throw AWSClientError.invalidEndpoint(text, reason: "not a URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw AWSClientError.invalidEndpoint(text, reason: "the scheme must be http or https")
        }
        guard let host = url.host, !host.isEmpty else {
            throw AWSClientError.invalidEndpoint(text, reason: "no host")
        }
        return url
    }
}
