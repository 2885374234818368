/// SplitMix64: a small, fast generator whose whole state is one number, so a world can be saved and resumed and the
/// same seed always gives the same run.
public struct SeededRandom: RandomNumberGenerator, Codable, Sendable, Equatable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<1`.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// `true` with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Uniform index in `0..<count` (count > 0).
    public mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }
}
