/// Everything one SigV4 signing produced, including the intermediate strings (for tests and `--verbose` debugging).
public struct SigV4Signature: Sendable, Equatable {
    public var canonicalRequest: String
    public var stringToSign: String
    public var signature: String
    public var signedHeaders: String
    /// The value of the `Authorization` header.
    public var authorization: String
    /// The headers the signer added and that must be sent with the request (`X-Amz-Date`, `X-Amz-Security-Token`,
    /// `X-Amz-Content-Sha256`), plus `Authorization`.
    public var headersToAdd: [(name: String, value: String)]

    public static func == (lhs: SigV4Signature, rhs: SigV4Signature) -> Bool {
        lhs.canonicalRequest == rhs.canonicalRequest && lhs.stringToSign == rhs.stringToSign
            && lhs.signature == rhs.signature && lhs.authorization == rhs.authorization
    }
}
