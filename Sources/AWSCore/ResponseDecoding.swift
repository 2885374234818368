import Foundation

/// An operation's output with no fields.
public struct EmptyOutput: Decodable, Sendable, Equatable {
    public init() {}
}

/// Decodes service answers of each wire protocol into typed outputs, and error answers into `AWSServiceError`.
enum ResponseDecoding {
    /// XML element names are `PascalCase` (`TargetGroupArn`) for query services and `camelCase` (`instanceId`) for
    /// EC2; Swift properties are `camelCase`: `XMLTreeDecoder` matches them either way.
    static func xmlDecoder() -> XMLTreeDecoder { XMLTreeDecoder() }

    static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let key = path.last!.stringValue
            return AnyCodingKey(key.prefix(1).lowercased() + key.dropFirst())
        }
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try container.decode(String.self)
            guard let date = ISO8601DateFormatter.parseAWSDate(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad date \(text)"))
            }
            return date
        }
        return decoder
    }

    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in AnyCodingKey(QueryEncoder.capitalized(path.last!.stringValue)) }
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `<OpResponse><OpResult>…</OpResult><ResponseMetadata><RequestId>` → the result.
    static func decodeQuery<Output: Decodable>(_ type: Output.Type, from data: Data) throws -> Output {
        if Output.self == EmptyOutput.self { return EmptyOutput() as! Output }
        let envelope = try xmlDecoder().decode(QueryEnvelope<Output>.self, from: data)
        if let result = envelope.result { return result }
        // An operation whose result has only optional fields may answer without a result element.
        return try xmlDecoder().decode(Output.self, from: XMLElementTree(name: "Result"))
    }

    /// `<OpResponse><requestId/>…</OpResponse>` → the whole response element.
    static func decodeEC2<Output: Decodable>(_ type: Output.Type, from data: Data) throws -> Output {
        if Output.self == EmptyOutput.self { return EmptyOutput() as! Output }
        return try xmlDecoder().decode(Output.self, from: data)
    }

    static func decodeJSON<Output: Decodable>(_ type: Output.Type, from data: Data) throws -> Output {
        if Output.self == EmptyOutput.self { return EmptyOutput() as! Output }
        return try jsonDecoder().decode(Output.self, from: data.isEmpty ? Data("{}".utf8) : data)
    }

    /// Reads the code, message and request id of an error answer of either protocol.
    static func serviceError(
        service: AWSServiceDescriptor, operation: String, response: HTTPResponse
    ) -> AWSServiceError {
        let headerRequestId = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        switch service.wireProtocol {
        case .json:
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
            var code = (object["__type"] as? String) ?? response.header("X-Amzn-Errortype") ?? ""
            if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
            if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
            let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
            return AWSServiceError(
                service: service.name, operation: operation, httpStatus: response.status,
                code: code.isEmpty ? fallbackCode(response.status) : code, message: message, requestId: headerRequestId)
        case .query, .ec2Query, .restXML:
            let text = String(decoding: response.body, as: UTF8.self)
            let code = firstElement("Code", in: text) ?? fallbackCode(response.status)
            let message = firstElement("Message", in: text) ?? (text.hasPrefix("<") ? "" : String(text.prefix(200)))
            let requestId = firstElement("RequestId", in: text) ?? firstElement("RequestID", in: text) ?? headerRequestId
            return AWSServiceError(
                service: service.name, operation: operation, httpStatus: response.status, code: code,
                message: message, requestId: requestId)
        }
    }

    static func fallbackCode(_ status: Int) -> String {
        switch status {
        case 429: return "TooManyRequests"
        case 500...599: return "InternalFailure"
        case 403: return "AccessDenied"
        case 404: return "NotFound"
        default: return "HTTP\(status)"
        }
    }

    /// The text of the first `<name>…</name>` element, entities decoded. Error answers vary in shape between
    /// services (`ErrorResponse/Error`, `Response/Errors/Error`), so they are searched rather than decoded.
    static func firstElement(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return unescapeXML(String(xml[open.upperBound..<close.lowerBound])).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func unescapeXML(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// A coding key made from any string.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// The query protocol's response element: one `…Result` child and `ResponseMetadata`.
struct QueryEnvelope<Result: Decodable>: Decodable {
    var result: Result?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        if let key = container.allKeys.first(where: { $0.stringValue.hasSuffix("Result") }) {
            result = try container.decode(Result.self, forKey: key)
        }
    }
}
