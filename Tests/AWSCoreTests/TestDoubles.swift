import Foundation
import Synchronization

@testable import AWSCore

/// A transport that answers from a script and records every request.
final class ScriptedTransport: HTTPTransport {
    enum Step {
        case respond(HTTPResponse)
        case fail(HTTPTransportError)
    }

    private let state: Mutex<(steps: [Step], requests: [HTTPRequest])>
    /// Answered once the script runs out.
    let fallback: Step

    init(_ steps: [Step], fallback: Step = .respond(HTTPResponse(status: 500))) {
        state = Mutex((steps, []))
        self.fallback = fallback
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let step = state.withLock { state -> Step in
            state.requests.append(request)
            return state.steps.isEmpty ? fallback : state.steps.removeFirst()
        }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        }
    }

    static func xml(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> Step {
        .respond(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
    }

    static func queryError(_ status: Int, code: String, message: String = "m", requestId: String = "req-1") -> Step {
        xml(
            status,
            "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>\(requestId)</RequestId></ErrorResponse>"
        )
    }
}

/// Virtual time: `sleep` returns at once and moves `now` forward.
final class ManualClock: WallClock {
    private let state: Mutex<(now: Date, sleeps: [Duration])>

    init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex((start, []))
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func now() -> Date { state.withLock { $0.now } }

    func advance(by seconds: TimeInterval) { state.withLock { $0.now += seconds } }

    func sleep(for duration: Duration) async throws {
        state.withLock {
            $0.sleeps.append(duration)
            $0.now += duration.timeInterval
        }
    }
}

/// Always the same number in 0..<1.
struct FixedRandom: RandomSource {
    var value: Double
    func nextUnitInterval() -> Double { value }
}

let testCredentials = AWSCredentials(accessKeyId: "AKIDTESTTESTTEST", secretAccessKey: "secret-never-printed")

func scriptedClient(
    _ transport: ScriptedTransport, clock: ManualClock = ManualClock(), retry: RetryPolicy = RetryPolicy(),
    random: Double = 0.5
) -> AWSClient {
    AWSClient(
        region: "us-east-1", credentialProvider: StaticCredentialProvider(testCredentials),
        endpoints: EndpointResolver(commandLineURL: "http://127.0.0.1:1", environment: [:]), transport: transport,
        retryPolicy: retry, clock: clock, random: FixedRandom(value: random))
}
