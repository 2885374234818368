import Foundation
import Testing

@testable import Deployment

/// The metrics ce publishes about its own work, from each kind of history record.
struct DeployMetricsTests {
    func record(_ operation: String, _ outcome: String, seconds: Double = 300, strategy: String? = "blue-green", steps: [(String, Double)]) -> HistoryRecord {
        HistoryRecord(
            at: "2027-01-15T08:00:00Z", by: "alice@admin", identity: nil, operation: operation, environment: "prod", outcome: outcome, exitCode: 0,
            seconds: seconds, strategy: strategy, steps: steps.map { .init(name: $0.0, seconds: $0.1) })
    }

    @Test func eachOperationGivesItsMetrics() throws {
        let done = DeployMetrics.of(record("refresh", "done", steps: [("health gate", 100), ("switch", 0.4), ("verify", 0.3), ("record", 0.1), ("bake", 240)]))
        #expect(done == [.init("DeployDuration", 300, .seconds), .init("SwitchDuration", 0.7, .seconds)])
        let rolledBack = DeployMetrics.of(record("refresh", "rolled back", steps: [("switch", 0.5), ("verify", 0.5), ("bake", 30), ("rollback", 1.5)]))
        #expect(rolledBack == [.init("SwitchDuration", 1, .seconds), .init("Rollbacks", 1, .count), .init("RollbackDuration", 1.5, .seconds)])
        let aborted = DeployMetrics.of(record("refresh", "rolled back", strategy: "canary", steps: [("shift", 0.5), ("step bake", 60), ("abort", 2)]))
        #expect(aborted == [.init("Rollbacks", 1, .count), .init("RollbackDuration", 2, .seconds)])
        #expect(DeployMetrics.of(record("refresh", "failed", steps: [("scale", 0), ("health gate", 600)])) == [.init("FailedGates", 1, .count)])
        #expect(DeployMetrics.of(record("refresh", "failed", steps: [("scale", 0)])) == [], "a failure elsewhere is not a failed gate")
        #expect(DeployMetrics.of(record("rollback", "done", seconds: 2, steps: [("switch", 0.2), ("verify", 0.3), ("apply", 0.1)]))
            == [.init("SwitchDuration", 0.5, .seconds), .init("Rollbacks", 1, .count), .init("RollbackDuration", 2, .seconds)])
        #expect(DeployMetrics.of(record("switch", "done", seconds: 1, steps: [("switch", 0.2), ("verify", 0.3)])) == [.init("SwitchDuration", 0.5, .seconds)])
        #expect(DeployMetrics.of(record("cleanup", "done", steps: [("apply", 1)])) == [])
    }

    @Test func dimensionsNameTheEnvironmentAndStrategy() throws {
        let prod = try ConfigurationLoader.parse("defaults: {strategy: canary}", file: "ce.yaml").environment("prod")
        let dims = { (record: HistoryRecord) in DeployMetrics.dimensions(record, environment: prod).map { "\($0.name)=\($0.value)" } }
        #expect(dims(record("refresh", "done", strategy: "linear", steps: [])) == ["Environment=prod", "Strategy=linear"])
        #expect(dims(record("switch", "done", strategy: nil, steps: [])) == ["Environment=prod", "Strategy=canary"], "no deployment: the configured strategy")
    }

    @Test func theNamespaceIsChecked() throws {
        #expect(try ConfigurationLoader.parse("defaults: {metricsNamespace: CompilerExplorer/Deploy}", file: "ce.yaml").environment("beta").metricsNamespace == "CompilerExplorer/Deploy")
        #expect(try ConfigurationLoader.parse("defaults: {}", file: "ce.yaml").environment("beta").metricsNamespace == nil, "off unless configured")
        #expect(throws: (any Error).self) { try ConfigurationLoader.parse("defaults: {metricsNamespace: AWS/ApplicationELB}", file: "ce.yaml") }
        #expect(throws: (any Error).self) { try ConfigurationLoader.parse("defaults: {metricsNamespace: \"a$b\"}", file: "ce.yaml") }
    }
}
