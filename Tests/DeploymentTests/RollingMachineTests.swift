import Foundation
import Testing

@testable import Deployment

/// Transitions of the rolling machine, compared as values, without any runner.
struct RollingMachineTests {
    let beta = try! DeploymentConfiguration.builtIn.environment("beta")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = LockIdentity(holder: "alice@admin", command: "ce --env beta environment refresh --strategy rolling", pid: 7)

    func snapshot() -> EnvironmentSnapshot {
        let groups: [String: TargetGroupSnapshot] = [
            "Beta-Blue": .init(name: "Beta-Blue", arn: "arn:blue", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: ["lb"]),
            "Beta-Green": .init(name: "Beta-Green", arn: "arn:green", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: []),
        ]
        let asgs: [String: ScalingGroupSnapshot] = [
            "beta-blue": .init(name: "beta-blue", minSize: 1, desiredCapacity: 2, maxSize: 24, instances: [], targetGroupArns: [], tags: [:]),
            "beta-green": .init(name: "beta-green", minSize: 0, desiredCapacity: 0, maxSize: 24, instances: [], targetGroupArns: [], tags: [:]),
        ]
        let routes = [Route(kind: .rule, arn: "r101", listenerPort: 443, priority: "101", pathPatterns: ["/beta*"], weights: ["arn:blue": 1])]
        let values = [
            "/compiler-explorer/beta/active-color": "blue", "/compiler-explorer/beta/active-target-group-arn": "arn:blue",
            "/compiler-explorer/beta/version": "b1", "/compiler-explorer/beta/blue/version": "b1",
        ]
        let status = EnvironmentStatusReader.status(environment: beta, routes: routes, targetGroups: groups, groups: asgs, health: [:], values: values)
        return EnvironmentSnapshot(
            environment: beta, status: status, loadBalancer: .init(loadBalancerArn: "lb", routes: routes), targetGroups: groups, groups: asgs,
            values: values)
    }

    @Test func deployStartFollowThenDone() {
        var machine = RollingMachine(environment: beta, mode: .fresh(.init(version: "b2", minHealthyPercentage: 50)), identity: alice)
        #expect(machine.next(.start, now: t0) == .readSnapshot)
        guard case .record(let deploy) = machine.next(.snapshot(snapshot()), now: t0) else { Issue.record("expected the journal"); return }
        #expect(deploy.step == "deploy" && deploy.strategy == "rolling" && deploy.from == .blue && deploy.capacity == 2)
        #expect(machine.next(.recorded, now: t0) == .apply([
            .putParameter(name: "/compiler-explorer/beta/blue/version", value: "b2"), .putParameter(name: "/compiler-explorer/beta/version", value: "b2"),
        ]))
        guard case .record(let start) = machine.next(.applied, now: t0) else { Issue.record("expected the journal"); return }
        #expect(start.step == "start")
        #expect(machine.next(.recorded, now: t0) == .startInstanceRefresh(group: "beta-blue", preferences: .init(minHealthy: 50), adoptRunning: false))
        #expect(RollingRefresh.Preferences(minHealthy: 50).maxHealthyPercentage == 150, "launch before terminate, as far as AWS allows")
        guard case .record(let wait) = machine.next(.refreshStarted(id: "r-1"), now: t0) else { Issue.record("expected the journal"); return }
        #expect(wait.step == "wait" && wait.refreshId == "r-1")
        #expect(!machine.acceptsInterruption, "not while the journal is written")
        #expect(machine.next(.recorded, now: t0) == .readInstanceRefresh(group: "beta-blue", id: "r-1"))
        #expect(machine.acceptsInterruption)
        let running = InstanceRefreshStatus(id: "r-1", status: "InProgress", percentComplete: 50, reason: nil)
        #expect(machine.next(.refresh(running), now: t0.addingTimeInterval(5)) == .wait(.seconds(5)))
        #expect(machine.progress?.refresh == running && machine.progress?.stage == .instanceRefresh)
        #expect(machine.next(.refreshReadFailed, now: t0.addingTimeInterval(10)) == .wait(.seconds(10)), "a failed read backs off")
        #expect(machine.next(.waited, now: t0.addingTimeInterval(20)) == .readInstanceRefresh(group: "beta-blue", id: "r-1"))
        let done = InstanceRefreshStatus(id: "r-1", status: "Successful", percentComplete: 100, reason: nil)
        guard case .record(let outcome) = machine.next(.refresh(done), now: t0.addingTimeInterval(25)) else { Issue.record("expected the outcome"); return }
        #expect(outcome.status == .done)
        guard case .finished(let report) = machine.next(.recorded, now: t0.addingTimeInterval(25)) else { Issue.record("expected the end"); return }
        #expect(report.steps.map(\.name) == ["preflight", "deploy", "start", "wait"])
    }

    @Test func aRefreshThatCannotStartPutsTheVersionsBack() {
        var machine = RollingMachine(environment: beta, mode: .fresh(.init(version: "b2")), identity: alice)
        _ = machine.next(.start, now: t0)
        _ = machine.next(.snapshot(snapshot()), now: t0)
        _ = machine.next(.recorded, now: t0)
        _ = machine.next(.applied, now: t0)
        _ = machine.next(.recorded, now: t0)
        #expect(machine.next(.refreshStartFailed("InstanceRefreshInProgress"), now: t0) == .undo([
            .putParameter(name: "/compiler-explorer/beta/blue/version", value: "b1"), .putParameter(name: "/compiler-explorer/beta/version", value: "b1"),
        ]))
        guard case .record(let outcome) = machine.next(.undone(done: ["/compiler-explorer/beta/blue/version=b1"], failed: []), now: t0)
        else { Issue.record("expected the outcome"); return }
        #expect(outcome.status == .failed)
        guard case .failed(let failure) = machine.next(.recorded, now: t0) else { Issue.record("expected the failure"); return }
        #expect(failure.description.hasPrefix("rolling refresh failed at start: InstanceRefreshInProgress."))
        #expect(failure.state.contains("/compiler-explorer/beta/blue/version is back to b1"))
        #expect(failure.state.contains("/compiler-explorer/beta/version could not be put back to b1"))
    }

    @Test func aStopWhileFollowingLeavesTheRefreshRunning() {
        var machine = RollingMachine(environment: beta, mode: .fresh(.init()), identity: alice)
        _ = machine.next(.start, now: t0)
        _ = machine.next(.snapshot(snapshot()), now: t0)
        _ = machine.next(.recorded, now: t0)
        _ = machine.next(.applied, now: t0)
        _ = machine.next(.recorded, now: t0)
        _ = machine.next(.refreshStarted(id: "r-9"), now: t0)
        _ = machine.next(.recorded, now: t0)
        guard case .failed(let failure) = machine.next(.interrupted("SIGINT"), now: t0) else { Issue.record("expected the stop"); return }
        #expect(failure.kind == .interrupted && failure.state.hasPrefix("The instance refresh r-9 goes on in AWS"))
    }
}
