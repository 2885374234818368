import CloudSimulator
import Foundation
import Testing

@testable import Deployment

/// `cleanup` proves the colour it scales down is idle: no route but its preview forwards to it, and CloudWatch (in
/// the simulator: the simulated traffic, seen two minutes late) counted no request to it since traffic left it.
struct CleanupProofTests {
    let identity = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 1)

    /// prod deployed to green on a calibrated world; blue is the idle colour, warm.
    func deployed() async throws -> SimulatedCloud {
        let cloud = try SimulatedProd.world(requestsPerSecond: 5)
        cloud.setCalibration(.aws)
        var withoutAlarms = SimulatedProd.prod
        withoutAlarms.alarms = []
        let prod = withoutAlarms
        let identity = self.identity
        _ = try await SimulatedProd.locked(cloud, identity) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity).run(.fresh(.init(version: "v2")))
        }
        #expect(SimulatedProd.servingColor(cloud) == "green")
        return cloud
    }

    func proof(_ cloud: SimulatedCloud) async throws -> CleanupProof {
        let snapshot = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: SimulatedProd.prod).snapshot() }
        return try #require(CleanupProof(snapshot: snapshot, now: cloud.now))
    }

    func refusal(_ cloud: SimulatedCloud) async throws -> String? {
        do {
            _ = try await proof(cloud).check(metrics: cloud)
            return nil
        } catch let refusal as Refusal {
            return refusal.reason
        }
    }

    @Test func rightAfterTheSwitchItIsTooSoonToProveThenTheMinutesSinceProveIt() async throws {
        let cloud = try await deployed()
        let early = try #require(try await refusal(cloud))
        #expect(early.contains("CloudWatch shows a target group's requests up to 240 s late, so it cannot yet prove blue gets none"), "\(early)")
        #expect(early.contains("run 'ce --env prod environment cleanup' after"))
        // Past the lag, but not yet a whole minute in CloudWatch since the move: still too soon.
        try await cloud.clock.sleep(for: .seconds(250))
        let almost = try #require(try await refusal(cloud))
        #expect(almost.contains("no whole minute since traffic last moved"), "\(almost)")
        try await cloud.clock.sleep(for: .seconds(170))
        let proof = try await proof(cloud)
        #expect(proof.idle == .blue)
        let line = try await proof.check(metrics: cloud)
        #expect(line.hasPrefix("Prod-Blue: no route but its preview forwards to it, and CloudWatch counted 0 requests to it since"), "\(line)")
    }

    @Test func aRuleOfAnotherServiceStillForwardingToTheOldColourIsNamed() async throws {
        let cloud = try await deployed()
        // Another service's rule (a router kept the old colour's group): ce never changes it, and cleanup must not
        // take its targets away.
        cloud.addRoute(.init(kind: .rule, arn: "arn:sim:rule/443/router", listenerPort: 443, priority: "70", pathPatterns: ["/router*"], weights: ["arn:sim:targetgroup/Prod-Blue": 1]))
        try await cloud.clock.sleep(for: .seconds(300))
        let message = try #require(try await refusal(cloud))
        #expect(message.contains("rule 70 on :443 still forwards to Prod-Blue, blue's target group"), "\(message)")
    }

    @Test func requestsCountedSinceTheMoveRefuseAndSayHowMany() async throws {
        let cloud = try await deployed()
        try await cloud.clock.sleep(for: .seconds(300))
        // Something the load balancer's rules do not show kept sending blue traffic (a client holding a connection,
        // a cache): CloudWatch counted it.
        cloud.countRequests(42, to: "arn:sim:targetgroup/Prod-Blue", minutesAgo: 3)
        let message = try #require(try await refusal(cloud))
        #expect(message.contains("42 request(s) reached Prod-Blue since"), "\(message)")
        #expect(message.contains("'ce --env prod environment cleanup --force'"))
    }

    @Test func withoutMetricsNothingIsProven() async throws {
        let cloud = try await deployed()
        try await cloud.clock.sleep(for: .seconds(300))
        do {
            _ = try await proof(cloud).check(metrics: UnavailableTrafficMetrics())
            Issue.record("expected a refusal")
        } catch let refusal as Refusal {
            #expect(refusal.reason.contains("could not read Prod-Blue's request count from CloudWatch"))
        }
    }
}
