import AWSCore
import CETestSupport
import Deployment
import DeploymentAWS
import Foundation
import Testing

/// The test traffic of `environment test-blue-green` on AWS: ce's own GET requests, counted by answer — against local
/// servers on 127.0.0.1 only. The first request goes out when the watch starts, so every watch sees at least one.
struct HTTPTrafficWatchTests {
    let environment = try! ConfigurationLoader.parse("environments: {beta: {routing: \"/beta*\"}}", file: "ce.yaml").environment("beta")

    func watch(_ url: String) async throws -> TrafficTally {
        let watch = HTTPTrafficWatch(url: URL(string: url)!, requestsPerSecond: 20, transport: AsyncHTTPClientTransport(), clock: LiveClock())
        let watcher = try await watch.start(environment)
        try await LiveClock().sleep(for: .milliseconds(300))
        return await watcher.stop()
    }

    @Test func answersAreCountedByStatus() async throws {
        let ok = try LocalHealthServer()
        let good = try await watch("http://127.0.0.1:\(ok.port)/healthcheck")
        #expect(good.requests >= 1 && good.byStatus == ["200": good.requests] && good.unanswered == 0 && good.serverErrors == 0, "\(good)")

        let failing = try LocalHealthServer(status: 503)
        let bad = try await watch("http://127.0.0.1:\(failing.port)/healthcheck")
        #expect(bad.requests >= 1 && bad.serverErrors == bad.requests, "\(bad)")
    }

    @Test func aRequestNobodyAnswersIsCountedAsUnanswered() async throws {
        // A port just released by a server: nothing listens there.
        let port = try { () throws -> Int in let server = try LocalHealthServer(); return server.port }()
        let none = try await watch("http://127.0.0.1:\(port)/healthcheck")
        #expect(none.requests >= 1 && none.unanswered == none.requests && none.byStatus.isEmpty, "\(none)")
    }
}
