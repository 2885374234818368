import Crypto
import Foundation
import Synchronization

/// AWS Signature Version 4 for one service in one region.
///
/// The signing time is a parameter, never read from the system, so that signing is reproducible in tests.
/// Derived signing keys are cached per date, region, service and secret.
public final class SigV4Signer: Sendable {
    public let service: String
    public let region: String
    private let keyCache = Mutex<[String: SymmetricKey]>([:])

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }

    /// Signs `request` as of `date`.
    ///
    /// - Parameter addContentSHA256Header: also send (and sign) `X-Amz-Content-Sha256`, as S3 requires.
    /// - Parameter normalizePath: resolve `.`/`..` and drop empty segments (every service but S3, whose keys are
    ///   taken as they are: `canonicalS3Path`).
    public func sign(
        _ request: SignableRequest,
        credentials: AWSCredentials,
        date: Date,
        addContentSHA256Header: Bool = false,
        normalizePath: Bool = true
    ) -> SigV4Signature {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        let payloadHash = Self.hexSHA256(request.body)

        var added: [(name: String, value: String)] = [("X-Amz-Date", timestamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        if addContentSHA256Header { added.append(("X-Amz-Content-Sha256", payloadHash)) }

        var headers = request.headers
        if !headers.contains(where: { $0.name.lowercased() == "host" }) { headers.append(("Host", request.host)) }
        headers += added
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)

        let canonicalRequest = [
            request.method.uppercased(),
            normalizePath ? Self.canonicalPath(request.path) : Self.canonicalS3Path(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            "",
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp, scope, Self.hexSHA256(Data(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let key = signingKey(secret: credentials.secretAccessKey, day: day)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        added.append(("Authorization", authorization))
        return SigV4Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: signedHeaders, authorization: authorization, headersToAdd: added)
    }

    /// The derived signing key for `day` (`yyyyMMdd`), cached.
    func signingKey(secret: String, day: String) -> SymmetricKey {
        let cacheKey = "\(day)/\(Self.hexSHA256(Data(secret.utf8)))"
        if let key = keyCache.withLock({ $0[cacheKey] }) { return key }
        let key = Self.deriveSigningKey(secret: secret, day: day, region: region, service: service)
        keyCache.withLock { cache in
            if cache.count > 16 { cache.removeAll() }
            cache[cacheKey] = key
        }
        return key
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    public static func deriveSigningKey(secret: String, day: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    // MARK: - Canonical forms

    /// The URI-encoded, normalised path: `.` and `..` segments resolved, empty segments removed, a trailing slash kept.
    public static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var result = "/" + segments.map { uriEncode(String($0)) }.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }

    /// S3's canonical path: each segment URI-encoded once, nothing resolved or dropped (a key may hold `..` or `//`).
    public static func canonicalS3Path(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    /// Parameters encoded, then sorted by name and value.
    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.name), uriEncode($0.value)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { pair -> String in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lower-cased names, sorted; repeated names joined with commas in their original order; values trimmed with
    /// inner runs of white space collapsed.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            values[name.lowercased().trimmingCharacters(in: .whitespaces), default: []].append(trimAll(value))
        }
        let names = values.keys.sorted()
        let canonical = names.map { "\($0):\(values[$0]!.joined(separator: ","))" }.joined(separator: "\n")
        return (canonical, names.joined(separator: ";"))
    }

    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters `A-Z a-z 0-9 - _ . ~`.
    public static func uriEncode(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%"
                out.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                out.unicodeScalars.append(hexDigits[Int(byte & 0xF)])
            }
        }
        return out
    }

    /// `A-Z a-z 0-9 - _ . ~`
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x5F, 0x2E, 0x7E: return true
        default: return false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60,
            secondOfDay % 60)
    }

    /// Howard Hinnant's days-to-civil algorithm: no calendar or locale involved.
    static func civilDate(daysSinceEpoch: Int) -> (Int, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func hexSHA256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
