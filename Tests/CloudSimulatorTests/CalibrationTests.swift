import Deployment
import Foundation
import Testing

@testable import CloudSimulator
import TestPredicates

/// The simulated cloud's delays and limits, each as AWS documents it (`Calibration.aws`), and none of them when off.
struct CalibrationTests {
    func advance(_ cloud: SimulatedCloud, _ seconds: Double) async throws {
        try await cloud.clock.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }

    /// prod with green running v2 next to blue's v1, traffic at 20 requests a second.
    func prodWithGreenUp(_ calibration: Calibration) async throws -> SimulatedCloud {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 20)
        cloud.setCalibration(calibration)
        cloud.setParameter("/compiler-explorer/prod/green/version", "v2")
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: 2, maxSize: 2))
        try await advance(cloud, 70)
        return cloud
    }

    /// Moves every prod listener default to green, as the tool's switch does.
    func switchProdToGreen(_ cloud: SimulatedCloud) async throws {
        for route in cloud.routes() where route.kind == .listenerDefault {
            try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green"))
        }
        cloud.change { $0.requests = [] }
    }

    @Test func aRouteChangeReachesTheNodesWithinThePropagationDelay() async throws {
        let cloud = try await prodWithGreenUp(Calibration(propagationSeconds: 5, loadBalancerNodes: 3))
        try await switchProdToGreen(cloud)
        #expect(cloud.routes().filter { $0.kind == .listenerDefault }.isNonEmptyAndAll { $0.weights == ["arn:sim:targetgroup/Prod-Green": 1] },
            "Describe shows the change at once")
        try await advance(cloud, 5)
        let during = cloud.requests
        #expect(Set(during.compactMap(\.version)) == ["v1", "v2"], "for a few seconds some nodes still send prod to blue")
        #expect(during.isNonEmptyAndAll { $0.status == 200 })
        cloud.change { $0.requests = [] }
        try await advance(cloud, 10)
        #expect(cloud.requests.isNonEmptyAndAll { $0.version == "v2" } && cloud.requests.count == 200, "then every node has it")
        #expect(cloud.read { $0.nodeRoutes == nil && $0.propagating == nil })
        // Two changes of one route arrive at each node in order: back to blue right after, then it is blue everywhere.
        try await switchProdToGreen(cloud)
        for route in cloud.routes() where route.kind == .listenerDefault {
            try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Blue"))
        }
        try await advance(cloud, 11)
        cloud.change { $0.requests = [] }
        try await advance(cloud, 5)
        #expect(cloud.requests.isNonEmptyAndAll { $0.version == "v1" })

        let instant = try await prodWithGreenUp(.instant)
        try await switchProdToGreen(instant)
        try await advance(instant, 1)
        #expect(instant.requests.isNonEmptyAndAll { $0.version == "v2" } && !instant.requests.isEmpty, "no delay: the next second is all green")
    }

    @Test func elbDescribeCallsShareATokenBucketOfFortyRefilledTenASecond() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        cloud.setCalibration(Calibration(describeBucket: .init(capacity: 40, refillPerSecond: 10)))
        let once = cloud.retrying(with: RetryPolicy(maxAttempts: 1))
        var answered = 0
        var throttled = 0
        for _ in 0..<60 {
            do {
                _ = try await once.targetHealth(targetGroupArn: "arn:sim:targetgroup/Beta-Blue")
                answered += 1
            } catch let error as SimulatedAPIError {
                #expect(error.code == "Throttling" && error.isTransient)
                throttled += 1
            }
        }
        #expect(answered == 40 && throttled == 20, "the bucket holds 40: \(answered) answered")
        _ = try await once.values(names: ["/compiler-explorer/beta/version"])  // SSM has its own limits
        try await advance(cloud, 1)
        var refilled = 0
        for _ in 0..<15 { if (try? await once.targets(cloud)) != nil { refilled += 1 } }
        #expect(refilled == 10, "10 more a second later: \(refilled)")
        // The AWS client's retries (full jitter backoff) get every call through, on virtual time.
        let started = cloud.now
        for _ in 0..<30 { _ = try await cloud.retrying(with: .patient).targetHealth(targetGroupArn: "arn:sim:targetgroup/Beta-Blue") }
        #expect(cloud.now > started)
    }

    @Test func alarmsSeeErrorsInSixtySecondPeriodsTwoMinutesLate() async throws {
        func secondsUntilAlarm(_ calibration: Calibration) async throws -> Int {
            let cloud = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 5, alarms: "{env}-{color}-5xx")
            cloud.setCalibration(calibration)
            cloud.setBehaviour(version: "v1", .erroring(0.5))
            for second in 1...400 {
                try await advance(cloud, 1)
                if try await cloud.states(names: ["prod-blue-5xx"]) == ["prod-blue-5xx": "ALARM"] { return second }
            }
            return .max
        }
        let instant = try await secondsUntilAlarm(.instant)
        let late = try await secondsUntilAlarm(Calibration(metricPeriodSeconds: 60, metricLagSeconds: 120))
        #expect(instant < 10, "no lag: \(instant) s")
        #expect(late == 180, "the first period (0–60 s) is seen at 60 + 120 s: \(late) s")
        #expect(Calibration.aws.alarmDelaySeconds == 180)
    }

    @Test func slowStartRampsANewTargetUpUnlessTheGroupHadNoHealthyTarget() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], liveInstances: ["prod": 3], requestsPerSecond: 40)
        cloud.change { $0.targetGroups["Prod-Blue"]!.slowStartSeconds = 60 }
        let first = cloud.read { $0.groups["prod-blue"]!.instanceIds }
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 4, desiredCapacity: 4, maxSize: 4))
        let newcomer = cloud.read { $0.groups["prod-blue"]!.instanceIds.first { !first.contains($0) }! }
        var second = 0
        while cloud.read({ $0.targetGroups["Prod-Blue"]!.targets[newcomer]?.state }) != "healthy" {
            try await advance(cloud, 1)
            second += 1
            try #require(second < 300)
        }
        #expect(cloud.events.contains { $0.contains("\(newcomer) in slow start for 60 s") })
        /// The newcomer's share of `draws` picks among the group's healthy targets now.
        func newcomerShare() -> Double {
            cloud.change { world in
                let candidates = world.candidates("Prod-Blue")
                let picks = (0..<4000).map { _ in world.pickTarget(candidates, in: "Prod-Blue") }
                return Double(picks.filter { $0 == newcomer }.count) / 4000
            }
        }
        try await advance(cloud, 15)
        let early = newcomerShare()
        #expect(early > 0.03 && early < 0.12, "a quarter into its slow start: about 0.25 / 3.25 of the requests, not 1/4: \(early)")
        try await advance(cloud, 50)
        let full = newcomerShare()
        #expect(full > 0.2 && full < 0.3, "after 60 s its full quarter: \(full)")

        // Targets joining a group with no healthy target (green, checked through a preview rule) start at once.
        cloud.change { $0.targetGroups["Prod-Green"]!.slowStartSeconds = 60 }
        cloud.addRoute(.init(kind: .rule, arn: "arn:sim:rule/preview", listenerPort: 443, priority: "50", pathPatterns: ["/preview*"], weights: ["arn:sim:targetgroup/Prod-Green": 1]))
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: 2, maxSize: 2))
        try await advance(cloud, 120)
        let green = cloud.read { $0.targetGroups["Prod-Green"]!.targets }
        #expect(green.count == 2 && green.values.isNonEmptyAndAll { $0.state == "healthy" && $0.slowStart == nil })
    }
}

extension SimulatedCloud {
    /// One DescribeTargetHealth of beta's blue group.
    fileprivate func targets(_ cloud: SimulatedCloud) async throws -> [TargetSnapshot] {
        try await targetHealth(targetGroupArn: "arn:sim:targetgroup/Beta-Blue")
    }
}
