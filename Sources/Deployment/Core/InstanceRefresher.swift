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
    /// Starts an instance refresh keeping `minHealthyPercentage` of the group in service and letting it grow to
    /// `maxHealthyPercentage` (above 100: new instances are launched before old ones are terminated).
    func startRefresh(group: String, minHealthyPercentage: Int, maxHealthyPercentage: Int, instanceWarmupSeconds: Int) async throws -> String
    func refreshStatus(group: String, id: String) async throws -> InstanceRefreshStatus
    /// The group's refresh that has not ended, if any.
    func activeRefresh(group: String) async throws -> InstanceRefreshStatus?
}
