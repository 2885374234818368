import Foundation

/// Requests sent to an environment through its load balancer while something happens, and what answered them
/// (`environment test-blue-green` counts the 5xx of a switch and a switch back this way). On AWS, `ce` sends them
/// itself to a URL the operator gives; in the sandbox they are the simulated traffic.
public protocol TrafficWatch: Sendable {
    /// Starts watching `environment`'s traffic; the watcher's `stop` ends it and says what was seen.
    func start(_ environment: EnvironmentConfiguration) async throws -> any TrafficWatcher
}

/// A watch under way.
public protocol TrafficWatcher: Sendable {
    func stop() async -> TrafficTally
}

/// What a watch saw: the requests, their answers by HTTP status, and those that got none (a refused or reset
/// connection, a timeout).
public struct TrafficTally: Sendable, Equatable, Codable {
    public var requests: Int
    /// Answers by status code (`"200"`, `"502"`, …).
    public var byStatus: [String: Int]
    public var unanswered: Int

    public init(requests: Int = 0, byStatus: [String: Int] = [:], unanswered: Int = 0) {
        self.requests = requests
        self.byStatus = byStatus
        self.unanswered = unanswered
    }

    /// Answers with a 5xx status.
    public var serverErrors: Int { byStatus.filter { (Int($0.key) ?? 0) >= 500 }.values.reduce(0, +) }

    /// "350 of 675 requests to beta failed (5xx)", or `nil` when none did.
    public func failedText(_ environment: String) -> String? {
        let failed = serverErrors + unanswered
        return failed == 0 ? nil : "\(failed) of \(requests) requests to \(environment) failed (5xx or no answer)"
    }

    /// Counts one request: its status, or `nil` when nothing answered.
    public mutating func count(_ status: Int?) {
        requests += 1
        if let status { byStatus[String(status), default: 0] += 1 } else { unanswered += 1 }
    }
}
