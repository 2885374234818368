import AWSSigner
import Foundation
import Synchronization

/// Tries credential sources in order and uses the first that has credentials; caches them until five minutes
/// before they expire. Concurrent callers share one lookup.
public actor CredentialProviderChain: CredentialProvider {
    public let providers: [any OptionalCredentialProvider]
    let clock: any WallClock
    /// Credentials are renewed this long before they expire.
    public static let refreshMargin: TimeInterval = 5 * 60

    private var cached: (credentials: AWSCredentials, source: String)?
    private var inFlight: Task<(AWSCredentials, String), any Error>?

    public init(providers: [any OptionalCredentialProvider], clock: any WallClock = LiveClock()) {
        self.providers = providers
        self.clock = clock
    }

    /// The name of the source the current credentials came from (resolving them if needed).
    public var sourceDescription: String {
        get async {
            if let cached { return cached.source }
            return (try? await resolve().1) ?? "none"
        }
    }

    public func credentials() async throws -> AWSCredentials { try await resolve().0 }

    private func resolve() async throws -> (AWSCredentials, String) {
        if let cached, isFresh(cached.credentials) { return (cached.credentials, cached.source) }
        if let inFlight { return try await inFlight.value }
        let providers = self.providers
        let task = Task { () throws -> (AWSCredentials, String) in
            for provider in providers {
                if let credentials = try await provider.credentialsIfAvailable() { return (credentials, provider.name) }
            }
            throw CredentialsError.noCredentials(tried: providers.map(\.name))
        }
        inFlight = task
        defer { inFlight = nil }
        let result = try await task.value
        cached = (result.0, result.1)
        return result
    }

    private func isFresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return clock.now().addingTimeInterval(Self.refreshMargin) < expiration
    }
}
