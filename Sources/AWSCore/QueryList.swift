/// A list in an XML answer: `<Name><member>…</member>…</Name>` (query) or `<name><item>…</item>…</name>` (EC2).
///
/// Use as `@QueryList var targetGroups: [TargetGroup]`; a missing or empty element decodes as `[]`. When encoded
/// into a request, an empty list is left out.
@propertyWrapper
public struct QueryList<Element: Decodable & Sendable>: Decodable, Sendable {
    public var wrappedValue: [Element]

    public init(wrappedValue: [Element]) {
        self.wrappedValue = wrappedValue
    }

    private enum Keys: String, CodingKey {
        case member, item
    }

    public init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: Keys.self) else {
            wrappedValue = []
            return
        }
        wrappedValue =
            try container.decodeIfPresent([Element].self, forKey: .member)
            ?? container.decodeIfPresent([Element].self, forKey: .item) ?? []
    }
}

extension QueryList: Encodable where Element: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if wrappedValue.isEmpty { try container.encodeNil() } else { try container.encode(wrappedValue) }
    }
}

extension QueryList: Equatable where Element: Equatable {}
extension QueryList: Hashable where Element: Hashable {}

extension KeyedDecodingContainer {
    /// Lets a missing list element decode as an empty list.
    public func decode<Element>(_ type: QueryList<Element>.Type, forKey key: Key) throws -> QueryList<Element> {
        try decodeIfPresent(type, forKey: key) ?? QueryList(wrappedValue: [])
    }
}
