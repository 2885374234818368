import Foundation
import Testing

@testable import Deployment

/// Transitions of the refresh state machine, without any runner.
struct RefreshMachineTests {
    let prod = try! DeploymentConfiguration.builtIn.environment("prod")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func snapshot(greenDesired: Int = 0) -> EnvironmentSnapshot {
        let groups: [String: TargetGroupSnapshot] = [
            "Prod-Blue": .init(name: "Prod-Blue", arn: "arn:blue", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: ["lb"]),
            "Prod-Green": .init(name: "Prod-Green", arn: "arn:green", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: []),
        ]
        let asgs: [String: ScalingGroupSnapshot] = [
            "prod-blue": .init(name: "prod-blue", minSize: 2, desiredCapacity: 3, maxSize: 24, instances: [], targetGroupArns: ["arn:blue"], tags: [:]),
            "prod-green": .init(name: "prod-green", minSize: 0, desiredCapacity: greenDesired, maxSize: 24, instances: [], targetGroupArns: ["arn:green"], tags: [:]),
        ]
        let routes = [ForwardRoute(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:blue": 1])]
        let values = [
            "/compiler-explorer/prod/active-color": "blue", "/compiler-explorer/prod/active-target-group-arn": "arn:blue",
            "/compiler-explorer/prod/version": "v2",
        ]
        let status = EnvironmentStatusReader.status(environment: prod, routes: routes, targetGroups: groups, groups: asgs, health: [:], values: values)
        return EnvironmentSnapshot(
            environment: prod, status: status, loadBalancer: .init(loadBalancerArn: "lb", routes: routes), routes: routes,
            targetGroups: groups, groups: asgs, values: values)
    }

    func mutations(_ action: RefreshMachine.Action) -> [Mutation]? {
        switch action {
        case .apply(let m), .undo(let m): return m
        default: return nil
        }
    }

    @Test func walksThePhasesInOrder() {
        var machine = RefreshMachine(environment: prod, options: .init())
        guard case .readSnapshot = machine.next(.start, now: t0) else { Issue.record("expected a read"); return }
        #expect(mutations(machine.next(.snapshot(snapshot()), now: t0)) == [.resizeGroup(name: "prod-blue", minSize: 3, desiredCapacity: nil, maxSize: nil)])
        #expect(machine.phase == .protect)
        #expect(mutations(machine.next(.applied, now: t0)) == [.putParameter(name: "/compiler-explorer/prod/green/version", value: "v2")])
        #expect(mutations(machine.next(.applied, now: t0)) == [.resizeGroup(name: "prod-green", minSize: 3, desiredCapacity: 3, maxSize: 3)])
        guard case .checkHealth = machine.next(.applied, now: t0) else { Issue.record("expected the gate"); return }
        guard case .wait(let wait) = machine.next(.health(inService: 1, healthy: 0), now: t0.addingTimeInterval(1)) else { Issue.record("expected a wait"); return }
        #expect(wait == .seconds(5))
        #expect(machine.progress?.inService == 1)
        guard case .checkHealth = machine.next(.waited, now: t0.addingTimeInterval(6)) else { Issue.record("expected a poll"); return }
        guard case .switchTraffic(to: .green) = machine.next(.health(inService: 3, healthy: 3), now: t0.addingTimeInterval(6)) else {
            Issue.record("expected the switch"); return
        }
        #expect(mutations(machine.next(.switched(StepReport()), now: t0.addingTimeInterval(7))) == [
            .resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: nil, maxSize: 24),
            .resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: nil, maxSize: nil),
        ])
        guard case .finished(let report) = machine.next(.applied, now: t0.addingTimeInterval(8)) else { Issue.record("expected the end"); return }
        #expect(report.steps.map(\.name) == ["preflight", "protect", "deploy", "scale", "health gate", "finalize"])
        #expect(report.steps.first { $0.name == "health gate" }?.seconds == 6)
    }

    @Test func failedReadsBackOffWithinTheTimeout() {
        var machine = RefreshMachine(environment: prod, options: .init())
        _ = machine.next(.start, now: t0)
        _ = machine.next(.snapshot(snapshot()), now: t0)
        _ = machine.next(.applied, now: t0)
        _ = machine.next(.applied, now: t0)
        _ = machine.next(.applied, now: t0)
        var waits: [Duration] = []
        for _ in 0..<4 {
            guard case .wait(let wait) = machine.next(.healthReadFailed, now: t0) else { return }
            waits.append(wait)
            _ = machine.next(.waited, now: t0)
        }
        #expect(waits == [.seconds(10), .seconds(20), .seconds(30), .seconds(30)])
        guard case .undo(let undo) = machine.next(.health(inService: 0, healthy: 0), now: t0.addingTimeInterval(600)) else {
            Issue.record("expected the undo"); return
        }
        #expect(undo == [
            .resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: 24),
            .resizeGroup(name: "prod-blue", minSize: 2, desiredCapacity: nil, maxSize: nil),
        ])
        guard case .failed(let failure) = machine.next(.undone(done: ["a"], failed: ["b"]), now: t0) else { Issue.record("expected failure"); return }
        #expect(failure.step == "health gate")
        #expect(failure.state.contains("NOT undone, do by hand: b"))
    }

    @Test func refusesInPreflightAndNeverShrinksAfterTheSwitch() {
        var refused = RefreshMachine(environment: prod, options: .init())
        _ = refused.next(.start, now: t0)
        guard case .refused = refused.next(.snapshot(snapshot(greenDesired: 1)), now: t0) else { Issue.record("expected a refusal"); return }

        var machine = RefreshMachine(environment: prod, options: .init())
        _ = machine.next(.start, now: t0)
        _ = machine.next(.snapshot(snapshot()), now: t0)
        for _ in 0..<3 { _ = machine.next(.applied, now: t0) }
        _ = machine.next(.health(inService: 3, healthy: 3), now: t0)
        _ = machine.next(.switched(StepReport()), now: t0)
        guard case .failed(let failure) = machine.next(.applyFailed("throttled"), now: t0) else { Issue.record("expected failure"); return }
        #expect(failure.step == "finalize")
        #expect(failure.state.hasPrefix("Traffic is on green (v2); prod-green was left as it is. Left to do:"))
    }
}
