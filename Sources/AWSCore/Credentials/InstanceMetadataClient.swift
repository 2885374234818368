import AWSSigner
import Foundation

/// EC2 instance metadata with IMDSv2 sessions: a token from `PUT /latest/api/token`, then reads with
/// `X-aws-ec2-metadata-token`. One-second timeouts, so `ce` off EC2 does not stall.
public struct InstanceMetadataClient: Sendable {
    public let endpoint: URL
    public let isDisabled: Bool
    let transport: any HTTPTransport
    let timeout: Duration

    public init(environment: [String: String], transport: any HTTPTransport, timeout: Duration = .seconds(1)) {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { URL(string: $0) }
        endpoint = configured ?? URL(string: "http://169.254.169.254")!
        isDisabled = environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
        self.transport = transport
        self.timeout = timeout
    }

    public enum Failure: Error, Sendable, Equatable {
        /// Nothing answers: not on EC2 (or metadata is switched off).
        case unavailable(String)
        /// The metadata service answered with an error status.
        case status(Int, path: String)
    }

    /// Reads one metadata path (e.g. `/latest/meta-data/placement/region`).
    public func get(_ path: String) async throws -> String {
        if isDisabled { throw Failure.unavailable("AWS_EC2_METADATA_DISABLED is set") }
        let token = try await sessionToken()
        let response = try await send(
            HTTPRequest(method: "GET", url: url(path), headers: [("X-aws-ec2-metadata-token", token)]))
        guard response.status == 200 else { throw Failure.status(response.status, path: path) }
        return String(decoding: response.body, as: UTF8.self)
    }

    private func sessionToken() async throws -> String {
        let response = try await send(
            HTTPRequest(
                method: "PUT", url: url("/latest/api/token"),
                headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]))
        guard response.status == 200, !response.body.isEmpty else {
            throw Failure.status(response.status, path: "/latest/api/token")
        }
        return String(decoding: response.body, as: UTF8.self)
    }

    private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await transport.send(request, timeout: timeout)
        } catch let error as HTTPTransportError {
            throw Failure.unavailable(error.reason)
        }
    }

    private func url(_ path: String) -> URL {
        URL(string: endpoint.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)!
    }
}
