import AWSServices
import CETestSupport
import Foundation
import Testing

/// ce's own metrics on moto, through the binary: with `metricsNamespace` configured a deploy publishes its duration
/// and its switch's (PutMetricData, read back with GetMetricData), dimensions Environment and Strategy.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct DeployMetricsCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    @Test func aDeployPublishesItsDurations() async throws {
        let layout = try Moto.layout("metrics", envs: ["prod", "beta"], crowded: true)
        let home = try CLI.temporaryHome()
        let namespace = "CE/\(layout.prefix)Deploy"
        try (layout.config() + "  metricsNamespace: \(namespace)\n").write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let started = Date().addingTimeInterval(-60)
        let deploy = try CLI.run(
            ["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!, "--env", "beta", "environment", "refresh", "--version", "v2"],
            environment: CLI.environment(home: home, keys))
        #expect(deploy.status == 0, "\(deploy.all)")
        #expect(!deploy.stderr.contains("could not be published"), "\(deploy.stderr)")
        let dimensions = [Dimension(name: "Environment", value: "beta"), Dimension(name: "Strategy", value: "blue-green")]
        func values(_ name: String) async throws -> [Double] {
            let results = try await Moto.services.cloudWatch.getMetricData(
                .init(
                    metricDataQueries: [
                        MetricDataQuery(id: "m", metricStat: .init(metric: .init(namespace: namespace, metricName: name, dimensions: dimensions), period: 60, stat: "Maximum"))
                    ],
                    startTime: started, endTime: Date().addingTimeInterval(120)))
            return results.first?.values ?? []
        }
        #expect(try await values("DeployDuration").contains { $0 > 0 })
        #expect(try await !values("SwitchDuration").isEmpty)
    }
}
