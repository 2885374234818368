import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment

/// The defects fault injection found (issue 9), each reproduced on the simulated cloud.
struct FaultDefectTests {
    let prod = try! Soak.configuration.environment("prod")
    let identity = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 1)

    func world() throws -> SimulatedCloud {
        let cloud = try SimulatedCloud.designDocument(
            environments: ["prod", "beta"], configuration: Soak.configuration, seed: 3, requestsPerSecond: 2, alarms: "{env}-{color}-5xx")
        cloud.setBootSeconds(40...70)
        return cloud
    }

    func deploy(_ cloud: SimulatedCloud, ports: CloudPorts? = nil, options: BlueGreenRefresh.Options = .init(version: "v2")) async throws -> StepReport {
        let ports = ports ?? cloud.patientPorts
        let prod = self.prod
        let identity = self.identity
        return try await FanOut.$sequential.withValue(true) {
            try await BlueGreenRefresh(environment: prod, ports: ports, identity: identity).run(.fresh(options))
        }
    }

    func journal(_ cloud: SimulatedCloud) -> DeploymentJournal? {
        cloud.parameter("/compiler-explorer/prod/deployment").flatMap(DeploymentJournal.decode)
    }

    /// A document store whose writes of a finished journal are denied, as with AccessDenied on the last write.
    struct DeniedOutcome: DocumentStore {
        let base: any DocumentStore
        func create(name: String, value: String) async throws -> Bool { try await base.create(name: name, value: value) }
        func read(name: String) async throws -> String? { try await base.read(name: name) }
        func delete(name: String) async throws { try await base.delete(name: name) }
        func list(path: String) async throws -> [String: String] { try await base.list(path: path) }
        func overwrite(name: String, value: String) async throws {
            if DeploymentJournal.decode(value)?.status == .done {
                throw SimulatedAPIError(operation: "SSM PutParameter", code: "AccessDenied", message: "denied", isTransient: false)
            }
            try await base.overwrite(name: name, value: value)
        }
    }

    @Test func aFinalJournalWriteThatFailsIsSaidNotSilent() async throws {
        let cloud = try world()
        var ports = cloud.patientPorts
        ports.documents = DeniedOutcome(base: ports.documents)
        do {
            _ = try await deploy(cloud, ports: ports)
            Issue.record("a deploy whose outcome was not recorded must not end as a plain success")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .failed && failure.step == "journal")
            #expect(failure.description.contains("the deploy is done but its outcome could not be recorded"))
            #expect(failure.state.contains("Traffic is on green (v2)"))
            #expect(failure.state.contains("'ce --env prod environment recover' closes it"))
        }
        #expect(cloud.read { $0.servingColor("prod") } == "green")
        #expect(journal(cloud)?.isUnfinished == true, "the journal still reads its last step")
        // recover closes it, with nothing left to change but the journal.
        let (plan, _) = try await Recovery(environment: prod, ports: cloud.patientPorts).run(by: "alice@admin")
        #expect(plan.mutations.isEmpty, "\(plan.mutations)")
        #expect(journal(cloud)?.status == .recovered)
        #expect(cloud.checkEnd(["prod"]) == [])
    }

    /// Makes an SSM write of `name`, then answers AccessDenied (the change is made, the answer says it was not).
    struct DeniedAfterWriting: MutationApplier {
        let base: any MutationApplier
        let name: String
        func apply(_ mutation: Mutation) async throws {
            try await base.apply(mutation)
            if case .putParameter(name, _) = mutation {
                throw SimulatedAPIError(operation: "SSM PutParameter", code: "AccessDenied", message: "denied", isTransient: false)
            }
        }
    }

    @Test func aSwitchThatFailsWritingSSMPutsBackWhatItWroteAndSaysTrafficCameBack() async throws {
        // AccessDenied on active-target-group-arn: active-color had been written, traffic had moved.
        let cloud = try world()
        cloud.setFaults(Faults(denied: ["SSM PutParameter /compiler-explorer/prod/active-target-group-arn"]))
        do {
            _ = try await deploy(cloud)
            Issue.record("expected the switch to fail")
        } catch let failure as DeployFailure {
            #expect(failure.step == "switch")
            #expect(failure.state.hasPrefix("Traffic moved to green and was sent back: blue serves again."), "\(failure.state)")
            #expect(failure.description.contains("the SSM value it had written was put back"), "\(failure.description)")
        }
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue", "SSM agrees with the load balancer again")
        #expect(cloud.read { $0.servingColor("prod") } == "blue")
        #expect(journal(cloud)?.status == .failed)
        #expect(cloud.checkEnd(["prod"]) == [])
        #expect(cloud.violations == [])

        // When SSM cannot be put back either, the journal stays unfinished and recover reconciles it.
        let stuck = try world()
        var ports = stuck.patientPorts
        ports.interceptChanges { DeniedAfterWriting(base: $0, name: "/compiler-explorer/prod/active-color") }
        do {
            _ = try await deploy(stuck, ports: ports)
            Issue.record("expected the switch to fail")
        } catch let failure as DeployFailure {
            #expect(failure.state.contains("SSM could not be put back"), "\(failure.state)")
            #expect(failure.state.contains("'ce --env prod environment recover' reconciles them"))
        }
        #expect(stuck.read { $0.servingColor("prod") } == "blue")
        #expect(journal(stuck)?.isUnfinished == true)
        _ = try await Recovery(environment: prod, ports: stuck.patientPorts).run(by: "alice@admin")
        #expect(stuck.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(stuck.checkEnd(["prod"]) == [])
    }

    @Test func anUnreadableJournalBlocksDeploysAndRecoverRemovesIt() async throws {
        let cloud = try world()
        cloud.setParameter("/compiler-explorer/prod/deployment", #"{"id":"d-2026112"#)
        let status = try await cloud.statusReader(for: prod).read()
        #expect(status.unreadableJournal == #"'{"id":"d-2026112'"#)
        #expect(status.hasUnfinishedDeploy)
        await #expect(throws: Refusal.self) { _ = try await deploy(cloud) }
        #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v1", "nothing written")
        let plan = try Recovery.plan(try await cloud.statusReader(for: prod).snapshot(), now: cloud.now, by: "a")
        #expect(plan.removesUnreadableJournal && !plan.isEmpty)
        #expect(plan.summary.hasPrefix("the journal /compiler-explorer/prod/deployment cannot be read ('{\"id\":\"d-2026112'): it is removed"))
        _ = try await Recovery(environment: prod, ports: cloud.patientPorts).run(by: "a")
        #expect(cloud.parameter("/compiler-explorer/prod/deployment") == nil)
        _ = try await deploy(cloud)
        #expect(cloud.read { $0.servingColor("prod") } == "green")
    }

    @Test(arguments: ["", "two words", "line\nbreak", String(repeating: "x", count: 5000), "-rm", "v1;reboot"])
    func aBuildReadFromSSMIsCheckedBeforeAnythingIsWritten(_ bad: String) async throws {
        let cloud = try world()
        cloud.setParameter("/compiler-explorer/prod/version", bad)
        do {
            _ = try await deploy(cloud, options: .init())
            Issue.record("expected a refusal for \(BuildName.quoted(bad))")
        } catch let refusal as Refusal {
            #expect(refusal.description.hasPrefix("The build in /compiler-explorer/prod/version, "))
            #expect(refusal.description.contains("cannot be deployed"))
            #expect(!refusal.description.contains("\n"), "shown on one line")
            #expect(refusal.description.count < 600)
        }
        #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v1")
        #expect(journal(cloud) == nil)
    }

    @Test func buildNamesFollowOneRule() {
        for good in ["gh-12345", "v1.2.3+build.7", "trunk/gh-1", "release_2026-11-30", String(repeating: "a", count: 128)] {
            #expect(BuildName.problem(good) == nil, "\(good)")
        }
        #expect(BuildName.problem("") == "it is empty")
        #expect(BuildName.problem(String(repeating: "a", count: 129)) == "it is 129 characters long")
        #expect(BuildName.problem("a b") == "it contains a space, tab or line break")
        #expect(BuildName.problem("a\u{7}") == "it contains a space, tab or line break")
        #expect(BuildName.problem("v1;x") == "it contains ';'")
        #expect(BuildName.problem(".hidden") == "it starts with '.'")
        #expect(BuildName.quoted("a\nb") == "'a\\nb'")
        #expect(BuildName.quoted(String(repeating: "x", count: 100)).count == 60)
    }

    @Test func aCapacityBelowTheFloorIsRefusedUnlessForcedAndThenRaisedOnceServing() async throws {
        let cloud = try world()
        do {
            _ = try await deploy(cloud, options: .init(version: "v2", capacity: 1))
            Issue.record("expected a refusal")
        } catch let refusal as Refusal {
            #expect(refusal.description.hasPrefix("--capacity 1 is below prod's live floor of 2"))
        }
        #expect(cloud.groupSize("prod-green")! == (0, 0, 24))
        _ = try await deploy(cloud, options: .init(version: "v2", capacity: 1, force: true))
        #expect(cloud.read { $0.servingColor("prod") } == "green")
        #expect(cloud.groupSize("prod-green")! == (2, 2, 24), "raised to the floor once it serves")
    }

    @Test func aLockThatCannotBeReleasedIsSaid() async throws {
        let cloud = try world()
        cloud.setFaults(Faults(denied: ["SSM DeleteParameter /compiler-explorer/prod/deploy-lock"]))
        let manager = LockManager(environment: prod, store: cloud.patientPorts.documents, clock: cloud.clock)
        do {
            _ = try await manager.withLock(identity, keepAlive: nil) { 42 }
            Issue.record("expected LockNotReleased")
        } catch let error as LockNotReleased {
            #expect(error.underlying == nil)
            #expect(error.description.contains("run 'ce --env prod environment unlock'"))
        }
        do {
            _ = try await manager.withLock(identity, keepAlive: nil) { () async throws -> Int in throw Refusal("the body's own refusal") }
        } catch let error as LockNotReleased {
            #expect(String(describing: error.underlying!) == "the body's own refusal")
        } catch {
            Issue.record("expected LockNotReleased, got \(error)")
        }
    }

    @Test func theSoakAlsoDeniesAChange() async throws {
        var seen = 0
        for seed in UInt64(1)...400 where SoakScenario.random(seed: seed).denyChange != nil {
            seen += 1
        }
        #expect(seen > 20, "scenarios with an AccessDenied change are drawn")
        let scenario = SoakScenario(seed: 9, denyChange: 6, denyAfterChange: true)
        let outcome = await Soak.run(scenario)
        #expect(outcome.violations == [], "\(outcome.result): \(outcome.violations)")
        #expect(outcome.events.contains { $0.contains("AccessDenied") })
    }
}
