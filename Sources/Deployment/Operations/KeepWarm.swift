import Foundation

/// The old colour a finished deploy keeps warm for `rollback`, and until when (`keepOldFor`).
public struct KeepWarm: Sendable, Equatable {
    public var color: Color
    public var until: Date
    public var seconds: Int

    /// From the journal of the last deploy, when it finished and its new colour is the one the load balancer
    /// serves; `nil` otherwise (no deploy to keep a colour for).
    public init?(snapshot: EnvironmentSnapshot) {
        guard let journal = snapshot.status.deployment, journal.status == .done, journal.switchOnly != true,
            DeployStrategy(journal: journal) != .rolling, snapshot.status.albColor == journal.to,
            let finished = DeployLock.parse(journal.updatedAt)
        else { return nil }
        color = journal.from
        seconds = journal.keepOldForSeconds ?? snapshot.environment.keepOldForSeconds
        until = finished.addingTimeInterval(Double(seconds))
    }

    public func isOver(at now: Date) -> Bool { now >= until }

    /// "blue is kept warm for rollback until 2027-01-15T09:02:40Z (keepOldFor 1h00m)".
    public var description: String {
        "\(color.rawValue) is kept warm for rollback until \(DeploymentJournal.timestamp(until)) (keepOldFor \(DurationText.of(Double(seconds))))"
    }
}
