import AWSCore
import Deployment
import Foundation
import Synchronization

/// `TrafficWatch` on AWS: `ce` itself sends `GET url` at a steady rate — the operator gives the URL that reaches the
/// environment through its load balancer — and counts the answers by status; a request that gets no answer within
/// 5 s (refused, reset, timed out) counts as unanswered. The pace comes from the injected clock.
public struct HTTPTrafficWatch: TrafficWatch {
    let url: URL
    let requestsPerSecond: Double
    let transport: any HTTPTransport
    let clock: any WallClock

    public init(url: URL, requestsPerSecond: Double, transport: any HTTPTransport, clock: any WallClock) {
        self.url = url
        self.requestsPerSecond = requestsPerSecond
        self.transport = transport
        self.clock = clock
    }

    public func start(_ environment: EnvironmentConfiguration) async throws -> any TrafficWatcher {
        let watcher = HTTPTrafficWatcher()
        let (url, transport, clock) = (self.url, self.transport, self.clock)
        let pause = Duration.milliseconds(Int64(1000 / max(0.1, requestsPerSecond)))
        let sender = Task {
            while !watcher.stopping {
                // Each request on its own, so that a slow answer does not slow the pace.
                let request = Task {
                    let status = try? await transport.send(HTTPRequest(method: "GET", url: url), timeout: .seconds(5)).status
                    watcher.count(status)
                }
                watcher.requests.withLock { $0.append(request) }
                try? await clock.sleep(for: pause)
            }
        }
        watcher.sender.withLock { $0 = sender }
        return watcher
    }
}

final class HTTPTrafficWatcher: TrafficWatcher {
    let tally = Mutex(TrafficTally())
    /// Every request sent; stopping waits for their answers (at most their 5 s timeout).
    let requests = Mutex<[Task<Void, Never>]>([])
    let stopFlag = Mutex(false)
    let sender = Mutex<Task<Void, Never>?>(nil)

    var stopping: Bool { stopFlag.withLock { $0 } }

    func count(_ status: Int?) { tally.withLock { $0.count(status) } }

    func stop() async -> TrafficTally {
        stopFlag.withLock { $0 = true }
        await sender.withLock { $0 }?.value
        for request in requests.withLock({ $0 }) { await request.value }
        return tally.withLock { $0 }
    }
}
