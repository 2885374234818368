/// How an application version behaves on an instance once it has booted: when it starts answering, whether its
/// health check passes, and how many of its answers are server errors.
public struct AppBehaviour: Codable, Sendable, Equatable {
    public enum Health: Codable, Sendable, Equatable {
        case healthy
        /// Never answers its health check.
        case never
        /// Up for `up` seconds, down for `down`, forever.
        case flapping(up: Double, down: Double)
    }

    /// Seconds after boot before the application answers.
    public var startSeconds: Double
    public var health: Health
    /// Share of requests answered with HTTP 500 while the application is up (feeds the 5xx alarms).
    public var errorRate: Double

    public init(startSeconds: Double = 0, health: Health = .healthy, errorRate: Double = 0) {
        self.startSeconds = startSeconds
        self.health = health
        self.errorRate = errorRate
    }

    /// Answers its health check after `startSeconds`.
    public static func healthy(startSeconds: Double) -> AppBehaviour { AppBehaviour(startSeconds: startSeconds) }
    /// Never answers its health check.
    public static let neverHealthy = AppBehaviour(health: .never)
    /// Healthy, but a share of its answers are 5xx.
    public static func erroring(_ rate: Double, startSeconds: Double = 0) -> AppBehaviour {
        AppBehaviour(startSeconds: startSeconds, errorRate: rate)
    }
    public static func flapping(up: Double, down: Double, startSeconds: Double = 0) -> AppBehaviour {
        AppBehaviour(startSeconds: startSeconds, health: .flapping(up: up, down: down))
    }

    /// Whether an application that started answering `sinceStart` seconds ago answers its health check now.
    func isUp(sinceStart: Double) -> Bool {
        guard sinceStart >= 0 else { return false }
        switch health {
        case .healthy: return true
        case .never: return false
        case .flapping(let up, let down): return sinceStart.truncatingRemainder(dividingBy: up + down) < up
        }
    }

    /// A build that must never get traffic (its gate can never pass).
    var isBroken: Bool { health == .never }
}
