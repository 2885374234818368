import AWSSigner
import Foundation

/// Credentials from the ECS/EKS container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2)
/// or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)` when set.
public struct ContainerCredentialProvider: OptionalCredentialProvider {
    public let environment: [String: String]
    let transport: any HTTPTransport
    let timeout: Duration

    public init(environment: [String: String], transport: any HTTPTransport, timeout: Duration = .seconds(2)) {
        self.environment = environment
        self.transport = transport
        self.timeout = timeout
    }

    public var name: String { "container credentials endpoint" }

    /// The endpoint to ask, `nil` when neither variable is set.
    public func endpointURL() throws -> URL? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            guard let url = URL(string: "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)) else {
                throw CredentialsError.sourceFailed(source: name, reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path")
            }
            return url
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        guard let url = URL(string: full), let host = url.host, let scheme = url.scheme?.lowercased() else {
            throw CredentialsError.sourceFailed(source: name, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL")
        }
        let allowedHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
        guard scheme == "https" || (scheme == "http" && (allowedHosts.contains(host) || host.hasPrefix("127."))) else {
            throw CredentialsError.sourceFailed(
                source: name, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback/ECS/EKS address, not \(host)")
        }
        return url
    }

    public func credentialsIfAvailable() async throws -> AWSCredentials? {
        guard let url = try endpointURL() else { return nil }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !tokenFile.isEmpty {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CredentialsError.sourceFailed(source: name, reason: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            headers.append(("Authorization", String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers), timeout: timeout)
        } catch let error as HTTPTransportError {
            throw CredentialsError.sourceFailed(source: name, reason: "\(url.host ?? "") did not answer: \(error.reason)")
        }
        guard response.status == 200 else {
            throw CredentialsError.sourceFailed(source: name, reason: "HTTP \(response.status)")
        }
        return try TemporaryCredentialsDocument.parse(response.body, source: name)
    }
}
