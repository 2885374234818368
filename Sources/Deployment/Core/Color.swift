/// One of the two sides of a blue-green pair.
public enum Color: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case blue, green

    /// The other side.
    public var other: Color { self == .blue ? .green : .blue }

    /// `Blue` / `Green`, as in target group names.
    public var capitalized: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    public static func < (lhs: Color, rhs: Color) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `blue` / `green` in any case; a clear error otherwise.
    public static func parse(_ text: String) throws -> Color {
        guard let color = Color(rawValue: text.lowercased()) else {
            throw DeploymentError.invalidColor(text)
        }
        return color
    }
}
