/// What a mutating command did, step by step, for the closing summary.
public struct StepReport: Sendable, Equatable, Codable {
    public struct Step: Sendable, Equatable, Codable {
        public var name: String
        public var seconds: Double
        public var detail: String

        public init(name: String, seconds: Double, detail: String) {
            self.name = name
            self.seconds = seconds
            self.detail = detail
        }
    }
    public var steps: [Step] = []
    public init() {}
    public mutating func add(_ name: String, seconds: Double, _ detail: String) {
        steps.append(Step(name: name, seconds: seconds, detail: detail))
    }
}
