import CloudSimulator
import Foundation
import Testing

@testable import Deployment

struct LockManagerTests {
    let beta = try! DeploymentConfiguration.builtIn.environment("beta")
    let alice = LockIdentity(holder: "alice@admin", command: "ce --env beta environment refresh", pid: 101)
    let bob = LockIdentity(holder: "bob@laptop", command: "ce --env beta environment switch --to green", pid: 202)

    func manager(_ cloud: SimulatedCloud) -> LockManager {
        LockManager(environment: beta, store: cloud, clock: cloud.clock)
    }

    @Test func oneHolderAtATimeAndTheRefusalNamesIt() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        let lock = try await manager(cloud).acquire(alice)
        #expect(DeployLock.decode(cloud.parameter("/compiler-explorer/beta/deploy-lock")!) == lock)
        try await cloud.clock.sleep(for: .seconds(192))
        do {
            _ = try await manager(cloud).acquire(bob)
            Issue.record("expected a refusal")
        } catch let refusal as Refusal {
            #expect(refusal.reason == "beta is locked by alice@admin running 'ce --env beta environment refresh' (pid 101) for 3m12s. Nothing changed.")
        }
        try await manager(cloud).release(lock)
        #expect(cloud.parameter("/compiler-explorer/beta/deploy-lock") == nil)
        _ = try await manager(cloud).acquire(bob)
    }

    @Test func anUnreadableValueCountsAsHeld() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        cloud.setParameter("/compiler-explorer/beta/deploy-lock", "garbage")
        await #expect(throws: Refusal.self) { _ = try await manager(cloud).acquire(alice) }
        #expect(manager(cloud).describeHeld("garbage", now: cloud.now).contains("unreadable"))
        #expect(cloud.parameter("/compiler-explorer/beta/deploy-lock") == "garbage")
    }

    @Test func anExpiredLockIsReportedButNotBroken() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        _ = try await manager(cloud).acquire(alice)
        try await cloud.clock.sleep(for: .seconds(1000))
        do {
            _ = try await manager(cloud).acquire(bob)
            Issue.record("expected a refusal")
        } catch let refusal as Refusal {
            #expect(refusal.reason.contains("The lock expired 1m40s ago"))
            #expect(refusal.reason.contains("environment unlock"))
        }
    }

    @Test func extendingAndReleasingOnlyTouchOurOwnLock() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        let lock = try await manager(cloud).acquire(alice)
        try await cloud.clock.sleep(for: .seconds(600))
        let extended = try await manager(cloud).extend(lock)
        #expect(extended.expires! > lock.expires!)
        // Broken and taken by someone else: extending refuses, releasing leaves theirs alone.
        try await cloud.delete(name: "/compiler-explorer/beta/deploy-lock")
        _ = try await manager(cloud).acquire(bob)
        await #expect(throws: Refusal.self) { _ = try await manager(cloud).extend(extended) }
        try await manager(cloud).release(extended)
        #expect(DeployLock.decode(cloud.parameter("/compiler-explorer/beta/deploy-lock")!)?.holder == "bob@laptop")
    }

    @Test func withLockReleasesOnEveryExitPath() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        let value = try await manager(cloud).withLock(alice, keepAlive: nil) { 42 }
        #expect(value == 42)
        #expect(cloud.parameter("/compiler-explorer/beta/deploy-lock") == nil)
        await #expect(throws: Refusal.self) {
            _ = try await manager(cloud).withLock(alice, keepAlive: nil) { () async throws -> Int in throw Refusal("no") }
        }
        #expect(cloud.parameter("/compiler-explorer/beta/deploy-lock") == nil)
    }

    @Test func aLockOfAGoneProcessIsTakenOverOnlyWhenAllowed() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        _ = try await manager(cloud).acquire(alice)
        var gone = manager(cloud)
        gone.holderIsGone = { $0.holder == "alice@admin" && $0.pid == 101 }
        await #expect(throws: Refusal.self) { _ = try await gone.acquire(bob) }
        do {
            _ = try await gone.acquire(bob)
        } catch let refusal as Refusal {
            #expect(refusal.reason.contains("That process is no longer running on this host"))
        }
        let taken = try await gone.acquire(bob, takeOver: true)
        #expect(DeployLock.decode(cloud.parameter("/compiler-explorer/beta/deploy-lock")!) == taken)
        // Bob's lock is alive: nobody takes it over by mistake.
        var aliceGone = manager(cloud)
        aliceGone.holderIsGone = { $0.holder == "alice@admin" }
        await #expect(throws: Refusal.self) { _ = try await aliceGone.acquire(alice, takeOver: true) }
    }

    @Test func aCreateWhoseAnswerWasLostStillTakesTheLock() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        // Every attempt fails with a 5xx, half of them after the change was made: the retried create then finds
        // its own value, which must count as taken, not as held by someone else.
        cloud.setFaults(Faults(errorRate: 0.6))
        for _ in 0..<20 {
            let lock = try await FanOut.$sequential.withValue(true) {
                try await LockManager(environment: beta, store: cloud.patientPorts.documents, clock: cloud.clock).acquire(alice)
            }
            cloud.setFaults(Faults())
            try await manager(cloud).release(lock)
            cloud.setFaults(Faults(errorRate: 0.6))
        }
        #expect(cloud.events.contains { $0.contains("SSM PutParameter attempt") })
    }

    @Test func theJournalFitsAStandardParameter() {
        let journal = DeploymentJournal(
            id: "d-20261127T145500Z-4242", strategy: "blue-green", from: .blue, to: .green, version: String(repeating: "v", count: 200),
            capacity: 1000, step: "health gate", status: .inProgress,
            original: ["blue": .init(name: String(repeating: "b", count: 255), min: 2, desired: 1000, max: 1000), "green": .init(name: String(repeating: "g", count: 255), min: 0, desired: 0, max: 1000)],
            originalValues: ["/compiler-explorer/prod/green/version": String(repeating: "x", count: 200), "/compiler-explorer/prod/version": String(repeating: "y", count: 200)],
            targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/Prod-Green/0123456789abcdef", keepFailed: false,
            bakeSeconds: 300, setsVersion: true, startedAt: "2026-11-27T14:55:00Z", updatedAt: "2026-11-27T14:55:00Z",
            by: "someone@some-host.example.com", command: String(repeating: "c", count: 200), note: "resumed by someone@some-host.example.com at health gate")
        #expect(journal.json().utf8.count < 4096)
        #expect(DeploymentJournal.decode(journal.json()) == journal)
    }
}
