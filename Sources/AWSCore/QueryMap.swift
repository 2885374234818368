/// A string map in an XML answer: `<Name><entry><key>k</key><value>v</value></entry>…</Name>`; sent in a query
/// request as `Name.entry.N.key` / `Name.entry.N.value` (keys in order).
///
/// Use as `@QueryMap var authenticationRequestExtraParams: [String: String]`; a missing element decodes as `[:]` and an
/// empty map is left out of requests.
@propertyWrapper
public struct QueryMap: Codable, Sendable, Hashable {
    public var wrappedValue: [String: String]

    public init(wrappedValue: [String: String]) {
        self.wrappedValue = wrappedValue
    }

    struct Entry: Decodable {
        var key: String
        var value: String?
    }

    private enum Keys: String, CodingKey {
        case entry
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: Keys.self),
            let entries = try container.decodeIfPresent([Entry].self, forKey: .entry)
        {
            wrappedValue = Dictionary(entries.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        } else if let plain = try? decoder.singleValueContainer().decode([String: String].self) {
            // JSON answers carry maps as objects.
            wrappedValue = plain
        } else {
            wrappedValue = [:]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if wrappedValue.isEmpty { try container.encodeNil() } else { try container.encode(wrappedValue) }
    }
}

extension KeyedDecodingContainer {
    /// Lets a missing map element decode as an empty map.
    public func decode(_ type: QueryMap.Type, forKey key: Key) throws -> QueryMap {
        try decodeIfPresent(type, forKey: key) ?? QueryMap(wrappedValue: [:])
    }
}
