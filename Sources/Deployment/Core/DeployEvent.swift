/// What the runner's last action produced, handed to the machine's `next`. `Equatable`, as `DeployAction`.
public enum DeployEvent: Sendable, Equatable {
    case start
    case snapshot(EnvironmentSnapshot)
    case recorded
    case recordFailed(String)
    /// In place of `recorded`: the journal was written, but a hook the step reached failed (`HookPoint.decides`);
    /// `interrupted`: it was killed because `ce` was asked to stop (the deploy then ends as interrupted).
    case hookFailed(HookPoint, String, interrupted: Bool)
    case applied
    case applyFailed(String)
    case health(inService: Int, healthy: Int)
    case healthReadFailed
    case instances(Int)
    case instancesReadFailed
    case bake(BakeReading)
    case bakeReadFailed
    /// A reading of a canary's step bake, and the request addressed to the deploy, if one came.
    case step(BakeReading, request: DeploymentRequest.Kind?)
    /// The answer to a pause for approval, if one came (`awaitApproval`).
    case approval(DeploymentRequest?)
    /// An Auto Scaling group's instances and a target group's targets (`readTargets`).
    case targets(instances: [ScalingGroupSnapshot.Instance], targets: [TargetSnapshot])
    case targetsReadFailed
    case deregistrationDelay(seconds: Int)
    case deregistrationDelayReadFailed
    case waited
    /// A stop was requested (SIGINT, …) instead of the last action being performed.
    case interrupted(String)
    case switched(StepReport)
    /// `trafficMoved`: some route was left forwarding to the colour being switched to. `returned`: routes had
    /// moved and were sent back. `recordsLeft`: SSM had been written and could not be put back.
    case switchFailed(String, trafficMoved: Bool, returned: Bool = false, recordsLeft: Bool = false)
    case shifted(StepReport)
    case shiftFailed(String)
    case undone(done: [String], failed: [String])
    case refreshStarted(id: String)
    case refreshStartFailed(String)
    case refresh(InstanceRefreshStatus)
    case refreshReadFailed
}
