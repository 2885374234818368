import Foundation

/// The old colour a finished deploy keeps warm for `rollback`, and until when (`keepOldFor`).
public struct KeepWarm: Sendable, Equatable {
    public var color: Color
    public var until: Date
    public var seconds: Int

    /// From the journal of the last deploy, when it finished and its new colour is the one the load balancer
    /// serves; `nil` otherwise (no deploy to keep a colour for).
    public init?(snapshot: EnvironmentSnapshot) {
        self.init(journal: snapshot.status.deployment, serving: snapshot.status.albColor, defaultSeconds: snapshot.environment.keepOldForSeconds)
    }

    /// From the last deploy's journal and the colour the load balancer serves; `defaultSeconds` for a journal that
    /// predates `keepOldFor` (`nil`: no colour kept for it).
    public init?(journal: DeploymentJournal?, serving: Color?, defaultSeconds: Int?) {
        guard let journal, journal.status == .done, journal.switchOnly != true, DeployStrategy(journal: journal) != .rolling,
            serving == journal.to, let finished = DeployLock.parse(journal.updatedAt),
            let seconds = journal.keepOldForSeconds ?? defaultSeconds
        else { return nil }
        color = journal.from
        self.seconds = seconds
        until = finished.addingTimeInterval(Double(seconds))
    }

    public func isOver(at now: Date) -> Bool { now >= until }

    /// "blue is kept warm for rollback until 2027-01-15T09:02:40Z (keepOldFor 1h00m)".
    public var description: String {
        "\(color.rawValue) is kept warm for rollback until \(DeploymentJournal.timestamp(until)) (keepOldFor \(DurationText.of(Double(seconds))))"
    }
}
