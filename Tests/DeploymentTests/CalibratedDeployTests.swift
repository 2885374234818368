import CloudSimulator
import Foundation
import Testing

@testable import Deployment

/// Deploys on a world with AWS's delays (`Calibration`): a rule change that takes seconds to reach every load
/// balancer node, alarms that see errors minutes late. Each was found by the soak once the simulator had them; each
/// test shows the tool's answer holds, and that without it (the setting at 0) the invariant breaks.
struct CalibratedDeployTests {
    let identity = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 1)

    func deploy(
        _ cloud: SimulatedCloud, _ prod: EnvironmentConfiguration, traffic: TrafficSteps? = nil,
        progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> StepReport {
        let identity = self.identity
        return try await SimulatedProd.locked(cloud, identity) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity)
                .run(.fresh(.init(version: "v2", traffic: traffic, strategyName: traffic == nil ? nil : "canary")), progress: progress)
        }
    }

    /// A blue-green deploy whose bake sees an alarm: traffic goes back to blue, then green is scaled down.
    func rollBack(propagationSeconds: Int) async throws -> SimulatedCloud {
        var prod = SimulatedProd.prod
        prod.propagationSeconds = propagationSeconds
        prod.alarmDelaySeconds = 0
        let cloud = try SimulatedProd.world(requestsPerSecond: 20)
        cloud.setCalibration(Calibration(propagationSeconds: 5, loadBalancerNodes: 3))
        do {
            _ = try await deploy(cloud, prod) { progress in
                if progress.stage == .bake && progress.elapsedSeconds >= 20 { cloud.forceAlarm("prod-green-5xx", "ALARM") }
            }
            Issue.record("expected a rollback")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack)
        }
        cloud.forceAlarm("prod-green-5xx", nil)
        try await cloud.clock.sleep(for: .seconds(15))  // the traffic of the seconds after it
        #expect(cloud.groupSize("prod-green")?.desired == 0, "the failed colour is scaled down")
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        return cloud
    }

    @Test func aRollbackScalesTheFailedColourDownOnlyOnceTheSwitchBackHasReachedEveryNode() async throws {
        let cloud = try await rollBack(propagationSeconds: 10)
        #expect(cloud.violations == [])
        #expect(!cloud.requests.contains { $0.environment == "prod" && $0.status == 503 }, "no request found green emptied")
        let switchedBack = try #require(cloud.events.lastIndex { $0.contains("tool: ELBv2 Modify") })
        let scaledDown = try #require(cloud.events.lastIndex { $0.contains("AutoScalingGroupName=prod-green") && $0.contains("DesiredCapacity=0") })
        #expect(scaledDown > switchedBack)
        let seconds = { (line: String) in Double(line.split(separator: " ").first!)! }
        #expect(seconds(cloud.events[scaledDown]) - seconds(cloud.events[switchedBack]) >= 10, "it waited the propagation time")

        // Without the wait, nodes still routing by the old rule send requests to a colour with no instance left.
        let hasty = try await rollBack(propagationSeconds: 0)
        #expect(hasty.violations.contains { $0.contains("capacity was taken away before the route change propagated") })
        #expect(hasty.requests.contains { $0.environment == "prod" && $0.status == 503 })
    }

    /// A canary of a build answering 30% 5xx, on a world whose alarms see errors in 60 s periods two minutes late.
    func canaryOfAnErroringBuild(alarmDelaySeconds: Int) async throws -> (SimulatedCloud, DeployFailure?) {
        var prod = SimulatedProd.prod
        prod.alarmDelaySeconds = alarmDelaySeconds
        let cloud = try SimulatedProd.world(requestsPerSecond: 5)
        cloud.setCalibration(Calibration(metricPeriodSeconds: 60, metricLagSeconds: 120))
        cloud.setBehaviour(version: "v2", .erroring(0.3, startSeconds: 20))
        do {
            _ = try await deploy(cloud, prod, traffic: TrafficSteps(percentages: [25, 50, 100], stepBakeSeconds: 60))
            return (cloud, nil)
        } catch let failure as DeployFailure {
            return (cloud, failure)
        }
    }

    @Test func aCanaryStepWatchedByAlarmsLastsAsLongAsTheAlarmsTakeToSeeAnError() async throws {
        let (cloud, failure) = try await canaryOfAnErroringBuild(alarmDelaySeconds: 240)
        #expect(failure?.cause == "alarm in ALARM: prod-green-5xx")
        let steps = failure?.report.steps ?? []
        #expect(steps.filter { $0.name == "shift" }.count == 1, "caught at its first step: \(steps.map(\.name))")
        #expect(cloud.violations == [], "invariant 7: the failing build never got more than 25%")
        #expect(SimulatedProd.servingColor(cloud) == "blue")

        // A 60 s step bake as asked, with alarms two minutes behind: the failing build is promoted past its canary share.
        let (blind, _) = try await canaryOfAnErroringBuild(alarmDelaySeconds: 0)
        #expect(blind.violations.contains { $0.contains("more than its canary share") })
    }

    @Test func aSwitchThatOnlyRaisesTheNewColoursFloorDoesNotWaitButScalingTheOldOneDownDoes() async throws {
        let cloud = try SimulatedProd.world(requestsPerSecond: 5)
        cloud.setCalibration(Calibration(propagationSeconds: 5))
        cloud.setParameter("/compiler-explorer/prod/green/version", "v2")
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 1, maxSize: nil))
        try await cloud.clock.sleep(for: .seconds(90))
        let prod = SimulatedProd.prod
        let snapshot = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: prod).snapshot() }
        let plan = try TrafficSwitch(snapshot: snapshot).plan(to: .green, force: true)
        #expect(plan.contains { if case .resizeGroup("prod-green", _, 2?, _) = $0 { true } else { false } }, "the switch raises green to the floor: \(plan)")
        let runner = SwitchRunner(environment: prod, changes: cloud, loadBalancer: cloud, clock: cloud.clock)
        var started = cloud.now
        let report = try await FanOut.$sequential.withValue(true) { try await runner.run(plan) }
        #expect(cloud.now.timeIntervalSince(started) < 1, "no wait: only the colour traffic moved to grows")
        #expect(!report.steps.contains { $0.name == "settle" })

        // Back to blue, and green scaled down in the same plan: the scale-down waits for the nodes.
        let back = try TrafficSwitch(snapshot: try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: prod).snapshot() })
            .plan(to: .blue, force: true) + [.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: nil)]
        started = cloud.now
        let backReport = try await FanOut.$sequential.withValue(true) { try await runner.run(back) }
        #expect(cloud.now.timeIntervalSince(started) >= 10, "propagation (10 s) before green goes")
        #expect(backReport.steps.contains { $0.name == "settle" })
        try await cloud.clock.sleep(for: .seconds(10))
        #expect(cloud.violations == [])
    }

    @Test func thePlanSaysWhenABakeIsLengthenedForTheAlarms() {
        var prod = SimulatedProd.prod
        // The alarms judge the whole bake: an error in its last second reaches them alarmDelay later.
        #expect(prod.watchSeconds(60) == 300 && prod.watchSeconds(300) == 540 && prod.watchSeconds(0) == 0)
        #expect(prod.lengthenedNote(60) == "; 60 s of traffic + alarmDelay 240 s: the alarms see an error up to 240 s late")
        #expect(prod.watchText(60) == "5m00s (1m00s of traffic, judged by the alarms up to 4m00s late)")
        prod.alarms = []
        #expect(prod.watchSeconds(60) == 60 && prod.lengthenedNote(60) == "" && prod.watchText(60) == "1m00s", "no alarms: nothing to wait for")
    }
}
