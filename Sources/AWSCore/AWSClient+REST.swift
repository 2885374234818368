import AWSSigner
import Foundation

/// One REST request (S3): a bucket, an object key within it, query parameters, headers and a body.
public struct RESTRequest: Sendable {
    public var method: String
    public var bucket: String
    public var key: String?
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(
        method: String, bucket: String, key: String? = nil, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: Data = Data()
    ) {
        self.method = method
        self.bucket = bucket
        self.key = key
        self.query = query
        self.headers = headers
        self.body = body
    }
}

extension AWSClient {
    /// Sends a REST request (S3) with retries, signed with the payload's SHA-256 (`X-Amz-Content-Sha256`); the answer
    /// when 2xx, else the service's error (code, message, request id from its XML `<Error>`).
    ///
    /// The bucket goes in the host (virtual-hosted style) on AWS's own endpoints when its name allows, else in the
    /// path (path style: an endpoint given with `--endpoint-url` or `AWS_ENDPOINT_URL*`, such as moto).
    public func send(_ service: AWSServiceDescriptor, operation: String, _ request: RESTRequest) async throws -> HTTPResponse {
        let round = countCall(service: service, operation: operation)
        defer { answered(round) }
        let endpoint = try endpoints.endpoint(for: service, region: region)
        var decision = retryDecision(for: endpoint.url)
        return try await retryPolicy.run(
            clock: clock, random: random, isRetryable: { decision.isRetryable($0) },
            retrying: { error, attempt, delay in
                logger.debug("retrying after failure", metadata: ["operation": "\(operation)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)"])
            }
        ) {
            try await sendOnce(service, operation: operation, request, endpoint: endpoint, round: round)
        }
    }

    /// Whether `bucket` can be a host name label (lower case, digits, dashes; no dots, which TLS would not cover).
    static func isVirtualHostable(_ bucket: String) -> Bool {
        (3...63).contains(bucket.count) && bucket.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            && bucket.first != "-" && bucket.last != "-"
    }

    private func sendOnce(
        _ service: AWSServiceDescriptor, operation: String, _ request: RESTRequest, endpoint: EndpointResolver.Endpoint, round: Int
    ) async throws -> HTTPResponse {
        countAttempt()
        let credentials = try await credentialProvider.credentials()
        let base = endpoint.url
        let virtual = endpoint.source == .regional && Self.isVirtualHostable(request.bucket)
        var host = (virtual ? "\(request.bucket)." : "") + (base.host ?? "")
        if let port = base.port, !(base.scheme == "https" && port == 443), !(base.scheme == "http" && port == 80) { host += ":\(port)" }
        let basePath = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
        let path = basePath + (virtual ? "" : "/\(request.bucket)") + "/" + (request.key ?? "")
        let headers = request.headers + [("Host", host)]
        let signable = SignableRequest(method: request.method, host: host, path: path, query: request.query, headers: headers, body: request.body)
        let signature = signer(for: service).sign(
            signable, credentials: credentials, date: clock.now(), addContentSHA256Header: true, normalizePath: false)
        // The URL carries exactly what was signed: each path segment and query part encoded the same way.
        let query = request.query.map { "\(SigV4Signer.uriEncode($0.name))=\(SigV4Signer.uriEncode($0.value))" }.joined(separator: "&")
        let text = "\(base.scheme ?? "https")://\(host)\(SigV4Signer.canonicalS3Path(path))\(query.isEmpty ? "" : "?\(query)")"
        guard let url = URL(string: text) else {
            throw AWSClientError.invalidEndpoint(text, reason: "the bucket or key does not make a URL")
        }
        let http = HTTPRequest(
            method: request.method, url: url, headers: headers + [("User-Agent", "ce/\(CEVersion.current)")] + signature.headersToAdd, body: request.body)
        let started = clock.now()
        let response: HTTPResponse
        do {
            response = try await transport.send(http, timeout: timeouts.request)
        } catch let error as HTTPTransportError {
            throw AWSClientError.transport(service: service.name, operation: operation, endpoint: base.absoluteString, reason: error.reason)
        }
        reached(base)
        let milliseconds = Int((clock.now().timeIntervalSince(started) * 1000).rounded())
        logger.debug("\(service.name) \(operation) \(response.status) \(milliseconds) ms (round \(round))")
        guard (200..<300).contains(response.status) else {
            throw ResponseDecoding.serviceError(service: service, operation: operation, response: response)
        }
        return response
    }

    /// Decodes a REST answer's XML body (its root element is the result).
    public static func decodeXML<Output: Decodable>(_ type: Output.Type, _ response: HTTPResponse, service: AWSServiceDescriptor, operation: String) throws -> Output {
        do {
            return try ResponseDecoding.decodeEC2(Output.self, from: response.body)
        } catch {
            throw AWSClientError.malformedResponse(service: service.name, operation: operation, httpStatus: response.status, reason: describe(decodingError: error))
        }
    }
}
