import Deployment
import Foundation

/// A `StrategyComparison`'s runs, by strategy in the order asked.
public struct StrategyComparisonResult: Sendable {
    public var comparison: StrategyComparison
    public var strategies: [StrategySummary]
}

/// One strategy's runs and, over them, each figure's median and spread.
public struct StrategySummary: Sendable {
    public var strategy: DeployStrategy
    public var runs: [StrategyRun]

    public init(strategy: DeployStrategy, runs: [StrategyRun]) {
        self.strategy = strategy
        self.runs = runs
    }

    /// A figure over the runs: the median (the mean of the middle two for an even count), the lowest and highest.
    public struct Statistic: Sendable, Equatable, Encodable {
        public var median: Double
        public var min: Double
        public var max: Double

        public init(_ values: [Double]) {
            let sorted = values.sorted()
            guard let first = sorted.first, let last = sorted.last else {
                (median, min, max) = (0, 0, 0)
                return
            }
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            (min, max) = (first, last)
        }

        /// Whether every run gave the same figure.
        public var isExact: Bool { min == max }
    }

    public func statistic(_ figure: (StrategyRun) -> Double) -> Statistic { Statistic(runs.map(figure)) }

    public var duration: Statistic { statistic(\.durationSeconds) }
    public var mixedSeconds: Statistic { statistic { Double($0.mixedSeconds) } }
    public var mixedShare: Statistic { statistic(\.mixedShare) }
    public var errors: Statistic { statistic { Double($0.errors) } }
    public var lowestCapacity: Statistic { statistic { Double($0.lowestCapacity) } }
    public var extraInstanceHours: Statistic { statistic(\.extraInstanceHours) }
    public var apiCalls: Statistic { statistic { Double($0.apiCalls) } }

    /// How the runs ended, with counts when they differ: `deployed`, `deployed ×2, deploy rolled back ×1`.
    public var outcomes: String {
        var counts: [(String, Int)] = []
        for run in runs {
            if let index = counts.firstIndex(where: { $0.0 == run.outcome }) { counts[index].1 += 1 } else { counts.append((run.outcome, 1)) }
        }
        return counts.count == 1 ? counts[0].0 : counts.map { "\($0.0) ×\($0.1)" }.joined(separator: ", ")
    }
}
