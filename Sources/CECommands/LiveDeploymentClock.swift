import Deployment
import Foundation

/// Real time for the domain.
struct LiveDeploymentClock: DeploymentClock {
    func now() -> Date { Date() }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// The system's random generator, for the domain's jitter.
struct LiveDeploymentRandom: DeploymentRandom {
    func nextUnit() -> Double { Double.random(in: 0..<1) }
}
