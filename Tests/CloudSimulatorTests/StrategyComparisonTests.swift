import Deployment
import Foundation
import Testing

@testable import CloudSimulator

/// `ce simulate compare`'s measurements: deterministic, and telling the strategies apart as the design document's
/// problem statement says they differ.
struct StrategyComparisonTests {
    func comparison(
        _ strategies: [DeployStrategy], instances: Int = 8, seed: UInt64 = 1, runs: Int = 1, calibration: Calibration = .aws
    ) throws -> StrategyComparison {
        StrategyComparison(
            environment: try DeploymentConfiguration.builtIn.environment("prod"), strategies: strategies, instances: instances, bootSeconds: 60,
            requestsPerSecond: 20, seed: seed, runs: runs, calibration: calibration)
    }

    @Test func theSameSeedGivesTheSameFiguresAndAnotherSeedMayNot() async throws {
        let strategies: [DeployStrategy] = [.rolling, .blueGreen, .instances, .canary]
        let first = try await comparison(strategies, seed: 3).run()
        let again = try await comparison(strategies, seed: 3).run()
        #expect(first.strategies.map(\.runs) == again.strategies.map(\.runs), "every figure and every second of every timeline")
        #expect(first.strategies.map(\.strategy) == strategies)
        let other = try await comparison(strategies, seed: 4).run()
        #expect(other.strategies.map(\.runs) != first.strategies.map(\.runs))
        for run in first.strategies.flatMap(\.runs) {
            #expect(run.outcome == "deployed", "\(run.strategy): \(run.outcome)")
            #expect(run.violations == [], "\(run.strategy)")
            #expect(run.errors == 0 && run.requests > 0 && run.apiCalls > 0 && !run.timeline.isEmpty)
        }
    }

    @Test func rollingServesTwoBuildsForMinutesAndBlueGreenForAtMostThePropagation() async throws {
        let result = try await comparison([.rolling, .blueGreen, .instances, .canary]).run()
        let runs = Dictionary(uniqueKeysWithValues: result.strategies.map { ($0.strategy, $0.runs[0]) })
        let rolling = try #require(runs[.rolling])
        #expect(rolling.mixedSeconds > 120 && rolling.mixedShare > 0.3, "\(rolling.mixedSeconds) s, \(rolling.mixedShare)")
        // Replacements are launched before the instances they replace go (MaxHealthyPercentage): capacity never dips,
        // paid by the instances running side by side meanwhile.
        #expect(rolling.lowestCapacity == 8, "capacity never dips (\(rolling.lowestCapacity))")
        #expect(rolling.extraInstanceHours > 0)
        let blueGreen = try #require(runs[.blueGreen])
        #expect(blueGreen.mixedSeconds <= 6, "only while the switch reaches the load balancer's nodes: \(blueGreen.mixedSeconds) s")
        #expect(blueGreen.lowestCapacity == 8 && blueGreen.extraInstanceHours > 0.1, "full capacity throughout, paid by a second colour")
        let instances = try #require(runs[.instances])
        #expect(instances.mixedSeconds > 0 && instances.mixedSeconds < rolling.mixedSeconds, "both registered between the gate and the hand-over")
        let canary = try #require(runs[.canary])
        #expect(canary.mixedSeconds >= 250, "a canary mixes builds by design, for its step bake: \(canary.mixedSeconds) s")

        // With changes that reach every node at once, blue-green serves one build at every second.
        var instant = Calibration.aws
        instant.propagationSeconds = 0
        let atomic = try await comparison([.blueGreen], calibration: instant).run()
        #expect(atomic.strategies[0].runs[0].mixedSeconds == 0)
    }

    @Test func severalRunsGiveTheMedianAndTheRange() async throws {
        let result = try await comparison([.blueGreen], runs: 3).run()
        let summary = result.strategies[0]
        #expect(summary.runs.map(\.seed) == [1, 2, 3])
        let durations = summary.runs.map(\.durationSeconds).sorted()
        #expect(summary.duration == .init(durations))
        #expect(summary.duration.median == durations[1] && summary.duration.min == durations[0] && summary.duration.max == durations[2])
        #expect(StrategySummary.Statistic([4, 1, 3, 2]).median == 2.5)
    }
}
