import AWSSigner
import Foundation
import Logging
import Synchronization

/// Sends typed operations to AWS: encodes, signs, sends, retries, decodes, and reports typed errors.
///
/// Credentials, transport, clock and randomness are injected, so the same client runs against AWS, moto, or a
/// scripted transport on virtual time.
public final class AWSClient: Sendable {
    public let region: String
    public let credentialProvider: any CredentialProvider
    public let endpoints: EndpointResolver
    public let retryPolicy: RetryPolicy
    public let timeouts: Timeouts
    let transport: any HTTPTransport
    let clock: any WallClock
    let random: any RandomSource
    let logger: Logger
    private let shared: Shared

    /// What clients made from one another (`retrying(with:)`) share: the signers and the call counters.
    private final class Shared: Sendable {
        let signers = Mutex<[String: SigV4Signer]>([:])
        let counters = Mutex<CallCounters>(CallCounters())
        /// The endpoints (scheme, host and port) that have answered at least once in this process.
        let reached = Mutex<Set<String>>([])
    }

    /// How many attempts a call gets when its endpoint has never answered in this process and refuses the connection:
    /// nothing listens there (a wrong `--endpoint-url`, a service not running), which patience does not fix — a
    /// refusal from an endpoint that has answered before is retried as any connection failure is.
    static let firstContactAttempts = 3

    static func endpointKey(_ url: URL) -> String { "\(url.scheme ?? "")://\(url.host ?? ""):\(url.port ?? 0)" }

    /// Notes that `url`'s endpoint answered.
    func reached(_ url: URL) { _ = shared.reached.withLock { $0.insert(Self.endpointKey(url)) } }

    /// As `RetryPolicy.isRetryable`, for one call to `url`: an endpoint never reached that refuses the connection gets
    /// `firstContactAttempts` in all. (A value per call: it counts that call's refusals.)
    func retryDecision(for url: URL) -> RetryDecision {
        RetryDecision(known: shared.reached.withLock { $0.contains(Self.endpointKey(url)) })
    }

    /// Whether one call's failure is worth another attempt (see `retryDecision(for:)`).
    struct RetryDecision {
        let known: Bool
        var refusals = 0

        mutating func isRetryable(_ error: any Error) -> Bool {
            if !known, case .transport(_, _, _, let reason)? = error as? AWSClientError, reason == "connection refused" {
                refusals += 1
                return refusals < AWSClient.firstContactAttempts
            }
            return RetryPolicy.isRetryable(error)
        }
    }

    /// Calls and HTTP attempts made so far, for benchmarks and call-count tests.
    public struct CallCounters: Sendable, Equatable {
        public var calls = 0
        public var attempts = 0
        public var byOperation: [String: Int] = [:]
        /// Sequential round trips: the longest chain of calls each started after the one before it had answered
        /// (a call's round is one more than the highest round among the calls answered before it started).
        public var rounds = 0
        /// The highest round of the calls answered so far.
        var answeredRound = 0
    }

    public init(
        region: String,
        credentialProvider: any CredentialProvider,
        endpoints: EndpointResolver = EndpointResolver(),
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = RetryPolicy(),
        timeouts: Timeouts = Timeouts(),
        clock: any WallClock = LiveClock(),
        random: any RandomSource = LiveRandomSource(),
        logger: Logger = Logger(label: "ce.aws")
    ) {
        self.shared = Shared()
        self.region = region
        self.credentialProvider = credentialProvider
        self.endpoints = endpoints
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.timeouts = timeouts
        self.clock = clock
        self.random = random
        self.logger = logger
    }

    private init(_ other: AWSClient, retryPolicy: RetryPolicy) {
        shared = other.shared
        region = other.region
        credentialProvider = other.credentialProvider
        endpoints = other.endpoints
        transport = other.transport
        self.retryPolicy = retryPolicy
        timeouts = other.timeouts
        clock = other.clock
        random = other.random
        logger = other.logger
    }

    /// The same client (credentials, transport, signers, counters) retrying with `policy`: a mutating command's
    /// calls use `RetryPolicy.patient`.
    public func retrying(with policy: RetryPolicy) -> AWSClient { AWSClient(self, retryPolicy: policy) }

    public var callCounters: CallCounters { shared.counters.withLock { $0 } }

    /// Performs `operation`, retrying retryable failures with backoff.
    public func call<Input, Output>(_ operation: AWSOperation<Input, Output>, _ input: Input) async throws -> Output {
        let round = countCall(service: operation.service, operation: operation.name)
        defer { answered(round) }
        let endpoint = try endpoints.endpoint(for: operation.service, region: region)
        let (body, headers) = try encode(operation, input)
        var decision = retryDecision(for: endpoint.url)
        return try await retryPolicy.run(
            clock: clock, random: random, isRetryable: { decision.isRetryable($0) },
            retrying: { error, attempt, delay in
                logger.debug(
                    "retrying after failure",
                    metadata: ["operation": "\(operation.name)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)"])
            }
        ) {
            try await attemptOnce(operation, endpoint: endpoint.url, body: body, headers: headers, round: round)
        }
    }

