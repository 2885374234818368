import Deployment
import Foundation
import Testing

@testable import CloudSimulator

/// The invariants catch a tool that does the wrong thing: each is broken on purpose here and must be reported.
struct InvariantTests {
    func advance(_ cloud: SimulatedCloud, _ seconds: Double) async throws {
        try await cloud.clock.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }

    func bootGreen(_ cloud: SimulatedCloud, version: String) async throws {
        cloud.setParameter("/compiler-explorer/prod/green/version", version)
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: 2, maxSize: 2))
        try await advance(cloud, 70)
    }

    func routes(_ cloud: SimulatedCloud) -> [Route] { cloud.routes().filter { $0.kind == .listenerDefault } }

    @Test func switchingToABrokenBuildIsCaught() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        cloud.setBehaviour(version: "bad", .neverHealthy)
        try await bootGreen(cloud, version: "bad")
        #expect(cloud.violations.isEmpty)
        for route in routes(cloud) { try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        try await advance(cloud, 5)
        #expect(cloud.violations.contains { $0.contains("forwards to a colour with no healthy instance") })
        #expect(cloud.violations.contains { $0.contains("served by bad, a build that never passes its health check") })
    }

    @Test func scalingAColourDownBeforeTheSwitchAwayFromItPropagatedIsCaught() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 20)
        cloud.setCalibration(Calibration(propagationSeconds: 5))
        try await bootGreen(cloud, version: "v2")
        for route in routes(cloud) { try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        try await advance(cloud, 6)
        #expect(cloud.violations.contains { $0.contains("capacity was taken away before the route change propagated") })

        // Once every node has the change, the old colour may go.
        let patient = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 20)
        patient.setCalibration(Calibration(propagationSeconds: 5))
        try await bootGreen(patient, version: "v2")
        for route in routes(patient) { try await patient.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        try await advance(patient, 5)
        try await patient.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        try await advance(patient, 6)
        #expect(patient.violations == [])
    }

    @Test func aFailingBuildGivenMoreThanItsCanaryShareIsCaught() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        cloud.setBehaviour(version: "v2", .erroring(0.3))
        try await bootGreen(cloud, version: "v2")
        let journal = DeploymentJournal(
            id: "d", strategy: "canary", from: .blue, to: .green, version: "v2", capacity: 2, step: "shift", status: .inProgress,
            original: [:], originalValues: [:], targetGroupArn: "arn:sim:targetgroup/Prod-Green", keepFailed: false, bakeSeconds: 0,
            setsVersion: false, startedAt: "", updatedAt: "", by: "t", command: "c", traffic: TrafficSteps(percentages: [10, 50, 100]), trafficStep: 0)
        try await cloud.overwrite(name: "/compiler-explorer/prod/deployment", value: journal.json())
        let weights = { (green: Int) in ["arn:sim:targetgroup/Prod-Blue": 100 - green, "arn:sim:targetgroup/Prod-Green": green] }
        for route in routes(cloud) { try await cloud.apply(.setForward(route: route, forward: route.forward!.splitting(weights(10)))) }
        try await advance(cloud, 3)
        #expect(cloud.violations.isEmpty, "a canary may split traffic, and 10% is the failing build's share")
        for route in routes(cloud) { try await cloud.apply(.setForward(route: route, forward: route.forward!.splitting(weights(50)))) }
        #expect(cloud.violations.contains { $0.contains("gives v2, a failing build, 50% of prod's traffic: more than its canary share of 10%") })
        // A healthy build may go on to 50%.
        let healthy = try SimulatedCloud.designDocument(environments: ["prod"])
        try await bootGreen(healthy, version: "v2")
        try await healthy.overwrite(name: "/compiler-explorer/prod/deployment", value: journal.json())
        for route in routes(healthy) { try await healthy.apply(.setForward(route: route, forward: route.forward!.splitting(weights(50)))) }
        try await advance(healthy, 3)
        #expect(healthy.violations.isEmpty)
    }

    @Test func aBuildWhoseGateFailedMustNotServe() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        try await bootGreen(cloud, version: "v2")
        var journal = DeploymentJournal(
            id: "d", strategy: "blue-green", from: .blue, to: .green, version: "v2", capacity: 2, step: "health gate", status: .failed,
            original: [:], originalValues: [:], targetGroupArn: "arn:sim:targetgroup/Prod-Green", keepFailed: true, bakeSeconds: 0,
            setsVersion: false, startedAt: "", updatedAt: "", by: "t", command: "c", note: "health gate: timed out")
        try await cloud.overwrite(name: "/compiler-explorer/prod/deployment", value: journal.json())
        for route in routes(cloud) { try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        try await advance(cloud, 3)
        #expect(cloud.violations.contains { $0.contains("served by v2, whose health gate failed") })
        // A later deploy of the same build that passes its gate (journal at switch) may serve it.
        let clean = try SimulatedCloud.designDocument(environments: ["prod"])
        try await bootGreen(clean, version: "v2")
        try await clean.overwrite(name: "/compiler-explorer/prod/deployment", value: journal.json())
        journal.status = .inProgress
        journal.step = "switch"
        try await clean.overwrite(name: "/compiler-explorer/prod/deployment", value: journal.json())
        for route in routes(clean) { try await clean.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        try await advance(clean, 3)
        #expect(clean.violations.isEmpty, "\(clean.violations)")
    }

    @Test func scalingTheServingColourAwayIsCaught() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        #expect(cloud.violations.contains { $0.contains("after 'AutoScaling UpdateAutoScalingGroup AutoScalingGroupName=prod-blue MinSize=0 DesiredCapacity=0'") })
        // Unless the operator took it down on purpose.
        let stopped = try SimulatedCloud.designDocument(environments: ["prod"])
        stopped.change { _ = $0.invariants.downtimeAllowed.insert("prod") }
        try await stopped.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        #expect(stopped.violations.isEmpty)
    }

    @Test func listenersLeftDisagreeingAreCaughtButASwitchInFlightIsNot() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        try await bootGreen(cloud, version: "v2")
        let first = routes(cloud)[0]
        try await cloud.apply(.forward(route: first, targetGroupArn: "arn:sim:targetgroup/Prod-Green"))
        try await advance(cloud, 30)
        #expect(cloud.violations.isEmpty, "half a minute of a switch in flight is allowed")
        try await advance(cloud, 40)
        #expect(cloud.violations.contains { $0.contains("prod's routes have disagreed for 6") })
    }

    @Test func theEndStateMustBeConsistent() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod", "beta"])
        #expect(cloud.checkEnd() == [])
        try await bootGreen(cloud, version: "v2")
        for route in routes(cloud) { try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        _ = try await cloud.create(name: "/compiler-explorer/beta/deploy-lock", value: "{}")
        let found = cloud.checkEnd()
        #expect(found.contains("prod: SSM active-color is blue but green serves"))
        #expect(found.contains("prod: the live group prod-green is left at min/desired/max 2/2/2 (max should be 24)"))
        #expect(found.contains("beta: the deploy lock is still held"))
        #expect(cloud.violations.count == 3)
    }

    @Test func aColourServingAnotherBuildThanItsRecordIsCaught() async throws {
        // The trial's defect: green ran v1, a forced deploy wrote green/version = v2 and switched without replacing.
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 5)
        try await bootGreen(cloud, version: "v1")
        cloud.setParameter("/compiler-explorer/prod/green/version", "v2")
        for route in routes(cloud) { try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green")) }
        try await advance(cloud, 5)
        let found = cloud.violations.filter { $0.contains("running v1 on green, whose recorded build is v2") }
        #expect(found.count == 1, "one line per colour and build, not one per request: \(cloud.violations)")
        #expect(cloud.requests.filter { $0.color == "green" }.count >= 20)
        // A rolling deploy mixes builds by design while it runs.
        let rolling = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 5)
        let journal = DeploymentJournal(
            id: "r", strategy: "rolling", from: .blue, to: .blue, version: "v2", capacity: 2, step: "wait", status: .inProgress,
            original: [:], originalValues: [:], targetGroupArn: "", keepFailed: false, bakeSeconds: 0, setsVersion: true, startedAt: "",
            updatedAt: "", by: "t", command: "c")
        try await rolling.overwrite(name: "/compiler-explorer/prod/deployment", value: journal.json())
        rolling.setParameter("/compiler-explorer/prod/blue/version", "v2")
        try await advance(rolling, 5)
        #expect(rolling.violations.isEmpty)
    }

    @Test func changingARouteThatIsNoEnvironmentsIsCaught() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod", "beta"], neighbours: true)
        for name in ["beta-preview-blue", "beta-internal", "maintenance"] {
            let route = try #require(cloud.routes().first { $0.arn == "arn:sim:rule/443/\(name)" })
            try? await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Beta-Green"))
        }
        #expect(cloud.violations.filter { $0.contains("which is no environment's serving route") }.count == 2, "\(cloud.violations)")
        #expect(cloud.routes().first { $0.arn == "arn:sim:rule/443/maintenance" }?.finalActionType == "fixed-response", "a fixed response is never turned into a forward")
    }

    @Test func anEnvironmentStoppedOnPurposeCountsAgainOnceItServes() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        cloud.change { _ = $0.invariants.downtimeAllowed.insert("prod") }
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        try await advance(cloud, 60)
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 2, desiredCapacity: 2, maxSize: nil))
        try await advance(cloud, 120)
        #expect(cloud.read { $0.invariants.downtimeAllowed }.isEmpty, "serving again")
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        #expect(cloud.violations.count == 1, "a second, unannounced stop is the tool's: \(cloud.violations)")
    }
}
