import Deployment
import Foundation

/// The simulated traffic as a `TrafficWatch`: what the simulated users' requests to an environment got while the
/// watch ran (counted as virtual time passes).
extension SimulatedCloud: TrafficWatch {
    public func start(_ environment: EnvironmentConfiguration) async throws -> any TrafficWatcher {
        SimulatedTrafficWatcher(cloud: self, environment: environment.name, baseline: tally(environment.name))
    }

    /// Every request to `environment` so far, by status.
    func tally(_ environment: String) -> TrafficTally {
        var tally = TrafficTally()
        for row in read({ $0.trafficSummary }) where row.environment == environment {
            tally.requests += row.count
            tally.byStatus[String(row.status), default: 0] += row.count
        }
        return tally
    }
}

/// A watch of the simulated traffic: the requests counted since it began.
struct SimulatedTrafficWatcher: TrafficWatcher {
    let cloud: SimulatedCloud
    let environment: String
    let baseline: TrafficTally

    func stop() async -> TrafficTally {
        let now = cloud.tally(environment)
        var seen = TrafficTally(requests: now.requests - baseline.requests)
        for (status, count) in now.byStatus where count - (baseline.byStatus[status] ?? 0) > 0 {
            seen.byStatus[status] = count - (baseline.byStatus[status] ?? 0)
        }
        return seen
    }
}
