import CloudSimulator
import Deployment
import Foundation

/// `ce simulate compare`'s table, and its `--output json` document (docs/output.md).
enum ComparisonRenderer {
    /// Every key always present.
    struct Document: Encodable {
        struct Calibration: Encodable {
            var propagationSeconds: Double
            var loadBalancerNodes: Int
            var describeBucketCapacity: Double?
            var describeBucketRefillPerSecond: Double?
            var metricPeriodSeconds: Double
            var metricLagSeconds: Double?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(propagationSeconds, forKey: .propagationSeconds)
                try c.encode(loadBalancerNodes, forKey: .loadBalancerNodes)
                try c.encode(describeBucketCapacity, forKey: .describeBucketCapacity)
                try c.encode(describeBucketRefillPerSecond, forKey: .describeBucketRefillPerSecond)
                try c.encode(metricPeriodSeconds, forKey: .metricPeriodSeconds)
                try c.encode(metricLagSeconds, forKey: .metricLagSeconds)
            }
            enum CodingKeys: String, CodingKey {
                case propagationSeconds, loadBalancerNodes, describeBucketCapacity, describeBucketRefillPerSecond, metricPeriodSeconds, metricLagSeconds
            }
        }
        struct Run: Encodable {
            var seed: UInt64
            var outcome: String
            var durationSeconds: Double
            var mixedSeconds: Int
            var mixedShare: Double
            var requests: Int
            var errors: Int
            var lowestCapacity: Int
            var extraInstanceHours: Double
            var apiCalls: Int
            var violations: [String]
        }
        struct Strategy: Encodable {
            var strategy: String
            var outcomes: String
            var durationSeconds: StrategySummary.Statistic
            var mixedSeconds: StrategySummary.Statistic
            var mixedShare: StrategySummary.Statistic
            var errors: StrategySummary.Statistic
            var lowestCapacity: StrategySummary.Statistic
            var extraInstanceHours: StrategySummary.Statistic
            var apiCalls: StrategySummary.Statistic
            var runs: [Run]
        }
        var environment: String
        var instances: Int
        var bootSeconds: Double
        var requestsPerSecond: Double
        var seed: UInt64
        var runs: Int
        var fromBuild: String
        var toBuild: String
        var calibration: Calibration
        var strategies: [Strategy]
    }

    static func document(_ result: StrategyComparisonResult) -> Document {
        let c = result.comparison
        return Document(
            environment: c.environment.name, instances: c.instances, bootSeconds: c.bootSeconds, requestsPerSecond: c.requestsPerSecond,
            seed: c.seed, runs: max(1, c.runs), fromBuild: StrategyComparison.oldBuild, toBuild: StrategyComparison.newBuild,
            calibration: .init(
                propagationSeconds: c.calibration.propagationSeconds, loadBalancerNodes: c.calibration.loadBalancerNodes,
                describeBucketCapacity: c.calibration.describeBucket?.capacity, describeBucketRefillPerSecond: c.calibration.describeBucket?.refillPerSecond,
                metricPeriodSeconds: c.calibration.metricPeriodSeconds, metricLagSeconds: c.calibration.metricLagSeconds),
            strategies: result.strategies.map { summary in
                Document.Strategy(
                    strategy: summary.strategy.rawValue, outcomes: summary.outcomes, durationSeconds: summary.duration,
                    mixedSeconds: summary.mixedSeconds, mixedShare: summary.mixedShare, errors: summary.errors,
                    lowestCapacity: summary.lowestCapacity, extraInstanceHours: summary.extraInstanceHours, apiCalls: summary.apiCalls,
                    runs: summary.runs.map {
                        Document.Run(
                            seed: $0.seed, outcome: $0.outcome, durationSeconds: $0.durationSeconds, mixedSeconds: $0.mixedSeconds,
                            mixedShare: $0.mixedShare, requests: $0.requests, errors: $0.errors, lowestCapacity: $0.lowestCapacity,
                            extraInstanceHours: $0.extraInstanceHours, apiCalls: $0.apiCalls, violations: $0.violations)
                    })
            })
    }

    /// The settings, one table row per strategy, and what the columns mean.
    static func text(_ result: StrategyComparisonResult) -> String {
        let c = result.comparison
        let env = c.environment
        let runs = max(1, c.runs)
        let group = SimulatedCloud.designDocumentTargetGroup
        var lines = [
            "\(env.name): \(StrategyComparison.oldBuild) → \(StrategyComparison.newBuild) on \(c.instances) instance(s), boot \(Int(c.bootSeconds)) s, \(number(c.requestsPerSecond)) requests/s; "
                + (runs == 1 ? "seed \(c.seed)" : "\(runs) runs each (seeds \(c.seed)–\(c.seed + UInt64(runs - 1))): medians, ranges in brackets"),
            "configuration: gate stable \(env.health.stableSeconds) s, bake \(env.watchSeconds(env.bakeSeconds)) s"
                + (env.alarms.isEmpty ? ", no alarms" : ", alarms \(env.alarms.joined(separator: ", "))")
                + ", canary \(env.canary.canarySteps.map { "\($0)%" }.joined(separator: "→")) with \(env.watchSeconds(env.canary.stepBakeSeconds)) s step bake",
            "simulated AWS: rule changes reach \(c.calibration.loadBalancerNodes) load balancer nodes within \(number(c.calibration.propagationSeconds)) s; "
                + "alarms see 5xx \(number(c.calibration.metricLagSeconds ?? 0)) s late in \(number(c.calibration.metricPeriodSeconds)) s periods; target groups as the design document's: checked every \(number(group.intervalSeconds)) s, \(group.healthyThreshold) to be healthy, deregistration delay \(number(group.deregistrationDelaySeconds)) s",
            "",
        ]
        let header = ["strategy", "outcome", "duration", "two builds live", "5xx", "lowest capacity", "extra instance-hours", "API calls"]
        var rows = [header]
        for summary in result.strategies {
            rows.append([
                summary.strategy.rawValue, summary.outcomes,
                show(summary.duration) { DurationText.of($0) },
                show(summary.mixedSeconds) { DurationText.of($0) } + ", " + show(summary.mixedShare) { percent($0) } + " of requests",
                show(summary.errors) { String(Int($0)) },
                show(summary.lowestCapacity) { "\(Int($0)) of \(c.instances)" },
                show(summary.extraInstanceHours) { String(format: "%.2f", $0) },
                show(summary.apiCalls) { String(Int($0)) },
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingTrailingSpaces)
        }
        lines += [
            "",
            "two builds live: the seconds in which both builds answered requests, and the share of the deploy's requests answered in them",
            "lowest capacity: the fewest instances taking traffic at any second; extra instance-hours: instances running beyond \(c.instances), summed",
        ]
        let violations = result.strategies.flatMap { $0.runs.flatMap { run in run.violations.map { "\(run.strategy.rawValue) seed \(run.seed): \($0)" } } }
        if !violations.isEmpty { lines += ["INVARIANTS VIOLATED:"] + violations.prefix(20).map { "  \($0)" } }
        return lines.joined(separator: "\n")
    }

    static func show(_ statistic: StrategySummary.Statistic, _ format: (Double) -> String) -> String {
        statistic.isExact ? format(statistic.median) : "\(format(statistic.median)) [\(format(statistic.min))–\(format(statistic.max))]"
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value) }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
