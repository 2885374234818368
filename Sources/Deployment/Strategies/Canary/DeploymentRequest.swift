import Foundation

/// An operator's request to a running deploy, from another terminal: `environment promote` (a pause for approval
/// goes on; a canary's step bake skips the remaining ones) or `environment abort` (a pause for approval is undone; a
/// canary sends all traffic back to the old colour). Kept in `{prefix}deployment-request`
/// and addressed to one deployment by its journal id, so a request left over never acts on a later deploy. The
/// running deploy reads it at each poll of a step bake and removes it once taken.
public struct DeploymentRequest: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case promote, abort
    }

    public var kind: Kind
    /// The journal id of the deploy it is meant for.
    public var deployment: String
    /// `user@host`.
    public var by: String
    public var at: String

    public init(kind: Kind, deployment: String, by: String, at: Date) {
        self.kind = kind
        self.deployment = deployment
        self.by = by
        self.at = DeployLock.format(at)
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ text: String) -> DeploymentRequest? {
        try? JSONDecoder().decode(DeploymentRequest.self, from: Data(text.utf8))
    }

    /// The journal's step while a deploy waits for approval (`--approve`), whatever the strategy.
    public static let approvalStep = "approval"

    /// The request for a running canary or linear deploy of `environment`, or one waiting for approval; refused
    /// (nothing written) when none runs.
    /// - Parameter holderStopped: the command holding the lock provably runs no more (`EnvironmentStatus.holderStopped`).
    public static func make(_ kind: Kind, snapshot: EnvironmentSnapshot, by: String, now: Date, holderStopped: Bool = false) throws -> DeploymentRequest {
        let env = snapshot.environment
        if let journal = snapshot.status.deployment, journal.isUnfinished, journal.traffic == nil, journal.approval != nil, journal.step != approvalStep {
            throw Refusal("The deploy \(journal.id) of \(env.name) pauses for approval only between its health gate and moving traffic; it is at '\(journal.step)' now. Nothing changed; run this again when '\(env.command("environment status"))' says it waits (if it has not passed that point).")
        }
        guard let journal = snapshot.status.deployment, journal.isUnfinished, journal.traffic != nil || journal.step == approvalStep else {
            throw Refusal("No canary or linear deploy of \(env.name) is in progress, and none waits for approval\(snapshot.status.deployment.map { " (the last deploy, \($0.id), is a \($0.strategy) one, \($0.status.rawValue))" } ?? ""). Nothing changed.")
        }
        guard snapshot.status.lock != nil, !holderStopped else {
            let why = snapshot.status.lock == nil ? "no command holds \(env.name)" : "the command that ran it runs no more (its lock is left, no longer kept)"
            throw Refusal("The \(journal.strategy) deploy \(journal.id) stopped at '\(journal.step)': \(why), so nothing would take the \(kind.rawValue). Nothing changed; run '\(env.command("environment refresh --resume"))' to continue it, or '\(env.command("environment recover"))' to send all traffic back to \(journal.from.rawValue).")
        }
        return DeploymentRequest(kind: kind, deployment: journal.id, by: by, at: now)
    }
}
