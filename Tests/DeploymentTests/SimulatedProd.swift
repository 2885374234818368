import CloudSimulator
import Foundation

@testable import Deployment

/// The world the deploy scenarios run in: prod and beta of the design document with a 5xx alarm per colour, the
/// soak's configuration (60 s bake), instances booting in 40–70 s and v2 healthy 20 s after boot; and the lock held
/// as the CLI holds it.
enum SimulatedProd {
    static let configuration = Soak.configuration
    static let prod = try! configuration.environment("prod")

    static func world(seed: UInt64 = 1, requestsPerSecond: Double = 2) throws -> SimulatedCloud {
        let cloud = try SimulatedCloud.designDocument(
            environments: ["prod", "beta"], configuration: configuration, seed: seed, requestsPerSecond: requestsPerSecond,
            alarms: "{env}-{color}-5xx")
        cloud.setBootSeconds(40...70)
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 20))
        return cloud
    }

    /// Runs `body` under prod's deploy lock, as the CLI does; `takeOver` breaks the lock of pid 1 (a crashed process).
    static func locked<T: Sendable>(
        _ cloud: SimulatedCloud, _ identity: LockIdentity, takeOver: Bool = false, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await FanOut.$sequential.withValue(true) {
            var manager = LockManager(environment: prod, store: cloud.ports.documents, clock: cloud.clock)
            manager.holderIsGone = { $0.pid == 1 }
            return try await manager.withLock(identity, keepAlive: nil, takeOver: takeOver, body)
        }
    }

    static func journal(_ cloud: SimulatedCloud) -> DeploymentJournal? {
        cloud.parameter("/compiler-explorer/prod/deployment").flatMap(DeploymentJournal.decode)
    }

    static func servingColor(_ cloud: SimulatedCloud) -> String? { cloud.read { $0.servingColor("prod") } }
}
