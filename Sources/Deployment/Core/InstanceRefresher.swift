/// An Auto Scaling instance refresh, as the rolling strategy uses it.
public struct InstanceRefreshStatus: Sendable, Equatable {
    public var id: String
    public var status: RefreshState
    public var percentComplete: Int?
    public var reason: String?
    public init(id: String, status: RefreshState, percentComplete: Int?, reason: String?) {
        self.id = id
        self.status = status
        self.percentComplete = percentComplete
        self.reason = reason
    }

    public var isFinished: Bool { status.isFinished }
}

/// Starts and follows instance refreshes.
public protocol InstanceRefresher: Sendable {
    func startRefresh(group: String, minHealthyPercentage: Int, instanceWarmupSeconds: Int) async throws -> String
    func refreshStatus(group: String, id: String) async throws -> InstanceRefreshStatus
    /// The group's refresh that has not ended, if any.
    func activeRefresh(group: String) async throws -> InstanceRefreshStatus?
}
