/// What a strategy's machine asks the runner (`DeployRunner`) to do next. Data only, `Equatable`, so that transition
/// tests compare values; the runner is the one place that performs them.
public enum DeployAction: Sendable, Equatable {
    /// Read the environment (`EnvironmentStatusReader.snapshot`).
    case readSnapshot
    /// Write the journal to `{prefix}deployment`.
    case record(DeploymentJournal)
    /// Apply these mutations in order; the first failure stops.
    case apply([Mutation])
    /// Apply these mutations concurrently (target batches, a hand-over); every one is tried, any failure fails it.
    case applyConcurrently([Mutation])
    /// Read an Auto Scaling group's instances and a target group's targets once (instance switching).
    case readTargets(group: String, targetGroupArn: String)
    /// Read a target group's deregistration delay.
    case readDeregistrationDelay(targetGroupArn: String)
    /// Read a colour's instances and health once.
    case checkHealth(HealthCheck)
    /// Count the instances (any lifecycle state) of this Auto Scaling group.
    case countInstances(group: String)
    /// Read the target health of the new colour's target group and these alarms once.
    case checkBake(targetGroupArn: String, alarms: [String])
    /// As `checkBake`, and take any request (`environment promote` / `abort`) addressed to `deployment`.
    case checkStep(targetGroupArn: String, alarms: [String], deployment: String)
    /// Take the request (`environment promote` / `abort`) addressed to `deployment`, if one came (`--approve`).
    case awaitApproval(deployment: String)
    /// Sleep on the injected clock; an interruption ends it early.
    case wait(Duration)
    /// Switch every serving route to `to`, verify, write SSM (`SwitchRunner`). `checked`: refuse if `to` lacks healthy
    /// capacity (the way back after a failed bake); `unsticky`: switch off the stickiness a canary set.
    case switchTraffic(to: Color, checked: Bool, unsticky: Bool)
    /// Give `target` `percent` of every serving route (weighted forwards), read back and verify.
    case shiftTraffic(live: Color, target: Color, percent: Int, stickinessSeconds: Int?)
    /// Best-effort: apply each, collecting failures.
    case undo([Mutation])
    /// Start an instance refresh of `group` (its preferences: `RollingRefresh.Preferences`) — or, when `adoptRunning`,
    /// follow the one already running (started by a process that died before journalling its id).
    case startInstanceRefresh(group: String, preferences: RollingRefresh.Preferences, adoptRunning: Bool)
    /// Read the instance refresh `id` of `group` once.
    case readInstanceRefresh(group: String, id: String)
    case finished(StepReport)
    case refused(Refusal)
    case failed(DeployFailure)
}

/// How the health gate reads a colour: its Auto Scaling group's instances, and their health by the load balancer
/// (when a listener or rule uses the target group, so it health-checks the targets) or else by HTTP.
public struct HealthCheck: Sendable, Equatable {
    public var group: String
    public var targetGroupArn: String
    public var byTargetHealth: Bool
    public init(group: String, targetGroupArn: String, byTargetHealth: Bool) {
        self.group = group
        self.targetGroupArn = targetGroupArn
        self.byTargetHealth = byTargetHealth
    }
}
