extension DeployStrategy {
    /// The hook points a deploy of this strategy reaches when it journals `journal` — a step entered, or its outcome
    /// — in the order they run. `preDeploy` is reached by the first step of a deploy; `preSwitch` before traffic
    /// first moves (blue-green's switch, a canary's first shift, instance switching's registration, rolling's instance
    /// refresh — or the first pause for approval before them); `postSwitch` once all traffic is on the new colour (entering the bake, or finalize without one; for
    /// rolling, when the refresh is done). `switch` and `rollback` of an instance-switching environment run none.
    /// `HookLedger` keeps each point to one run per deployment.
    public func hookPoints(at journal: DeploymentJournal) -> [HookPoint] {
        journal.switchOnly == true ? [] : hookPoints(step: journal.step, status: journal.status)
    }

    /// The hook points of a deploy entering `step` (status in progress) or ending with `status`.
    public func hookPoints(step: String, status: DeploymentJournal.Status) -> [HookPoint] {
        switch status {
        case .done: return self == .rolling ? [.postSwitch, .postDeploy] : [.postDeploy]
        case .rolledBack: return [.postRollback, .onFailure]
        case .failed, .interrupted: return [.onFailure]
        case .recovered: return []
        case .inProgress: break
        }
        let (preSwitch, postSwitch): ([String], [String])
        switch self {
        case .blueGreen, .canary, .linear:
            // (With --approve, before the first pause: the person approving sees what the hook checked.)
            preSwitch = [BlueGreenMachine.Phase.approval, .switchTraffic, .shift].map(\.rawValue)
            postSwitch = [BlueGreenMachine.Phase.bake, .finalize].map(\.rawValue)
        case .instances:
            preSwitch = [InstanceSwitch.Phase.approval, .register].map(\.rawValue)
            postSwitch = [InstanceSwitch.Phase.bake, .finalize].map(\.rawValue)
        case .rolling:
            // (Its refresh starts at the step `start` of `RollingRefresh.steps`; its postSwitch is at the outcome.)
            (preSwitch, postSwitch) = (["start"], [])
        }
        return [.preDeploy] + (preSwitch.contains(step) ? [.preSwitch] : []) + (postSwitch.contains(step) ? [.postSwitch] : [])
    }
}