    /// Performs a paginated operation until the last page, following `Marker`/`NextToken`.
    public func paginate<Input: PaginatedInput, Output: PaginatedOutput>(
        _ operation: AWSOperation<Input, Output>, _ input: Input, maxPages: Int = 1000
    ) async throws -> [Output] {
        var input = input
        var pages: [Output] = []
        var seen: Set<String> = []
        while true {
            let page = try await call(operation, input)
            pages.append(page)
            guard let token = page.nextPaginationToken, !token.isEmpty else { return pages }
            guard seen.insert(token).inserted, pages.count < maxPages else {
                throw AWSClientError.paginationLoop(service: operation.service.name, operation: operation.name)
            }
            input.paginationToken = token
        }
    }

    private func encode<Input, Output>(_ operation: AWSOperation<Input, Output>, _ input: Input) throws
        -> (Data, [(name: String, value: String)])
    {
        switch operation.service.wireProtocol {
        case .query:
            let parameters = try QueryEncoder(listStyle: .member).encode(input)
            return (
                QueryEncoder.formBody(action: operation.name, version: operation.service.apiVersion, parameters: parameters),
                [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
            )
        case .ec2Query:
            let parameters = try QueryEncoder(listStyle: .flat).encode(input)
            return (
                QueryEncoder.formBody(action: operation.name, version: operation.service.apiVersion, parameters: parameters),
                [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
            )
        case .json(let targetPrefix):
            return (
                try ResponseDecoding.jsonEncoder().encode(input),
                [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "\(targetPrefix).\(operation.name)")]
            )
        case .restXML:
            throw AWSClientError.malformedResponse(
                service: operation.service.name, operation: operation.name, httpStatus: 0, reason: "a REST operation is sent with send(_:), not call(_:)")
        }
    }

    /// Counts a call; its round (see `CallCounters.rounds`).
    func countCall(service: AWSServiceDescriptor, operation: String) -> Int {
        shared.counters.withLock {
            $0.calls += 1
            $0.byOperation["\(service.name).\(operation)", default: 0] += 1
            $0.rounds = max($0.rounds, $0.answeredRound + 1)
            return $0.answeredRound + 1
        }
    }

    /// A call of `round` has answered.
    func answered(_ round: Int) { shared.counters.withLock { $0.answeredRound = max($0.answeredRound, round) } }

    func countAttempt() { shared.counters.withLock { $0.attempts += 1 } }

    func signer(for service: AWSServiceDescriptor) -> SigV4Signer {
        shared.signers.withLock { signers in
            if let signer = signers[service.signingName] { return signer }
            let signer = SigV4Signer(service: service.signingName, region: region)
            signers[service.signingName] = signer
            return signer
        }
    }

    private func attemptOnce<Input, Output>(
        _ operation: AWSOperation<Input, Output>, endpoint: URL, body: Data, headers: [(name: String, value: String)], round: Int
    ) async throws -> Output {
        countAttempt()
        let credentials = try await credentialProvider.credentials()
        var host = endpoint.host ?? ""
        if let port = endpoint.port, !(endpoint.scheme == "https" && port == 443), !(endpoint.scheme == "http" && port == 80) {
            host += ":\(port)"
        }
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        var allHeaders = headers + [("Host", host), ("User-Agent", "ce/\(CEVersion.current)")]
        let signable = SignableRequest(
            method: "POST", host: host, path: path, headers: headers + [("Host", host)], body: body)
        let signature = signer(for: operation.service).sign(signable, credentials: credentials, date: clock.now())
        allHeaders += signature.headersToAdd
        var url = endpoint
        if endpoint.path.isEmpty { url = endpoint.appendingPathComponent("") }
        let request = HTTPRequest(method: "POST", url: url, headers: allHeaders, body: body)

        let started = clock.now()
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeouts.request)
        } catch let error as HTTPTransportError {
            throw AWSClientError.transport(
                service: operation.service.name, operation: operation.name, endpoint: endpoint.absoluteString,
                reason: error.reason)
        }
        reached(endpoint)
        // "ELBv2 DescribeRules 200 12 ms (round 2)": service, operation, status, time; never headers or bodies.
        let milliseconds = Int((clock.now().timeIntervalSince(started) * 1000).rounded())
        logger.debug("\(operation.service.name) \(operation.name) \(response.status) \(milliseconds) ms (round \(round))")
        guard (200..<300).contains(response.status) else {
            throw ResponseDecoding.serviceError(service: operation.service, operation: operation.name, response: response)
        }
        do {
            switch operation.service.wireProtocol {
            case .query: return try ResponseDecoding.decodeQuery(Output.self, from: response.body)
            case .ec2Query: return try ResponseDecoding.decodeEC2(Output.self, from: response.body)
            case .json: return try ResponseDecoding.decodeJSON(Output.self, from: response.body)
            case .restXML: return try ResponseDecoding.decodeEC2(Output.self, from: response.body)
            }
        } catch {
            throw AWSClientError.malformedResponse(
                service: operation.service.name, operation: operation.name, httpStatus: response.status,
                reason: Self.describe(decodingError: error))
        }
    }

    static func describe(decodingError error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \(Self.path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(Self.path(context.codingPath))"
        @unknown default:
            return String(describing: error)
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
