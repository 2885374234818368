import Deployment
import Foundation

/// Real time for the domain.
struct LiveDeploymentClock: DeploymentClock {
    func now() -> Date { Date() }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
