import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment
import TestPredicates

/// Hooks on the simulated cloud, for every strategy: where each point runs (before traffic moves, after it moved,
/// after the outcome), what a failure at each does, the facts a hook gets, and that a resumed deploy runs no hook
/// twice. The process runner itself is tested with real processes in `HookProcessTests`.
struct HookScenarioTests {
    /// A hook runner that records each run — the point, the hook's first word, the calls the tool had made — and
    /// answers as scripted (`exit` by hook name, 0 otherwise).
    final class ScriptedHooks: HookRunner {
        struct Run: Equatable {
            var point: HookPoint
            var name: String
            var variables: [String: String]
            var callsBefore: [String]
        }
        let cloud: SimulatedCloud
        let exits: [String: Int32]
        /// Hooks that end as killed because ce was asked to stop (Ctrl-C while they ran).
        let stopped: Set<String>
        let runs = Mutex<[Run]>([])

        init(_ cloud: SimulatedCloud, exits: [String: Int32] = [:], stopped: Set<String> = []) {
            self.cloud = cloud
            self.exits = exits
            self.stopped = stopped
        }

        func run(_ hook: Hook, point: HookPoint, context: HookContext, interruption: Interruption) async -> HookResult {
            let calls = cloud.calls
            runs.withLock { $0.append(Run(point: point, name: hook.name, variables: context.variables(point: point), callsBefore: calls)) }
            if stopped.contains(hook.name) { return HookResult(ending: .interrupted, seconds: 0.1) }
            return HookResult(ending: .exited(exits[hook.name] ?? 0), seconds: 0.1)
        }

        var points: [HookPoint] { runs.withLock { $0.map(\.point) } }
    }

    static func configuration(strategy: String = "blue-green", extra: String = "") -> DeploymentConfiguration {
        try! ConfigurationLoader.parse(
            """
            defaults:
              bake: 1m
              alarms: ["{env}-{color}-5xx"]
              alarmDelay: 0
              health: {timeout: 10m, poll: 5s, stable: 10s}
              hooks:
                preDeploy: {run: [pre-deploy]}
                preSwitch: {run: [pre-switch]}
                postSwitch: {run: [post-switch]\(extra)}
                postRollback: {run: [post-rollback]}
                postDeploy: {run: [post-deploy]}
                onFailure: {run: [on-failure]}
            environments:
              prod: {routing: default, minInstances: 2, strategy: \(strategy)}
            """, file: "ce.yaml")
    }

