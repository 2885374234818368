import Foundation

/// One environment, second by second: which builds answered its requests, how many failed, how many instances could
/// take them, and how many were running. What `StrategyComparison` measures a deploy by.
public struct Timeline: Codable, Sendable, Equatable {
    /// The environment sampled.
    public var environment: String
    public var samples: [Sample] = []
    /// The second being counted.
    var pending = Sample(second: 0)

    /// One second of the environment.
    public struct Sample: Codable, Sendable, Equatable {
        /// Seconds since the world started.
        public var second: Double
        /// Requests answered by each build ("-" when no instance answered: the load balancer's own 503).
        public var requestsByVersion: [String: Int] = [:]
        /// Requests answered 5xx.
        public var errors = 0
        /// Instances a serving route sends traffic to that are registered (not draining) and whose application
        /// answers (ground truth).
        public var servingCapacity = 0
        /// Instances running in either colour's group (the ones draining or terminating included: they are paid for).
        public var instances = 0

        public init(second: Double) { self.second = second }

        public var requests: Int { requestsByVersion.values.reduce(0, +) }
        /// The builds that answered at least one request this second.
        public var builds: Set<String> { Set(requestsByVersion.filter { $0.key != "-" && $0.value > 0 }.keys) }
    }

    public init(environment: String) { self.environment = environment }
}
