import Foundation

/// Which hook points already ran for a deployment, kept in SSM beside the journal (`{prefix}deployment-hooks`) so
/// that `--resume` never runs a hook twice. It names its deployment: a ledger of an earlier deploy counts for
/// nothing.
public struct HookLedger: Codable, Sendable, Equatable {
    public var deployment: String
    public var ran: [HookPoint]

    public init(deployment: String, ran: [HookPoint] = []) {
        self.deployment = deployment
        self.ran = ran
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The ledger of `deployment` from the parameter's value; an empty one when it is another's, absent or unreadable.
    public static func decode(_ text: String?, deployment: String) -> HookLedger {
        guard let text, let ledger = try? JSONDecoder().decode(HookLedger.self, from: Data(text.utf8)), ledger.deployment == deployment else {
            return HookLedger(deployment: deployment)
        }
        return ledger
    }
}