    let identity = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 1)

    func world(_ configuration: DeploymentConfiguration) throws -> SimulatedCloud {
        let cloud = try SimulatedCloud.designDocument(
            environments: ["prod"], configuration: configuration, requestsPerSecond: 5, alarms: "{env}-{color}-5xx")
        cloud.setBootSeconds(40...70)
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 20))
        return cloud
    }

    func deploy(
        _ cloud: SimulatedCloud, _ configuration: DeploymentConfiguration, hooks: ScriptedHooks, request: Deploy.Request? = nil
    ) async throws -> StepReport {
        let env = try configuration.environment("prod")
        var withHooks = cloud.patientPorts
        withHooks.hooks = hooks
        let ports = withHooks
        let identity = self.identity
        let request = request ?? .fresh(env.strategy, DeployOptions(version: "v2", traffic: try env.canary.steps(for: env.strategy), strategyName: env.strategy.rawValue))
        return try await FanOut.$sequential.withValue(true) {
            var manager = LockManager(environment: env, store: cloud.ports.documents, clock: cloud.clock)
            manager.holderIsGone = { $0.pid == 1 }
            return try await manager.withLock(identity, keepAlive: nil, takeOver: true) {
                try await Deploy.run(request, environment: env, ports: ports, identity: identity)
            }
        }
    }

    func journal(_ cloud: SimulatedCloud) -> DeploymentJournal? { cloud.parameter("/compiler-explorer/prod/deployment").flatMap(DeploymentJournal.decode) }

    /// Whether any listener had moved to green before the hook of `point` ran.
    func trafficMoved(before point: HookPoint, _ hooks: ScriptedHooks) -> Bool {
        hooks.runs.withLock { $0.first { $0.point == point }?.callsBefore.contains { $0.hasPrefix("ELBv2 Modify") } } ?? false
    }

    @Test(arguments: ["blue-green", "canary", "instances", "rolling"])
    func eachPointRunsOnceInOrderWithTheDeploysFacts(strategy: String) async throws {
        let configuration = Self.configuration(strategy: strategy)
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud)
        let report = try await deploy(cloud, configuration, hooks: hooks)
        #expect(hooks.points == [.preDeploy, .preSwitch, .postSwitch, .postDeploy])
        #expect(report.steps.last?.name == "hooks" && report.steps.last?.detail == "preDeploy pre-deploy exit 0; preSwitch pre-switch exit 0; postSwitch post-switch exit 0; postDeploy post-deploy exit 0")
        let runs = hooks.runs.withLock { $0 }
        let first = try #require(runs.first)
        #expect(first.callsBefore.isNonEmptyAndAll { !$0.contains("Update") && !$0.contains("Register") && !$0.hasPrefix("ELBv2 Modify") }, "preDeploy runs before any change")
        #expect(!trafficMoved(before: .preSwitch, hooks), "preSwitch runs before traffic moves")
        let preSwitchCalls = runs[1].callsBefore
        switch strategy {
        case "instances": #expect(!preSwitchCalls.contains { $0.contains("RegisterTargets") }, "before the new instances are registered")
        case "rolling": #expect(!preSwitchCalls.contains { $0.contains("StartInstanceRefresh") }, "before the instance refresh starts")
        default: #expect(trafficMoved(before: .postSwitch, hooks), "postSwitch runs once traffic moved")
        }
        let facts = runs[1].variables
        #expect(facts["CE_ENV"] == "prod" && facts["CE_STRATEGY"] == strategy && facts["CE_VERSION"] == "v2" && facts["CE_PREVIOUS_VERSION"] == "v1")
        #expect(facts["CE_HOOK"] == "preSwitch" && facts["CE_DEPLOYMENT_ID"] == journal(cloud)?.id)
        if strategy != "rolling" {
            #expect(facts["CE_FROM_COLOR"] == "blue" && facts["CE_TO_COLOR"] == "green")
            let green = cloud.read { $0.groups["prod-green"]!.instanceIds }.sorted()
            #expect(facts["CE_INSTANCE_IDS"] == green.joined(separator: ","), "the new colour's instances")
        }
        #expect(journal(cloud)?.status == .done)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aFailingPreSwitchHookUndoesTheDeployBeforeTrafficMoves() async throws {
        let configuration = Self.configuration()
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud, exits: ["pre-switch": 3])
        do {
            _ = try await deploy(cloud, configuration, hooks: hooks)
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .failed && failure.cause == "the preSwitch hook failed: pre-switch: exit 3")
            #expect(failure.report.steps.last?.detail == "preDeploy pre-deploy exit 0; preSwitch pre-switch exit 3; onFailure on-failure exit 0")
        }
        #expect(hooks.points == [.preDeploy, .preSwitch, .onFailure])
        #expect(!cloud.calls.contains { $0.hasPrefix("ELBv2 Modify") }, "no route was touched")
        #expect(!cloud.requests.contains { $0.version == "v2" })
        #expect(cloud.groupSize("prod-green")?.desired == 0, "undone as after a failed gate")
        #expect(journal(cloud)?.status == .failed)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aFailingPreDeployHookChangesNothing() async throws {
        let configuration = Self.configuration()
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud, exits: ["pre-deploy": 1])
        await #expect(throws: DeployFailure.self) { _ = try await deploy(cloud, configuration, hooks: hooks) }
        #expect(hooks.points == [.preDeploy, .onFailure])
        #expect(!cloud.calls.contains { $0.contains("UpdateAutoScalingGroup") || $0.hasPrefix("ELBv2 Modify") })
        #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v1")
    }

    @Test(arguments: ["blue-green", "instances"])
    func aFailingPostSwitchHookRollsBack(strategy: String) async throws {
        let configuration = Self.configuration(strategy: strategy)
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud, exits: ["post-switch": 2])
        do {
            _ = try await deploy(cloud, configuration, hooks: hooks)
            Issue.record("expected a rollback")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack, "\(failure)")
            #expect(failure.cause.contains("the postSwitch hook failed: post-switch: exit 2"))
        }
        #expect(hooks.points == [.preDeploy, .preSwitch, .postSwitch, .postRollback, .onFailure])
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(journal(cloud)?.status == .rolledBack)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aPostSwitchHookThatMayFailIsReportedAndTheDeployGoesOn() async throws {
        let configuration = Self.configuration(extra: ", onFailure: continue")
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud, exits: ["post-switch": 2])
        let report = try await deploy(cloud, configuration, hooks: hooks)
        #expect(report.steps.last?.detail.contains("postSwitch post-switch exit 2") == true)
        #expect(hooks.points == [.preDeploy, .preSwitch, .postSwitch, .postDeploy])
        #expect(journal(cloud)?.status == .done && cloud.parameter("/compiler-explorer/prod/active-color") == "green")
    }

    @Test func aFailingPostDeployHookLeavesTheDeployDoneAndSaysSo() async throws {
        let configuration = Self.configuration()
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud, exits: ["post-deploy": 4])
        do {
            _ = try await deploy(cloud, configuration, hooks: hooks)
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.step == "postDeploy hook" && failure.cause == "the postDeploy hook failed: post-deploy: exit 4")
            #expect(failure.state.hasPrefix("The deploy itself is done"))
        }
        #expect(journal(cloud)?.status == .done && cloud.parameter("/compiler-explorer/prod/active-color") == "green")
        #expect(hooks.points == [.preDeploy, .preSwitch, .postSwitch, .postDeploy], "onFailure is for deploys that did not finish")
    }

    @Test(arguments: ["finalize", "health gate"])
    func aResumedDeployRunsNoHookTwice(crashAt step: String) async throws {
        let configuration = Self.configuration()
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud)
        cloud.setFaults(Faults(crashAtStep: step))
        _ = try? await deploy(cloud, configuration, hooks: hooks)
        #expect(cloud.isCrashed)
        let before = hooks.points
        cloud.restartTool()
        cloud.setFaults(Faults())
        _ = try await deploy(cloud, configuration, hooks: hooks, request: .resume(try #require(journal(cloud))))
        #expect(hooks.points == [.preDeploy, .preSwitch, .postSwitch, .postDeploy], "each point once over both processes (before the crash: \(before))")
        #expect(journal(cloud)?.status == .done)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func theLedgerNamesItsDeployment() throws {
        let ledger = HookLedger(deployment: "d-1", ran: [.preDeploy, .preSwitch])
        let text = try ledger.json()
        #expect(HookLedger.decode(text, deployment: "d-1") == ledger)
        #expect(HookLedger.decode(text, deployment: "d-2").ran == [], "another deployment's ledger counts for nothing")
        #expect(HookLedger.decode("{", deployment: "d-1").ran == [])
    }

    /// A hook killed because ce was asked to stop ends the deploy as interrupted (journal `interrupted`), not as a
    /// failing hook: blue-green and instance switching undo it as for any stop before the switch.
    @Test(arguments: ["blue-green", "instances"])
    func aHookKilledByAStopEndsTheDeployAsInterrupted(strategy: String) async throws {
        let configuration = Self.configuration(strategy: strategy)
        let cloud = try world(configuration)
        let hooks = ScriptedHooks(cloud, stopped: ["pre-switch"])
        do {
            _ = try await deploy(cloud, configuration, hooks: hooks)
            Issue.record("expected the stop to end the deploy")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .interrupted && failure.cause.contains("the preSwitch hook failed: pre-switch: killed: ce was asked to stop"), "\(failure)")
        }
        #expect(journal(cloud)?.status == .interrupted)
        #expect(cloud.read { $0.servingColor("prod") } == "blue")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }
}
