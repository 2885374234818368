/// Where instances can be reached, for the HTTP health check.
public protocol InstanceDirectory: Sendable {
    /// Private IP address by instance id; instances not found are absent.
    func addresses(instanceIds: [String]) async throws -> [String: String]
}

/// Checks one instance over HTTP: `GET http://address:port/path`, healthy on a 2xx answer.
public protocol HealthProber: Sendable {
    func isHealthy(address: String, port: Int, path: String, timeout: Duration) async -> Bool
}
