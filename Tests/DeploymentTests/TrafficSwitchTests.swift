import Foundation
import Synchronization
import Testing

@testable import Deployment
import TestPredicates

struct TrafficSwitchTests {
    let prod = try! DeploymentConfiguration.builtIn.environment("prod")
    let routes: [Route] = [
        .init(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:blue": 1]),
        .init(kind: .listenerDefault, arn: "l443", listenerPort: 443, weights: ["arn:blue": 1]),
    ]

    func status(
        routes: [Route]? = nil, green: [String] = ["InService", "InService"], greenHealth: [String] = ["unused", "unused"],
        activeColor: String = "blue"
    ) -> EnvironmentStatus {
        let groups: [String: TargetGroupSnapshot] = [
            "Prod-Blue": .init(name: "Prod-Blue", arn: "arn:blue", healthCheckPath: nil, healthCheckPort: nil, loadBalancerArns: []),
            "Prod-Green": .init(name: "Prod-Green", arn: "arn:green", healthCheckPath: nil, healthCheckPort: nil, loadBalancerArns: []),
        ]
        func group(_ name: String, _ states: [String], min: Int) -> ScalingGroupSnapshot {
            .init(
                name: name, minSize: min, desiredCapacity: states.count, maxSize: 24,
                instances: states.enumerated().map { .init(id: "\(name)-\($0.offset)", lifecycleState: .parse($0.element), healthStatus: "Healthy") },
                targetGroupArns: [], tags: [:])
        }
        return EnvironmentStatusReader.status(
            environment: prod, routes: routes ?? self.routes, targetGroups: groups,
            groups: ["prod-blue": group("prod-blue", ["InService", "InService"], min: 2), "prod-green": group("prod-green", green, min: 0)],
            health: [
                .blue: [.init(id: "b0", state: "healthy", reason: nil), .init(id: "b1", state: "healthy", reason: nil)],
                .green: greenHealth.enumerated().map { .init(id: "g\($0.offset)", state: .parse($0.element), reason: nil) },
            ],
            values: [
                "/compiler-explorer/prod/active-color": activeColor,
                "/compiler-explorer/prod/active-target-group-arn": activeColor == "blue" ? "arn:blue" : "arn:green",
            ])
    }

    @Test func plansEveryRouteThenSSM() throws {
        let plan = try TrafficSwitch(environment: prod, status: status(), routes: routes).plan(to: .green, from: .blue)
        #expect(plan == [
            .forward(route: routes[0], targetGroupArn: "arn:green"),
            .forward(route: routes[1], targetGroupArn: "arn:green"),
            .putParameter(name: "/compiler-explorer/prod/active-color", value: "green"),
            .putParameter(name: "/compiler-explorer/prod/active-target-group-arn", value: "arn:green"),
            // The colour now serving gets the live floor; the other keeps running, min 0.
            .resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: nil, maxSize: nil),
            .resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: nil, maxSize: nil),
        ])
        #expect(plan[0].description.hasPrefix("ELBv2 ModifyListener ListenerArn=l80 DefaultActions=[{Type=forward, TargetGroupArn=arn:green}]"))
        let noCapacity = try TrafficSwitch(environment: prod, status: status(), routes: routes).plan(to: .green, settleCapacity: false)
        #expect(noCapacity == Array(plan.prefix(4)))
    }

    @Test func aForcedSwitchToASmallColourRaisesItToTheFloor() throws {
        let one = TrafficSwitch(environment: prod, status: status(green: ["InService"], greenHealth: ["healthy"]), routes: routes)
        let plan = try one.plan(to: .green, force: true)
        #expect(plan.suffix(2) == [
            .resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: 2, maxSize: nil),
            .resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: nil, maxSize: nil),
        ])
    }

    /// A serving route that authenticates first and forwards with stickiness.
    static let guarded = Route(
        kind: .listenerDefault, arn: "l443", listenerArn: "l443", listenerPort: 443,
        actions: [
            RouteAction(order: 1, .authenticateOIDC(.init(
                issuer: "https://idp.example", authorizationEndpoint: "https://idp.example/auth", tokenEndpoint: "https://idp.example/token",
                userInfoEndpoint: "https://idp.example/me", clientId: "ce", extraParams: ["prompt": "login"], onUnauthenticatedRequest: "deny"))),
            RouteAction(order: 2, .forward(ForwardAction(
                targetGroups: [.init(arn: "arn:blue", weight: 1), .init(arn: "arn:green", weight: 0)],
                stickiness: .init(enabled: true, durationSeconds: 3600), usesForwardConfig: true))),
        ])

    @Test func aSwitchChangesOnlyTheForwardOfARoute() throws {
        let moved = try #require(Self.guarded.actions(forwardingTo: "arn:green"))
        #expect(moved.count == 2)
        #expect(moved[0] == Self.guarded.actions[0], "the authentication is sent back exactly")
        #expect(moved[1] == RouteAction(order: 2, .forward(ForwardAction(
            targetGroups: [.init(arn: "arn:green", weight: 1)], stickiness: .init(enabled: true, durationSeconds: 3600), usesForwardConfig: true))))
        let description = Mutation.forward(route: Self.guarded, targetGroupArn: "arn:green").description
        #expect(description == "ELBv2 ModifyListener ListenerArn=l443 DefaultActions=[{Type=authenticate-oidc, Order=1 (sent back unchanged)}, {Type=forward, Order=2, ForwardConfig={TargetGroups=[{TargetGroupArn=arn:green, Weight=1}], TargetGroupStickinessConfig={Enabled=true, DurationSeconds=3600}}}]")

        var readBack = Self.guarded
        readBack.actions = moved
        #expect(readBack.holds(moved))
        #expect(readBack.hasMoved(from: Self.guarded, to: "arn:green"))
        #expect(!Self.guarded.hasMoved(from: Self.guarded, to: "arn:green"), "still on blue")
        var lostAuthentication = readBack
        lostAuthentication.actions.removeFirst()
        #expect(!lostAuthentication.holds(moved))
        #expect(!lostAuthentication.hasMoved(from: Self.guarded, to: "arn:green"), "checked against the route as read, not as sent")
        var lostStickiness = readBack
        lostStickiness.actions[1] = RouteAction(order: 2, .forward(ForwardAction(targetGroups: [.init(arn: "arn:green", weight: 1)], usesForwardConfig: true)))
        #expect(!lostStickiness.holds(moved))
        var plainEquivalent = Route(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:green": 1])
        #expect(plainEquivalent.holds([RouteAction(.forward(ForwardAction(targetGroups: [.init(arn: "arn:green", weight: 1)], stickiness: .init(enabled: false, durationSeconds: 60), usesForwardConfig: true)))]))
        plainEquivalent.weights = ["arn:green": 1, "arn:blue": 1]
        #expect(!plainEquivalent.holds([.forward(to: "arn:green")]))
    }

    @Test func refusesToMoveARouteItCannotSendBackWhole() throws {
        let maintenance = Route(
            kind: .listenerDefault, arn: "l443", listenerArn: "l443", listenerPort: 443,
            actions: [RouteAction(.fixedResponse(.init(statusCode: "503")))])
        let unknown = Route(
            kind: .listenerDefault, arn: "l80", listenerArn: "l80", listenerPort: 80,
            actions: [RouteAction(order: 1, .unrecognized(type: "jwt-validation")), .forward(to: "arn:blue", order: 2)])
        #expect(maintenance.moveProblem == "listener :443 default does not forward (its last action is fixed-response); ce only moves forwards")
        #expect(unknown.moveProblem == "listener :80 default carries an action of type 'jwt-validation' that ce cannot send back unchanged")
        #expect(unknown.actions(forwardingTo: "arn:green") == nil)
        let switcher = TrafficSwitch(environment: prod, status: status(routes: [unknown, routes[1]]), routes: [unknown, routes[1]])
        #expect(throws: Refusal.self) { try switcher.plan(to: .green, force: true) }
    }

    @Test func refusesWithoutHealthyCapacityUnlessForced() throws {
        let empty = TrafficSwitch(environment: prod, status: status(green: [], greenHealth: []), routes: routes)
        #expect(throws: Refusal.self) { try empty.plan(to: .green) }
        #expect(empty.capacityProblem(.green) == "0 instance(s) InService in prod-green, at least 2 needed")
        #expect(try empty.plan(to: .green, force: true).count == 6)

        let unhealthy = TrafficSwitch(environment: prod, status: status(greenHealth: ["healthy", "unhealthy"]), routes: routes)
        #expect(unhealthy.capacityProblem(.green) == "1 target(s) unhealthy in Prod-Green")
        let pending = TrafficSwitch(environment: prod, status: status(green: ["InService", "Pending"]), routes: routes)
        #expect(pending.capacityProblem(.green) == "1 instance(s) InService in prod-green, at least 2 needed")
        let unregistered = TrafficSwitch(environment: prod, status: status(greenHealth: ["unused"]), routes: routes)
        #expect(unregistered.capacityProblem(.green) == "1 target(s) registered in Prod-Green, at least 2 needed")
        let initial = TrafficSwitch(environment: prod, status: status(greenHealth: ["initial", "initial"]), routes: routes)
        #expect(initial.capacityProblem(.green) == "0 target(s) healthy in Prod-Green, at least 2 needed")
    }

    @Test func fromMustNameTheServingColour() {
        let switcher = TrafficSwitch(environment: prod, status: status(), routes: routes)
        #expect(throws: Refusal("prod is served by blue, not green (--from). Nothing changed.")) { try switcher.plan(to: .green, from: .green) }
    }

    @Test func nothingToDoOrOnlySSMToMend() throws {
        let switcher = TrafficSwitch(environment: prod, status: status(), routes: routes)
        #expect(try switcher.plan(to: .blue).isEmpty)
        let stale = TrafficSwitch(environment: prod, status: status(activeColor: "green"), routes: routes)
        #expect(try stale.plan(to: .blue) == [
            .putParameter(name: "/compiler-explorer/prod/active-color", value: "blue"),
            .putParameter(name: "/compiler-explorer/prod/active-target-group-arn", value: "arn:blue"),
        ])
    }

    @Test func rollbackGoesToTheOtherColour() throws {
        #expect(try TrafficSwitch(environment: prod, status: status(), routes: routes).rollbackTarget() == .green)
        let split = [Route(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:blue": 1, "arn:green": 1])]
        let unknown = TrafficSwitch(environment: prod, status: status(routes: split, activeColor: "purple"), routes: split)
        #expect(throws: Refusal.self) { try unknown.rollbackTarget() }
    }

    // MARK: - Running a plan

    final class RecordingApplier: MutationApplier {
        let applied = Mutex<[Mutation]>([])
        let failOn: String?
        init(failOn: String? = nil) { self.failOn = failOn }
        func apply(_ mutation: Mutation) async throws {
            if case .forward(let route, _) = mutation, route.arn == failOn { throw CancellationError() }
            applied.withLock { $0.append(mutation) }
        }
    }

    struct FixedReader: LoadBalancerReader {
        var routes: [Route]
        func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? { LoadBalancerRoutes(loadBalancerArn: "lb", routes: routes) }
        func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] { [:] }
        func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] { [] }
        func reread(_ wanted: [Route]) async throws -> [Route] { routes.filter { route in wanted.contains { $0.arn == route.arn } } }
    }

    struct StillClock: WallClock {
        func now() -> Date { Date(timeIntervalSince1970: 0) }
        func sleep(for duration: Duration) async throws {}
    }

    var plan: [Mutation] { try! TrafficSwitch(environment: prod, status: status(), routes: routes).plan(to: .green) }
    var switched: [Route] { routes.map { var r = $0; r.weights = ["arn:green": 1]; return r } }

    @Test func runnerWritesSSMOnlyAfterVerifying() async throws {
        let applier = RecordingApplier()
        let report = try await SwitchRunner(environment: prod, changes: applier, loadBalancer: FixedReader(routes: switched), clock: StillClock()).run(plan)
        #expect(report.steps.map(\.name) == ["switch", "verify", "apply"])
        let applied = applier.applied.withLock { $0 }
        #expect(applied.count == 6)
        #expect(applied.prefix(2).isNonEmptyAndAll { if case .forward = $0 { true } else { false } })
        #expect(Set(applied.suffix(4).map(\.description)) == Set(plan.suffix(4).map(\.description)))
    }

    @Test func changesToOneResourceRunInOrderAndDifferentResourcesTogether() async throws {
        let applier = RecordingApplier()
        let cleanup: [Mutation] = [
            .resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: nil, maxSize: nil),
            .resizeGroup(name: "prod-green", minSize: nil, desiredCapacity: 0, maxSize: nil),
        ]
        _ = try await SwitchRunner(environment: prod, changes: applier, loadBalancer: FixedReader(routes: routes), clock: StillClock()).run(cleanup)
        #expect(applier.applied.withLock { $0 } == cleanup, "min before desired, as AWS validates them")
    }

    @Test func aFailedRouteLeavesSSMAloneAndSaysWhatMoved() async throws {
        let applier = RecordingApplier(failOn: "l443")
        do {
            _ = try await SwitchRunner(environment: prod, changes: applier, loadBalancer: FixedReader(routes: switched), clock: StillClock()).run(plan)
            Issue.record("expected a partial switch")
        } catch let error as SwitchRunner.PartialSwitch {
            #expect(error.moved == ["listener :80 default"])
            #expect(error.failed.count == 1 && error.failed[0].hasPrefix("listener :443 default"))
            #expect(error.description.contains("SSM was not changed"))
        }
        #expect(!applier.applied.withLock { $0 }.contains { if case .putParameter = $0 { true } else { false } })
    }

    @Test func aReadBackMismatchLeavesSSMAlone() async throws {
        let applier = RecordingApplier()
        var readBack = switched
        readBack[1].weights = ["arn:blue": 1]
        await #expect(throws: SwitchRunner.PartialSwitch.self) {
            _ = try await SwitchRunner(environment: prod, changes: applier, loadBalancer: FixedReader(routes: readBack), clock: StillClock()).run(plan)
        }
        #expect(applier.applied.withLock { $0 }.count == 2)
    }

    @Test func aReadBackThatLostAnythingButTheForwardLeavesSSMAlone() async throws {
        let plan: [Mutation] = [
            .forward(route: Self.guarded, targetGroupArn: "arn:green"), .putParameter(name: "/compiler-explorer/prod/active-color", value: "green"),
        ]
        var lost = Self.guarded
        lost.actions = [.forward(to: "arn:green", order: 2)]
        let applier = RecordingApplier()
        do {
            _ = try await SwitchRunner(environment: prod, changes: applier, loadBalancer: FixedReader(routes: [lost]), clock: StillClock()).run(plan)
            Issue.record("expected the read-back to fail")
        } catch let error as SwitchRunner.PartialSwitch {
            #expect(error.failed == ["listener :443 default reads back forward arn:green"])
        }
        #expect(applier.applied.withLock { $0 }.count == 1, "SSM not written")
    }

    struct BlindReader: LoadBalancerReader {
        func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? { nil }
        func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] { [:] }
        func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] { [] }
        func reread(_ routes: [Route]) async throws -> [Route] { throw CancellationError() }
    }

    @Test func aReadBackThatFailsLeavesSSMAloneAndSaysTheChangesWereMade() async throws {
        let applier = RecordingApplier()
        do {
            _ = try await SwitchRunner(environment: prod, changes: applier, loadBalancer: BlindReader(), clock: StillClock()).run(plan)
            Issue.record("expected an unverified switch")
        } catch let error as SwitchRunner.UnverifiedSwitch {
            #expect(error.changed == ["listener :80 default", "listener :443 default"])
            #expect(error.description.contains("SSM was not changed. Run 'ce --env prod environment status'"))
        }
        #expect(applier.applied.withLock { $0 }.count == 2)
    }
}
