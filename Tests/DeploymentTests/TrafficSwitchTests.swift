import Foundation
import Synchronization
import Testing

@testable import Deployment

struct TrafficSwitchTests {
    let prod = try! DeploymentConfiguration.builtIn.environment("prod")
    let routes: [ForwardRoute] = [
        .init(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:blue": 1]),
        .init(kind: .listenerDefault, arn: "l443", listenerPort: 443, weights: ["arn:blue": 1]),
    ]

    func status(
        routes: [ForwardRoute]? = nil, green: [String] = ["InService", "InService"], greenHealth: [String] = ["unused", "unused"],
        activeColor: String = "blue"
    ) -> EnvironmentStatus {
        let groups: [String: TargetGroupSnapshot] = [
            "Prod-Blue": .init(name: "Prod-Blue", arn: "arn:blue", healthCheckPath: nil, healthCheckPort: nil, loadBalancerArns: []),
            "Prod-Green": .init(name: "Prod-Green", arn: "arn:green", healthCheckPath: nil, healthCheckPort: nil, loadBalancerArns: []),
        ]
        func group(_ name: String, _ states: [String]) -> ScalingGroupSnapshot {
            .init(
                name: name, minSize: 0, desiredCapacity: states.count, maxSize: 24,
                instances: states.enumerated().map { .init(id: "\(name)-\($0.offset)", lifecycleState: $0.element, healthStatus: "Healthy") },
                targetGroupArns: [], tags: [:])
        }
        return EnvironmentStatusReader.status(
            environment: prod, routes: routes ?? self.routes, targetGroups: groups,
            groups: ["prod-blue": group("prod-blue", ["InService", "InService"]), "prod-green": group("prod-green", green)],
            health: [
                .blue: [.init(id: "b0", state: "healthy", reason: nil), .init(id: "b1", state: "healthy", reason: nil)],
                .green: greenHealth.enumerated().map { .init(id: "g\($0.offset)", state: $0.element, reason: nil) },
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
        ])
        #expect(plan[0].description.hasPrefix("ELBv2 ModifyListener ListenerArn=l80 DefaultActions=[{Type=forward, TargetGroupArn=arn:green}]"))
    }

    @Test func refusesWithoutHealthyCapacityUnlessForced() throws {
        let empty = TrafficSwitch(environment: prod, status: status(green: [], greenHealth: []), routes: routes)
        #expect(throws: Refusal.self) { try empty.plan(to: .green) }
        #expect(empty.capacityProblem(.green) == "0 instance(s) InService in prod-green, at least 2 needed")
        #expect(try empty.plan(to: .green, force: true).count == 4)

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
        let split = [ForwardRoute(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:blue": 1, "arn:green": 1])]
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
        var routes: [ForwardRoute]
        func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? { LoadBalancerRoutes(loadBalancerArn: "lb", routes: routes) }
        func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] { [:] }
        func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] { [] }
    }

    struct StillClock: DeploymentClock {
        func now() -> Date { Date(timeIntervalSince1970: 0) }
        func sleep(for duration: Duration) async throws {}
    }

    var plan: [Mutation] { try! TrafficSwitch(environment: prod, status: status(), routes: routes).plan(to: .green) }
    var switched: [ForwardRoute] { routes.map { var r = $0; r.weights = ["arn:green": 1]; return r } }

    @Test func runnerWritesSSMOnlyAfterVerifying() async throws {
        let applier = RecordingApplier()
        let report = try await SwitchRunner(environment: prod, applier: applier, loadBalancer: FixedReader(routes: switched), clock: StillClock()).run(plan)
        #expect(report.steps.map(\.name) == ["switch", "verify", "record"])
        let applied = applier.applied.withLock { $0 }
        #expect(applied.count == 4)
        #expect(applied.suffix(2).allSatisfy { if case .putParameter = $0 { true } else { false } })
    }

    @Test func aFailedRouteLeavesSSMAloneAndSaysWhatMoved() async throws {
        let applier = RecordingApplier(failOn: "l443")
        do {
            _ = try await SwitchRunner(environment: prod, applier: applier, loadBalancer: FixedReader(routes: switched), clock: StillClock()).run(plan)
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
            _ = try await SwitchRunner(environment: prod, applier: applier, loadBalancer: FixedReader(routes: readBack), clock: StillClock()).run(plan)
        }
        #expect(applier.applied.withLock { $0 }.count == 2)
    }
}
