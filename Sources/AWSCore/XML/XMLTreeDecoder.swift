import Foundation

/// Decodes AWS's XML answers (query, EC2 and REST-XML protocols) into `Decodable` types, as the services' models
/// expect them:
/// - a property matches the child element of its name with the first letter upper- or lower-case
///   (`targetGroupArn` ↔ `TargetGroupArn`, EC2's `instanceId`);
/// - decoding an array for a key takes every child of that name (`@QueryList` decodes `member` / `item`);
/// - a scalar is its element's text without surrounding whitespace; a missing or empty element is `nil`;
/// - a `Date` is ISO 8601, with or without fractional seconds.
struct XMLTreeDecoder {
    func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let root = try XMLElementTree.parse(data)
        return try T(from: XMLNodeDecoder(elements: [root], codingPath: []))
    }

    /// `type` from an element already parsed.
    func decode<T: Decodable>(_ type: T.Type, from element: XMLElementTree) throws -> T {
        try T(from: XMLNodeDecoder(elements: [element], codingPath: []))
    }
}

/// A decoder over the elements one key names: one for a scalar or a structure, all of them for an array.
struct XMLNodeDecoder: Decoder {
    let elements: [XMLElementTree]
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var element: XMLElementTree? { elements.first }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let element else {
            throw DecodingError.valueNotFound(
                [String: Any].self, .init(codingPath: codingPath, debugDescription: "no element to decode a structure from"))
        }
        return KeyedDecodingContainer(XMLKeyedContainer<Key>(element: element, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        XMLUnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        XMLSingleValueContainer(element: element, codingPath: codingPath)
    }

    /// Whether an element's name is the one `key` names (first letter in either case).
    static func matches(_ name: String, _ key: String) -> Bool {
        guard let first = name.first, let keyFirst = key.first, name.count == key.count else { return false }
        return first.lowercased() == keyFirst.lowercased() && name.dropFirst() == key.dropFirst()
    }

    /// A name as a property's key: its first letter lower-cased.
    static func key(of name: String) -> String { name.prefix(1).lowercased() + name.dropFirst() }

    /// Decodes `type` from `elements`, the scalars and `Date` the XML way, anything else by its own `init(from:)`.
    static func decode<T: Decodable>(_ type: T.Type, from elements: [XMLElementTree], codingPath: [any CodingKey]) throws -> T {
        if type == Date.self {
            let text = try XMLSingleValueContainer(element: elements.first, codingPath: codingPath).decode(String.self)
            guard let date = ISO8601DateFormatter.parseAWSDate(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "bad date \(text)"))
            }
            return date as! T
        }
        return try T(from: XMLNodeDecoder(elements: elements, codingPath: codingPath))
    }
}

struct XMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let element: XMLElementTree
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        var seen: Set<String> = []
        return element.children.compactMap { child in
            let key = XMLNodeDecoder.key(of: child.name)
            guard seen.insert(key).inserted else { return nil }
            return Key(stringValue: key)
        }
    }

    func children(_ key: Key) -> [XMLElementTree] {
        element.children.filter { XMLNodeDecoder.matches($0.name, key.stringValue) }
    }

    func contains(_ key: Key) -> Bool { !children(key).isEmpty }

    /// A missing element, or an empty one, is `nil`.
    func decodeNil(forKey key: Key) throws -> Bool { children(key).allSatisfy(\.isEmpty) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let found = children(key)
        // An array may be empty; anything else must be there.
        guard !found.isEmpty || type is any XMLArrayMarker.Type else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no <\(key.stringValue)> in <\(element.name)>"))
        }
        return try XMLNodeDecoder.decode(type, from: found, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try XMLNodeDecoder(elements: children(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        XMLUnkeyedContainer(elements: children(key), codingPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder { XMLNodeDecoder(elements: [element], codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder { XMLNodeDecoder(elements: children(key), codingPath: codingPath + [key]) }
}

/// Arrays decode from every element of their key, none included.
protocol XMLArrayMarker {}
extension Array: XMLArrayMarker {}

/// The elements of an array, one value each.
struct XMLUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [XMLElementTree]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    struct Index: CodingKey {
        var stringValue: String { String(intValue ?? 0) }
        var intValue: Int?
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    mutating func next() throws -> XMLElementTree {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "no more elements"))
        }
        defer { currentIndex += 1 }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isEmpty else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath + [Index(currentIndex)]
        return try XMLNodeDecoder.decode(type, from: [try next()], codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [Index(currentIndex)]
        return try XMLNodeDecoder(elements: [try next()], codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = codingPath + [Index(currentIndex)]
        return XMLUnkeyedContainer(elements: [try next()], codingPath: path)
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = codingPath + [Index(currentIndex)]
        return XMLNodeDecoder(elements: [try next()], codingPath: path)
    }
}

/// An element's text as a scalar.
struct XMLSingleValueContainer: SingleValueDecodingContainer {
    let element: XMLElementTree?
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { element?.isEmpty ?? true }

    func text() throws -> String {
        guard let element else {
            throw DecodingError.valueNotFound(String.self, .init(codingPath: codingPath, debugDescription: "no element"))
        }
        return element.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func number<T: LosslessStringConvertible>(_ type: T.Type) throws -> T {
        let value = try text()
        guard let number = T(value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "'\(value)' is not a \(T.self)"))
        }
        return number
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch try text().lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        case let other: throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "'\(other)' is not a Bool"))
        }
    }

    func decode(_ type: String.Type) throws -> String { try text() }
    func decode(_ type: Double.Type) throws -> Double { try number(Double.self) }
    func decode(_ type: Float.Type) throws -> Float { try number(Float.self) }
    func decode(_ type: Int.Type) throws -> Int { try number(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try number(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try number(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try number(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try number(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try number(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try number(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try number(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try number(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try number(UInt64.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try XMLNodeDecoder.decode(type, from: element.map { [$0] } ?? [], codingPath: codingPath)
    }
}
