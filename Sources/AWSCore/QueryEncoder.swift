import AWSSigner
import Foundation

/// Encodes an `Encodable` request as AWS query parameters.
///
/// Property names become parameter names with their first letter capitalised (`targetGroupArn` → `TargetGroupArn`).
/// Nested structures join names with dots; lists are `Name.member.N` (query) or `Name.N` (EC2); `[String: String]`
/// maps are `Name.entry.N.key` / `Name.entry.N.value`. `nil` optionals are left out. Booleans are `true`/`false`,
/// dates ISO 8601.
public struct QueryEncoder: Sendable {
    public enum ListStyle: Sendable {
        case member
        case flat
    }

    public var listStyle: ListStyle

    public init(listStyle: ListStyle = .member) {
        self.listStyle = listStyle
    }

    public func encode<T: Encodable>(_ value: T) throws -> [(name: String, value: String)] {
        let node = try QueryTreeEncoder.node(for: value, codingPath: [])
        var params: [(name: String, value: String)] = []
        flatten(node, prefix: "", into: &params)
        return params
    }

    private func flatten(_ node: QueryNode, prefix: String, into params: inout [(name: String, value: String)]) {
        switch node {
        case .null:
            return
        case .scalar(let value):
            params.append((prefix, value))
        case .object(let box):
            for (key, child) in box.fields {
                flatten(child, prefix: prefix.isEmpty ? key : "\(prefix).\(key)", into: &params)
            }
        case .list(let box):
            if box.items.isEmpty {
                // The query protocol sends an explicitly empty list as `Name=`; EC2 leaves it out.
                if listStyle == .member && !prefix.isEmpty { params.append((prefix, "")) }
                return
            }
            for (index, item) in box.items.enumerated() {
                let name = listStyle == .member ? "\(prefix).member.\(index + 1)" : "\(prefix).\(index + 1)"
                flatten(item, prefix: name, into: &params)
            }
        case .map(let entries):
            for (index, entry) in entries.enumerated() {
                params.append(("\(prefix).entry.\(index + 1).key", entry.key))
                params.append(("\(prefix).entry.\(index + 1).value", entry.value))
            }
        }
    }

    /// The form-encoded body of a query request: `Action`, `Version`, then the parameters.
    public static func formBody(action: String, version: String, parameters: [(name: String, value: String)]) -> Data {
        let pairs = [("Action", action), ("Version", version)] + parameters
        return Data(pairs.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&").utf8)
    }

    /// RFC 3986 percent-encoding, as AWS expects in query bodies.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if SigV4Signer.isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func capitalized(_ key: String) -> String {
        guard let first = key.first, first.isLowercase else { return key }
        return first.uppercased() + key.dropFirst()
    }
}

/// The shape of an encoded value before it is flattened to parameters.
enum QueryNode {
    case null
    case scalar(String)
    case object(ObjectBox)
    case list(ListBox)
    case map([(key: String, value: String)])

    final class ObjectBox {
        var fields: [(String, QueryNode)] = []
        func set(_ key: String, _ node: QueryNode) {
            if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = node } else { fields.append((key, node)) }
        }
    }
    final class ListBox {
        var items: [QueryNode] = []
    }
}

/// An `Encoder` that builds a `QueryNode` tree.
final class QueryTreeEncoder: Encoder {
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var root: QueryNode = .null

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    static func node<T: Encodable>(for value: T, codingPath: [any CodingKey]) throws -> QueryNode {
        switch value {
        case let string as String: return .scalar(string)
        case let bool as Bool: return .scalar(bool ? "true" : "false")
        case let date as Date: return .scalar(ISO8601DateFormatter.awsString(from: date))
        case let url as URL: return .scalar(url.absoluteString)
        case let map as [String: String]: return .map(map.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        default:
            let encoder = QueryTreeEncoder(codingPath: codingPath)
            try value.encode(to: encoder)
            return encoder.root
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: QueryNode.ObjectBox
        if case .object(let existing) = root { box = existing } else {
            box = QueryNode.ObjectBox()
            root = .object(box)
        }
        return KeyedEncodingContainer(KeyedContainer(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box = QueryNode.ListBox()
        root = .list(box)
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueContainer(encoder: self) }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: QueryNode.ObjectBox
        var codingPath: [any CodingKey]

        func name(_ key: Key) -> String { QueryEncoder.capitalized(key.stringValue) }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            box.set(name(key), try QueryTreeEncoder.node(for: value, codingPath: codingPath + [key]))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = QueryNode.ObjectBox()
            box.set(name(key), .object(child))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key]))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = QueryNode.ListBox()
            box.set(name(key), .list(child))
            return UnkeyedContainer(box: child, codingPath: codingPath + [key])
        }
        mutating func superEncoder() -> any Encoder { QueryTreeEncoder(codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { QueryTreeEncoder(codingPath: codingPath + [key]) }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: QueryNode.ListBox
        var codingPath: [any CodingKey]
        var count: Int { box.items.count }

        mutating func encodeNil() throws { box.items.append(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.items.append(try QueryTreeEncoder.node(for: value, codingPath: codingPath))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = QueryNode.ObjectBox()
            box.items.append(.object(child))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = QueryNode.ListBox()
            box.items.append(.list(child))
            return UnkeyedContainer(box: child, codingPath: codingPath)
        }
        mutating func superEncoder() -> any Encoder { QueryTreeEncoder(codingPath: codingPath) }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let encoder: QueryTreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.root = .null }
        mutating func encode(_ value: Bool) throws { encoder.root = .scalar(value ? "true" : "false") }
        mutating func encode(_ value: String) throws { encoder.root = .scalar(value) }
        mutating func encode(_ value: Double) throws { encoder.root = .scalar(QueryTreeEncoder.format(value)) }
        mutating func encode(_ value: Float) throws { encoder.root = .scalar(QueryTreeEncoder.format(Double(value))) }
        mutating func encode(_ value: Int) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: Int8) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: Int16) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: Int32) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: Int64) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: UInt) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: UInt8) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: UInt16) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: UInt32) throws { encoder.root = .scalar(String(value)) }
        mutating func encode(_ value: UInt64) throws { encoder.root = .scalar(String(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.root = try QueryTreeEncoder.node(for: value, codingPath: codingPath)
        }
    }

    /// Whole numbers without a fraction (`5`, not `5.0`), as AWS expects.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension ISO8601DateFormatter {
    /// ISO 8601 with fractional seconds, UTC. `ISO8601DateFormatter` is thread-safe.
    nonisolated(unsafe) static let shared: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    nonisolated(unsafe) static let sharedWholeSeconds: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()

    /// ISO 8601 in UTC, with fractional seconds only when the date has them.
    public static func awsString(from date: Date) -> String {
        date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
            ? sharedWholeSeconds.string(from: date) : shared.string(from: date)
    }

    /// Parses ISO 8601 with or without fractional seconds.
    public static func parseAWSDate(_ text: String) -> Date? {
        shared.date(from: text) ?? sharedWholeSeconds.date(from: text)
    }
}
