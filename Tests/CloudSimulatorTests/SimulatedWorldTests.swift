import Timekeeping
import Deployment
import Foundation
import Testing

@testable import CloudSimulator
import TestPredicates

/// The simulated cloud behaves as AWS does where the deployment depends on it.
struct SimulatedWorldTests {
    func advance(_ cloud: SimulatedCloud, _ seconds: Double) async throws {
        try await cloud.clock.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }

    @Test func theSameSeedGivesTheSameRunAndAnotherSeedAnother() async throws {
        let scenario = SoakScenario(seed: 7, build: .healthy, bootSeconds: 30...90, throttleRate: 0.3, errorRate: 0.05, latencySeconds: 0.2)
        let first = await Soak.run(scenario)
        let second = await Soak.run(scenario)
        #expect(first.events == second.events)
        #expect(first.events.count > 50)
        #expect(first.calls == second.calls && first.requests == second.requests)
        var other = scenario
        other.seed = 8
        #expect(await Soak.run(other).events != first.events)
    }

    @Test func groupsValidateSizesAsAutoScalingDoes() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        await #expect(throws: SimulatedAPIError.self) {
            try await cloud.apply(.resizeGroup(name: "beta-green", minSize: nil, desiredCapacity: 30, maxSize: nil))
        }
        await #expect(throws: SimulatedAPIError.self) {
            try await cloud.apply(.resizeGroup(name: "beta-green", minSize: 5, desiredCapacity: nil, maxSize: 2))
        }
        #expect(cloud.groupSize("beta-green")! == (0, 0, 24), "a refused change changes nothing")
        try await cloud.apply(.resizeGroup(name: "beta-green", minSize: 2, desiredCapacity: 2, maxSize: 2))
        #expect(cloud.instanceVersions("beta-green").count == 2, "launched at once")
        try await advance(cloud, 61)
        let inService = try await cloud.groups(names: ["beta-green"])["beta-green"]!.instances.filter { $0.lifecycleState == "InService" }
        #expect(inService.count == 2)
    }

    @Test func scaleInDrainsForTheDeregistrationDelay() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"])
        let leaving = cloud.read { $0.groups["prod-blue"]!.instanceIds.last! }
        try await cloud.apply(.resizeGroup(name: "prod-blue", minSize: 1, desiredCapacity: 1, maxSize: nil))
        #expect(try await cloud.targetHealth(targetGroupArn: "arn:sim:targetgroup/Prod-Blue").first { $0.id == leaving }?.state == "draining")
        try await advance(cloud, 10)
        #expect(!cloud.requests.contains { $0.status != 200 }, "no new request reaches a draining target")
        try await advance(cloud, 11)
        #expect(try await cloud.targetHealth(targetGroupArn: "arn:sim:targetgroup/Prod-Blue").map(\.id).contains(leaving) == false)
    }

    @Test func anUnusedGroupIsNotCheckedAndAUsedOneIsThenTheGroupReplacesUnhealthyInstances() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        cloud.setBehaviour(version: "v1", .neverHealthy)
        cloud.setParameter("/compiler-explorer/beta/green/version", "v1")
        try await cloud.apply(.resizeGroup(name: "beta-green", minSize: 1, desiredCapacity: 1, maxSize: 1))
        try await advance(cloud, 120)
        #expect(try await cloud.targetHealth(targetGroupArn: "arn:sim:targetgroup/Beta-Green").map(\.state) == ["unused"])
        // A preview rule starts the load balancer's checks: unhealthy after 3 failures, replaced after the grace period.
        cloud.addRoute(.init(kind: .rule, arn: "arn:sim:rule/preview", listenerPort: 443, priority: "50", pathPatterns: ["/preview*"], weights: ["arn:sim:targetgroup/Beta-Green": 1]))
        let first = cloud.read { $0.groups["beta-green"]!.instanceIds }
        try await advance(cloud, 40)
        #expect(try await cloud.targetHealth(targetGroupArn: "arn:sim:targetgroup/Beta-Green").first?.state == "unhealthy")
        try await advance(cloud, 200)
        #expect(cloud.read { $0.groups["beta-green"]!.instanceIds } != first, "replaced")
        #expect(cloud.events.contains { $0.contains("failed load balancer health checks past the grace period") })
    }

    @Test func routingFollowsRulePrioritiesAndWeightsAndFailsOpen() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod", "beta"], requestsPerSecond: 20)
        cloud.setParameter("/compiler-explorer/prod/green/version", "v2")
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: 2, maxSize: 2))
        try await advance(cloud, 70)
        cloud.change { world in
            for index in world.routes.indices where world.routes[index].kind == .listenerDefault {
                world.routes[index].weights = ["arn:sim:targetgroup/Prod-Blue": 90, "arn:sim:targetgroup/Prod-Green": 10]
            }
            // A higher-priority rule for /beta* that sends beta to prod's blue: priority 1 wins over 101.
            world.routes.append(.init(kind: .rule, arn: "arn:sim:rule/first", listenerPort: 443, priority: "1", pathPatterns: ["/beta*"], weights: ["arn:sim:targetgroup/Prod-Blue": 1]))
            world.requests = []
        }
        try await advance(cloud, 100)
        let prod = cloud.requests.filter { $0.environment == "prod" }
        let green = prod.filter { $0.color == "green" }.count
        #expect(prod.count == 2000 && green > 120 && green < 280, "about 10%: \(green)")
        #expect(prod.isNonEmptyAndAll { $0.status == 200 && $0.version == ($0.color == "green" ? "v2" : "v1") })
        let beta = cloud.requests.filter { $0.environment == "beta" }
        let viaFirstRule = beta.filter { $0.version == "v1" && $0.color == "blue" && $0.status == 200 }
        #expect(viaFirstRule.count == beta.count)
        #expect(cloud.violations.contains { $0.contains("splits prod's traffic between blue and green") }, "a split without a canary is a violation")

        // Every target unhealthy: the load balancer still routes to them (fail open), they answer 502.
        let failOpen = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 5)
        failOpen.setBehaviour(version: "v1", .neverHealthy)
        failOpen.change { world in
            // (A long grace period, or Auto Scaling would replace the unhealthy instances.)
            world.groups["prod-blue"]!.healthCheckGraceSeconds = 100_000
            world.requests = []
        }
        try await advance(failOpen, 40)
        #expect(try await failOpen.targetHealth(targetGroupArn: "arn:sim:targetgroup/Prod-Blue").isNonEmptyAndAll { $0.state == "unhealthy" })
        #expect(failOpen.requests.suffix(20).isNonEmptyAndAll { $0.status == 502 && $0.color == "blue" })
    }

    @Test func parametersKeepVersionsAndCreateIsAtomic() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        #expect(try await cloud.create(name: "/x/lock", value: "a"))
        #expect(try await cloud.create(name: "/x/lock", value: "b") == false)
        try await cloud.overwrite(name: "/x/lock", value: "c")
        let lock = try #require(cloud.read { $0.parameters["/x/lock"] })
        #expect(lock.value == "c" && lock.version == 2)
        #expect(lock.history?.map(\.value) == ["a", "c"], "what it held, for builds list")
        try await cloud.delete(name: "/x/lock")
        #expect(try await cloud.read(name: "/x/lock") == nil)
    }

    @Test func alarmsFollowTheFiveHundredsOrAreForced() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], requestsPerSecond: 5, alarms: "{env}-{color}-5xx")
        #expect(try await cloud.states(names: ["prod-blue-5xx", "nope"]) == ["prod-blue-5xx": "OK"])
        cloud.setBehaviour(version: "v1", .erroring(0.5))
        try await advance(cloud, 30)
        #expect(try await cloud.states(names: ["prod-blue-5xx"]) == ["prod-blue-5xx": "ALARM"])
        #expect(cloud.requests.contains { $0.status == 500 })
        cloud.forceAlarm("prod-green-5xx", "ALARM")
        #expect(try await cloud.states(names: ["prod-green-5xx"]) == ["prod-green-5xx": "ALARM"])
        cloud.forceAlarm("prod-green-5xx", nil)
        #expect(try await cloud.states(names: ["prod-green-5xx"]) == ["prod-green-5xx": "OK"])
    }

    @Test func faultsAreRetriedAsTheAWSClientRetriesThem() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        cloud.setFaults(Faults(throttleRate: 1))
        let started = cloud.now
        do {
            _ = try await cloud.values(names: ["/compiler-explorer/beta/version"])
            Issue.record("expected throttling")
        } catch let error as SimulatedAPIError {
            #expect(error.code == "Throttling" && error.isTransient)
        }
        #expect(cloud.calls.filter { $0 == "SSM GetParameters" }.count == RetryPolicy().maxAttempts)
        #expect(cloud.now > started, "the backoff waited on virtual time")

        cloud.setFaults(Faults(latencySeconds: 0.5))
        let before = cloud.now
        _ = try await cloud.values(names: ["/compiler-explorer/beta/version"])
        #expect(cloud.now.timeIntervalSince(before) == 0.5)

        cloud.setFaults(Faults(crashAtStep: "scale"))
        let journal = #"{"id":"d","strategy":"blue-green","from":"blue","to":"green","version":"v2","capacity":1,"step":"scale","status":"in-progress","original":{},"originalValues":{},"targetGroupArn":"a","keepFailed":false,"bakeSeconds":0,"setsVersion":false,"startedAt":"x","updatedAt":"x","by":"t","command":"c"}"#
        try await cloud.overwrite(name: "/compiler-explorer/beta/deployment", value: journal)
        #expect(cloud.isCrashed)
        await #expect(throws: SimulatedCrash.self) { _ = try await cloud.values(names: ["x"]) }
        cloud.restartTool()
        _ = try await cloud.values(names: ["x"])
    }
}
