import Foundation

/// A hook built in (`smoke:` in place of `run:`): HTTP requests through the load balancer's preview route to the new
/// colour — each path of `url` with the environment's preview header (`X-Deployment-Color: green`) — that must each
/// answer one of the expected statuses. The design document's "validate new instances before switching", through the
/// real load balancer. A path that does not is asked again every 2 s until the hook's timeout.
public struct SmokeCheck: Sendable, Equatable {
    /// Scheme and host that reach the load balancer, e.g. `https://godbolt.org`.
    public var url: String
    /// The paths asked, e.g. `/healthcheck`, `/api/compilers`.
    public var paths: [String]
    /// The statuses that pass (default 200).
    public var expect: [Int]

    public init(url: String, paths: [String], expect: [Int] = [200]) {
        self.url = url
        self.paths = paths
        self.expect = expect
    }

    /// How long between two asks of a path that has not passed yet.
    public static let retrySeconds = 2

    /// The check in words: `GET https://godbolt.org{/healthcheck,/api/compilers} expecting 200`.
    public var description: String {
        let paths = self.paths.count == 1 ? self.paths[0] : "{\(self.paths.joined(separator: ","))}"
        return "smoke GET \(url)\(paths) expecting \(expect.map(String.init).joined(separator: " or "))"
    }

    /// Why a request of this check would not reach a preview rule of `color`, or `nil` when each does: each path's
    /// request (its host, the preview header) routed as the load balancer routes it — on the listener of the URL's port
    /// when the load balancer has one, else (a CDN or proxy in front of it) on each listener its previews are on.
    public func unreachedPreview(color: Color, header: String, routes: EnvironmentRoutes) -> String? {
        guard let url = URL(string: self.url), let host = url.host else { return "the smoke URL '\(self.url)' names no host" }
        let previews = routes.previews.filter { $0.color == color }
        let port = url.port ?? (url.scheme == "http" ? 80 : 443)
        let ports = routes.all.contains { $0.kind == .listenerDefault && $0.listenerPort == port }
            ? [port] : Array(Set(previews.compactMap(\.route.listenerPort))).sorted()
        let arns = Set(previews.map(\.route.arn))
        for path in paths {
            let request = LoadBalancerRequest(path: path, host: host, headers: [header: color.rawValue])
            let sent = "GET \(self.url)\(path) with '\(header): \(color.rawValue)'"
            for port in ports {
                guard let taken = request.route(onPort: port, in: routes.all), !arns.contains(taken.arn) else { continue }
                return "\(sent) is taken by \(taken.label)\(taken.conditionsText.isEmpty ? "" : " (\(taken.conditionsText))"), not by a preview rule of \(color.rawValue): the smoke requests would reach whatever it serves and prove nothing about the new colour; give the preview rules a lower priority number than the serving rule (docs/routes.md)"
            }
        }
        return nil
    }

    /// Asks every path through the preview route to `color` until each has answered as expected, or `timeoutSeconds`.
    public func run(
        color: Color, header: String, prober: any SmokeProber, clock: any WallClock, timeoutSeconds: Int, interruption: Interruption
    ) async -> HookResult {
        let started = clock.now()
        var pending = paths
        var last: [String: String] = [:]
        while true {
            var still: [String] = []
            for path in pending {
                let status = await prober.get(url: url + path, headers: [header: color.rawValue], timeout: .seconds(10))
                if let status, expect.contains(status) { continue }
                still.append(path)
                last[path] = status.map { "answered \($0)" } ?? "no answer"
            }
            pending = still
            let elapsed = clock.now().timeIntervalSince(started)
            if pending.isEmpty {
                return HookResult(ending: .checkPassed("\(paths.count) path(s) answered through the \(color.rawValue) preview route"), seconds: elapsed)
            }
            if interruption.reason != nil { return HookResult(ending: .interrupted, seconds: elapsed) }
            if elapsed + Double(Self.retrySeconds) > Double(timeoutSeconds) {
                let failures = pending.map { "GET \($0) \(last[$0] ?? "no answer")" }.joined(separator: ", ")
                return HookResult(ending: .checkFailed("\(failures) through the \(color.rawValue) preview route (expected \(expect.map(String.init).joined(separator: " or ")))"), seconds: elapsed)
            }
            guard (try? await interruption.sleep(on: clock, for: .seconds(Self.retrySeconds))) == true else {
                return HookResult(ending: .interrupted, seconds: clock.now().timeIntervalSince(started))
            }
        }
    }
}

/// Sends one request through the load balancer: `GET url` with `headers`; the status, or `nil` when nothing answered.
public protocol SmokeProber: Sendable {
    func get(url: String, headers: [String: String], timeout: Duration) async -> Int?
}

/// No requests can be sent: a smoke hook fails (the default of `CloudPorts`).
public struct UnavailableSmokeProber: SmokeProber {
    public init() {}
    public func get(url: String, headers: [String: String], timeout: Duration) async -> Int? { nil }
}
