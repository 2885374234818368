import Deployment
import Foundation

/// One deploy of a `StrategyComparison`, measured over the seconds it ran.
public struct StrategyRun: Sendable, Equatable {
    public var strategy: DeployStrategy
    public var seed: UInt64
    /// How it ended: `deployed`, `deploy rolled back`, …
    public var outcome: String
    /// Seconds from the start of the deploy until the command returned.
    public var durationSeconds: Double = 0
    /// Seconds in which requests were answered by both builds.
    public var mixedSeconds = 0
    /// The share of the deploy's requests answered in those seconds (0–1).
    public var mixedShare = 0.0
    public var requests = 0
    /// Requests answered 5xx (by an instance or by the load balancer).
    public var errors = 0
    /// The fewest instances serving at any second of the deploy, and the share of the instances serving before.
    public var lowestCapacity = 0
    /// Instance-hours above the instances serving before (both colours running is paid for).
    public var extraInstanceHours = 0.0
    /// AWS API calls the tool made (retries included; the HTTP health probes of a gate not counted).
    public var apiCalls = 0
    /// The deploy's seconds, from its start to its end.
    public var timeline: [Timeline.Sample] = []
    /// Invariant violations the simulator saw (none expected).
    public var violations: [String] = []

    public init(strategy: DeployStrategy, seed: UInt64, outcome: String) {
        self.strategy = strategy
        self.seed = seed
        self.outcome = outcome
    }

    /// Measures the run from the environment's timeline between `started` and `ended` (seconds since the world's start).
    init(
        strategy: DeployStrategy, seed: UInt64, outcome: String, started: Double, ended: Double, baseline: Int, timeline all: [Timeline.Sample],
        apiCalls: [String], violations: [String]
    ) {
        self.init(strategy: strategy, seed: seed, outcome: outcome)
        durationSeconds = ended - started
        timeline = all.filter { $0.second > started && $0.second <= ended.rounded(.up) }
        let mixed = timeline.filter { $0.builds.count > 1 }
        mixedSeconds = mixed.count
        requests = timeline.reduce(0) { $0 + $1.requests }
        mixedShare = requests == 0 ? 0 : Double(mixed.reduce(0) { $0 + $1.requests }) / Double(requests)
        errors = timeline.reduce(0) { $0 + $1.errors }
        lowestCapacity = timeline.map(\.servingCapacity).min() ?? 0
        extraInstanceHours = Double(timeline.reduce(0) { $0 + max(0, $1.instances - baseline) }) / 3600
        self.apiCalls = apiCalls.filter { !$0.hasPrefix("HTTP ") }.count
        self.violations = violations
    }
}
