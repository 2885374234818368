import Foundation

/// An element of an AWS XML answer: its local name (a namespace prefix dropped), its child elements in order, and
/// its text (entities and CDATA decoded, every piece between its children joined). Attributes are not kept: no AWS
/// answer `ce` reads carries data in them.
///
/// `ce` parses AWS's XML itself rather than through FoundationXML, which links libxml2 and its ICU: the shipped
/// binary then depends on the C runtime only and starts on any Linux with glibc, not only on the distribution it was
/// built on.
struct XMLElementTree: Sendable, Equatable {
    var name: String
    var children: [XMLElementTree] = []
    var text = ""

    /// The children named `name`.
    func children(named name: String) -> [XMLElementTree] { children.filter { $0.name == name } }

    /// Whether it holds nothing: no child, no text but whitespace.
    var isEmpty: Bool { children.isEmpty && text.allSatisfy(\.isWhitespace) }
}

/// A malformed XML answer, with where it went wrong.
struct XMLParseError: Error, CustomStringConvertible, Equatable {
    var reason: String
    var offset: Int
    var description: String { "malformed XML at byte \(offset): \(reason)" }
}

extension XMLElementTree {
    /// Parses a whole document: the XML declaration, comments, processing instructions and a DOCTYPE are skipped;
    /// the root element is returned.
    static func parse(_ data: Data) throws -> XMLElementTree {
        var parser = XMLByteParser(bytes: Array(data))
        return try parser.document()
    }
}

/// A one-pass parser over the bytes of a document (UTF-8).
struct XMLByteParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A byte order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    func fail(_ reason: String) -> XMLParseError { XMLParseError(reason: reason, offset: index) }

    func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        return index + pattern.count <= bytes.count && bytes[index..<index + pattern.count].elementsEqual(pattern)
    }

    /// Moves past `terminator`, or fails naming `what`.
    mutating func skip(past terminator: String, _ what: String) throws {
        let pattern = Array(terminator.utf8)
        while index + pattern.count <= bytes.count {
            if bytes[index..<index + pattern.count].elementsEqual(pattern) {
                index += pattern.count
                return
            }
            index += 1
        }
        throw fail("unterminated \(what)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// Skips what may stand between elements: comments, processing instructions, a DOCTYPE.
    mutating func skipMisc() throws {
        while true {
            skipWhitespace()
            if starts(with: "<?") {
                try skip(past: "?>", "processing instruction")
            } else if starts(with: "<!--") {
                try skip(past: "-->", "comment")
            } else if starts(with: "<!DOCTYPE") {
                try skip(past: ">", "DOCTYPE")
            } else {
                return
            }
        }
    }

    mutating func document() throws -> XMLElementTree {
        try skipMisc()
        guard starts(with: "<") else { throw fail(index >= bytes.count ? "no root element" : "text before the root element") }
        let root = try element()
        try skipMisc()
        guard index >= bytes.count else { throw fail("content after the root element") }
        return root
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "<"))
    }

    mutating func name() throws -> String {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > start else { throw fail("an element without a name") }
        let full = String(decoding: bytes[start..<index], as: UTF8.self)
        // `ns:Name` → `Name`: names are matched without their namespace.
        return full.split(separator: ":").last.map(String.init) ?? full
    }

    /// An element from its `<`, its children and text, to its end tag.
    mutating func element() throws -> XMLElementTree {
        index += 1
        var element = XMLElementTree(name: try name())
        // Attributes: read past, not kept.
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated start tag <\(element.name)") }
            if starts(with: "/>") {
                index += 2
                return element
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            _ = try name()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("an attribute without a value in <\(element.name)") }
            index += 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fail("an unquoted attribute value in <\(element.name)")
            }
            let quote = bytes[index]
            index += 1
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw fail("an unterminated attribute value in <\(element.name)") }
            index += 1
        }
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("<\(element.name)> is not closed") }
            if starts(with: "</") {
                index += 2
                let closing = try name()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">"), closing == element.name else {
                    throw fail("</\(closing)> closes <\(element.name)>")
                }
                index += 1
                element.text = try Self.decodeEntities(text, at: index)
                return element
            }
            if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                try skip(past: "]]>", "CDATA section")
                text += bytes[start..<index - 3]
            } else if starts(with: "<!--") {
                try skip(past: "-->", "comment")
            } else if starts(with: "<?") {
                try skip(past: "?>", "processing instruction")
            } else if bytes[index] == UInt8(ascii: "<") {
                element.children.append(try self.element())
            } else {
                // Entities are decoded once the text is complete (a CDATA section's `&` stays as it is).
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                text += Self.markEntities(bytes[start..<index])
            }
        }
    }

    /// Text outside CDATA, its `&` marked (0x00 is not allowed in XML) so that a CDATA `&` is not decoded later.
    static func markEntities(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        slice.map { $0 == UInt8(ascii: "&") ? 0 : $0 }
    }

    /// `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#NN;` and `&#xHH;` (marked by `markEntities`) decoded.
    static func decodeEntities(_ text: [UInt8], at offset: Int) throws -> String {
        guard text.contains(0) else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == 0 else {
                out.append(text[i])
                i += 1
                continue
            }
            guard let end = text[i...].firstIndex(of: UInt8(ascii: ";")) else {
                throw XMLParseError(reason: "an unterminated entity", offset: offset)
            }
            let entity = String(decoding: text[(i + 1)..<end], as: UTF8.self)
            let scalar: Unicode.Scalar?
            switch entity {
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "amp": scalar = "&"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
                } else {
                    scalar = nil
                }
            }
            guard let scalar else { throw XMLParseError(reason: "an unknown entity &\(entity);", offset: offset) }
            out += Array(String(Character(scalar)).utf8)
            i = end + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
