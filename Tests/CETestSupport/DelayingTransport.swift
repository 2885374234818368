import AWSCore
import Foundation

/// Adds the same delay to every call before sending it on: with a delay well above moto's own variation, calls made
/// one after another are told apart from calls made together, and `AWSClient.CallCounters.rounds` counts the
/// sequential round trips of the code's structure rather than of moto's timing.
public struct DelayingTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let delay: Duration
    public let clock: any WallClock

    public init(delay: Duration, base: any HTTPTransport = AsyncHTTPClientTransport(), clock: any WallClock = LiveClock()) {
        self.base = base
        self.delay = delay
        self.clock = clock
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        try await clock.sleep(for: delay)
        return try await base.send(request, timeout: timeout)
    }
}

extension Moto {
    /// A client whose every call takes `delay` longer (see `DelayingTransport`).
    public static func slowClient(delay: Duration) -> AWSClient {
        AWSClient(
            region: "us-east-1", credentialProvider: StaticCredentialProvider(credentials),
            endpoints: EndpointResolver(commandLineURL: endpoint!, environment: [:]), transport: DelayingTransport(delay: delay),
            retryPolicy: .none, timeouts: Timeouts(request: .seconds(30)))
    }
}
