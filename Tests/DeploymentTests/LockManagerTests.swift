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
}
