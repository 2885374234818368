import Foundation

/// The parts of an HTTP request that SigV4 signs.
public struct SignableRequest: Sendable, Equatable {
    public var method: String
    /// The host, with `:port` when it is not the scheme's default.
    public var host: String
    /// The path, not percent-encoded (`/`, or `/a b/ሴ`); the signer encodes it.
    public var path: String
    /// Query parameters, not percent-encoded, in any order; names may repeat.
    public var query: [(name: String, value: String)]
    /// Header fields in any order; names may repeat and differ in case.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(
        method: String,
        host: String,
        path: String = "/",
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: Data = Data()
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: SignableRequest, rhs: SignableRequest) -> Bool {
        lhs.method == rhs.method && lhs.host == rhs.host && lhs.path == rhs.path && lhs.body == rhs.body
            && lhs.query.map { [$0.name, $0.value] } == rhs.query.map { [$0.name, $0.value] }
            && lhs.headers.map { [$0.name, $0.value] } == rhs.headers.map { [$0.name, $0.value] }
    }
}
