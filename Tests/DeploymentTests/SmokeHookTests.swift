import CloudSimulator
import Foundation
import Testing
import TestPredicates

@testable import Deployment

/// The built-in `smoke:` hook on the simulated cloud: requests through the load balancer's preview route (the
/// serving conditions plus `X-Deployment-Color: green`) reach the new colour before any traffic does; a build that
/// passes its health checks but answers its users with errors is caught there and never gets traffic.
struct SmokeHookTests {
    static func configuration(point: String = "preSwitch", expect: String = "", paths: String = "[/, /api/compilers]") -> DeploymentConfiguration {
        try! ConfigurationLoader.parse(
            """
            defaults:
              bake: 1m
              alarmDelay: 0
              health: {timeout: 10m, poll: 5s, stable: 10s}
              hooks:
                \(point): {smoke: {url: "https://compiler-explorer.com", paths: \(paths)\(expect)}, timeout: 30s}
            environments:
              prod: {routing: default, minInstances: 2}
              beta: {routing: "/beta*", minInstances: 1}
            """, file: "ce.yaml")
    }

    func world(_ configuration: DeploymentConfiguration) throws -> SimulatedCloud {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod", "beta"], configuration: configuration, requestsPerSecond: 5, neighbours: true)
        cloud.setBootSeconds(40...70)
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 20))
        return cloud
    }

    func deploy(_ cloud: SimulatedCloud, _ configuration: DeploymentConfiguration, env name: String = "prod") async throws -> StepReport {
        let env = try configuration.environment(name)
        let identity = LockIdentity(holder: "alice@admin", command: "ce --env \(name) environment refresh", pid: 1)
        return try await FanOut.$sequential.withValue(true) {
            let manager = LockManager(environment: env, store: cloud.ports.documents, clock: cloud.clock)
            return try await manager.withLock(identity, keepAlive: nil) {
                try await Deploy.run(.fresh(.blueGreen, DeployOptions(version: "v2")), environment: env, ports: cloud.patientPorts, identity: identity)
            }
        }
    }

    @Test(arguments: ["prod", "beta"])
    func aHealthyBuildPassesThroughItsPreviewRoute(env: String) async throws {
        // (Beta's requests are under /beta: elsewhere the header would take them to prod's green preview.)
        let configuration = Self.configuration(paths: env == "beta" ? "[/beta/, /beta/api/compilers]" : "[/, /api/compilers]")
        let cloud = try world(configuration)
        let report = try await deploy(cloud, configuration, env: env)
        let hooks = try #require(report.steps.first { $0.name == "hooks" })
        #expect(hooks.detail == "preSwitch smoke passed: 2 path(s) answered through the green preview route", "\(hooks.detail)")
        #expect(cloud.read { $0.servingColor(env) } == "green")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aBuildAnsweringErrorsIsCaughtBeforeAnyTrafficMoves() async throws {
        let configuration = Self.configuration()
        let cloud = try world(configuration)
        // Up and passing its health checks, but every page answers 500.
        cloud.setBehaviour(version: "v2", .erroring(1.0, startSeconds: 20))
        do {
            _ = try await deploy(cloud, configuration)
            Issue.record("expected the smoke hook to stop the deploy")
        } catch let failure as DeployFailure {
            #expect(failure.cause.hasPrefix("the preSwitch hook failed: smoke GET https://compiler-explorer.com{/,/api/compilers} expecting 200: failed: GET / answered 500, GET /api/compilers answered 500 through the green preview route"), "\(failure.cause)")
            #expect(failure.state.hasPrefix("Traffic was not touched (blue still serves)."))
        }
        #expect(cloud.read { $0.servingColor("prod") } == "blue")
        #expect(!cloud.requests.contains { $0.environment == "prod" && $0.version == "v2" }, "no user ever reached the failing build")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    /// Found by a newcomer's trial (issue 19 §2): previews after the serving rule (a higher priority number) are never
    /// reached — the serving rule matches their requests first — so a build answering 100% 5xx "passed" through them.
    /// The check routes its requests as the load balancer does and fails, naming the rule that takes them.
    @Test func aPreviewBehindTheServingRuleIsNeverReachedAndTheSmokeFails() async throws {
        let configuration = Self.configuration(paths: "[/beta/, /beta/api/compilers]")
        let cloud = try world(configuration)
        cloud.change { world in
            for index in world.routes.indices where world.routes[index].arn.hasPrefix("arn:sim:rule/443/beta-preview-") {
                world.routes[index].priority = world.routes[index].arn.hasSuffix("blue") ? "223" : "224"
            }
        }
        cloud.setBehaviour(version: "v2", .erroring(1.0, startSeconds: 20))
        let beta = try configuration.environment("beta")
        let status = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: beta).read() }
        #expect(status.previews.count == 2 && status.previews.isNonEmptyAndAll { $0.note?.contains("never reached: rule 101 on :443 (path /beta*) takes its requests first") == true }, "\(status.previews)")
        let snapshot = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: beta).snapshot() }
        #expect(EnvironmentValidator.checks(snapshot).filter { $0.name.hasPrefix("preview") }.isNonEmptyAndAll { $0.outcome == .fail }, "a smoke hook relies on them")
        do {
            _ = try await deploy(cloud, configuration, env: "beta")
            Issue.record("expected the smoke hook to fail")
        } catch let failure as DeployFailure {
            #expect(failure.cause.contains("GET https://compiler-explorer.com/beta/ with 'X-Deployment-Color: green' is taken by rule 101 on :443 (path /beta*), not by a preview rule of green"), "\(failure.cause)")
        }
        #expect(cloud.read { $0.servingColor("beta") } == "blue")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func withoutAPreviewRuleTheSmokeFailsRatherThanProveNothing() async throws {
        let configuration = Self.configuration()
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], configuration: configuration, requestsPerSecond: 5)
        cloud.setBootSeconds(40...70)
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 20))
        do {
            _ = try await deploy(cloud, configuration)
            Issue.record("expected the smoke hook to refuse")
        } catch let failure as DeployFailure {
            #expect(failure.cause.contains("no preview rule of prod forwards 'X-Deployment-Color: green' to Prod-Green"), "\(failure.cause)")
        }
        #expect(cloud.read { $0.servingColor("prod") } == "blue")
    }

    @Test func theExpectedStatusesAreTheConfiguredOnes() async throws {
        let configuration = Self.configuration(expect: ", expect: [204]")
        let cloud = try world(configuration)
        await #expect(throws: DeployFailure.self) { _ = try await deploy(cloud, configuration) }
        #expect(cloud.read { $0.servingColor("prod") } == "blue")
    }

    @Test func aPostSwitchSmokeFailureRollsBack() async throws {
        let configuration = Self.configuration(point: "postSwitch")
        let cloud = try world(configuration)
        cloud.setBehaviour(version: "v2", .erroring(1.0, startSeconds: 20))
        do {
            _ = try await deploy(cloud, configuration)
            Issue.record("expected a rollback")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.cause.hasPrefix("the postSwitch hook failed: smoke GET"), "\(failure.cause)")
        }
        #expect(cloud.read { $0.servingColor("prod") } == "blue")
    }

    @Test func smokeHooksAreCheckedWhereTheyAreWritten() throws {
        func problem(_ yaml: String) -> String {
            do {
                _ = try ConfigurationLoader.parse(yaml, file: "ce.yaml")
                return "parsed"
            } catch { return String(describing: error) }
        }
        let smoke = #"{smoke: {url: "https://example.com", paths: [/healthcheck]}}"#
        #expect(problem("defaults:\n  hooks:\n    preDeploy: \(smoke)\n").contains("defaults.hooks.preDeploy.smoke: checks the new colour through its preview route: it belongs at preSwitch, postSwitch or postDeploy"))
        #expect(problem("defaults:\n  hooks:\n    preSwitch: {smoke: {url: \"https://example.com/api\", paths: [/a]}}\n").contains("defaults.hooks.preSwitch.smoke.url: must be a scheme and host"))
        #expect(problem("defaults:\n  hooks:\n    preSwitch: {smoke: {url: \"https://example.com\", paths: []}}\n").contains("defaults.hooks.preSwitch.smoke.paths: must be a list of paths"))
        #expect(problem("defaults:\n  hooks:\n    preSwitch: {smoke: {url: \"https://example.com\", paths: [/a], expect: [999]}}\n").contains("defaults.hooks.preSwitch.smoke.expect[0]: must be an HTTP status"))
        #expect(problem("defaults:\n  hooks:\n    preSwitch: {run: [./x], smoke: {url: \"https://example.com\", paths: [/a]}}\n").contains("give either run (a program) or smoke (the built-in check), not both"))
        #expect(problem("environments:\n  beta: {routing: \"/beta*\", strategy: instances, hooks: {preSwitch: \(smoke)}}\n").contains("environments.beta.hooks.preSwitch: a smoke check reaches the new colour through its preview route, but beta keeps one target group"))
        let parsed = try ConfigurationLoader.parse("defaults:\n  hooks:\n    postDeploy: \(smoke)\n", file: "ce.yaml").environment("prod")
        let hook = try #require(parsed.hooks[.postDeploy].first)
        #expect(hook.smoke == SmokeCheck(url: "https://example.com", paths: ["/healthcheck"]) && hook.timeoutSeconds == 60 && hook.argv.isEmpty)
        #expect(hook.commandLine == "smoke GET https://example.com/healthcheck expecting 200")
    }
}
