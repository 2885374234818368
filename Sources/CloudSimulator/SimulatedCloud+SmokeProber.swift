import Deployment
import Foundation

/// One request through the simulated load balancer, as a `smoke:` hook sends it: routed by its path, host and
/// headers exactly as the simulated traffic is (so a preview rule's header condition takes it to its colour), and
/// answered by a target of the group it reaches. Not counted as the users' traffic.
extension SimulatedCloud: SmokeProber {
    public func get(url: String, headers: [String: String], timeout: Duration) async -> Int? {
        guard let parsed = URL(string: url), let host = parsed.host else { return nil }
        let request = SimulatedRequest(path: parsed.path.isEmpty ? "/" : parsed.path, host: host, headers: headers)
        return change { $0.answer(request, port: parsed.scheme == "https" ? 443 : 80) }
    }
}

extension SimulatedWorld {
    /// The status the load balancer's current routes give `request` arriving on listener `port` (else the first).
    mutating func answer(_ request: SimulatedRequest, port: Int) -> Int {
        let node = NodeRoutes(routes(atNode: 0))
        let entrance: Set<Int?> = node.listeners.contains { $0.listenerPort == port } ? [port] : []
        guard let route = node.taken(by: request, carrying: entrance).first else { return 503 }
        if let answer = route.answer { return answer }
        let total = route.forward.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return 503 }
        let arn = pickByWeight(route.forward, total: total)
        guard let name = targetGroupName(arn: arn) else { return 503 }
        let candidates = candidates(name)
        guard !candidates.isEmpty else { return 503 }
        return answer(from: name, among: candidates).status
    }
}
