import Foundation

/// One mutating command's record, kept in AWS (`{prefix}history/…`, see `History`): who ran what, when, with what
/// outcome, and — for a deploy — the strategy, the colours, the build and each step's duration.
public struct HistoryRecord: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public var name: String
        public var seconds: Double

        public init(name: String, seconds: Double) {
            self.name = name
            self.seconds = seconds
        }
    }

    /// When the command started (`2027-01-15T08:00:00Z`).
    public var at: String
    /// `user@host` of the process.
    public var by: String
    /// The caller identity's ARN (AWS), or `sandbox`.
    public var identity: String?
    /// `refresh`, `switch`, `rollback`, `cleanup`, `recover`, `start`, `stop`, …
    public var operation: String
    public var environment: String
    /// `done`, `refused`, `rolled back`, `failed`, `interrupted`.
    public var outcome: String
    public var exitCode: Int32
    public var seconds: Double
    /// The deployment this command wrote, when it did: its id, strategy, colours and build.
    public var deployment: String?
    public var strategy: String?
    public var from: String?
    public var to: String?
    public var build: String?
    /// The colour serving afterwards (SSM's `active-color`).
    public var serving: String?
    public var steps: [Step]
    /// The error's first line, when it failed.
    public var error: String?

    public init(
        at: String, by: String, identity: String?, operation: String, environment: String, outcome: String, exitCode: Int32, seconds: Double,
        deployment: String? = nil, strategy: String? = nil, from: String? = nil, to: String? = nil, build: String? = nil, serving: String? = nil,
        steps: [Step] = [], error: String? = nil
    ) {
        self.at = at
        self.by = by
        self.identity = identity
        self.operation = operation
        self.environment = environment
        self.outcome = outcome
        self.exitCode = exitCode
        self.seconds = seconds
        self.deployment = deployment
        self.strategy = strategy
        self.from = from
        self.to = to
        self.build = build
        self.serving = serving
        self.steps = steps
        self.error = error
    }

    /// Every key always present (`null` when unset), for `--output json`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(by, forKey: .by)
        try c.encode(identity, forKey: .identity)
        try c.encode(operation, forKey: .operation)
        try c.encode(environment, forKey: .environment)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(build, forKey: .build)
        try c.encode(serving, forKey: .serving)
        try c.encode(steps, forKey: .steps)
        try c.encode(error, forKey: .error)
    }
}
