/// One value for each colour, both always present: what a blue-green environment has two of (target groups, Auto
/// Scaling groups). Subscripting by colour never fails, so nothing is force-unwrapped.
public struct ColorPair<Value: Sendable>: Sendable {
    public var blue: Value
    public var green: Value

    public init(blue: Value, green: Value) {
        self.blue = blue
        self.green = green
    }

    /// Each colour's value made by `value`.
    public init(_ value: (Color) throws -> Value) rethrows {
        self.init(blue: try value(.blue), green: try value(.green))
    }

    public subscript(color: Color) -> Value {
        get { color == .blue ? blue : green }
        set {
            switch color {
            case .blue: blue = newValue
            case .green: green = newValue
            }
        }
    }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> ColorPair<T> {
        ColorPair<T>(blue: try transform(blue), green: try transform(green))
    }

    /// Blue's then green's.
    public var values: [Value] { [blue, green] }
}

extension ColorPair: Equatable where Value: Equatable {}
extension ColorPair: Hashable where Value: Hashable {}
extension ColorPair: Codable where Value: Codable {}
