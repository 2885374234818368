/// The ways `ce` deploys, by the name the config and the journal use: the registry every layer consults instead of
/// matching strategy names itself. A new strategy is one case here, naming its `Strategy` conformance (in its
/// folder under `Strategies/`); the exhaustive switches below say everything the rest of the tool needs to know of it.
public enum DeployStrategy: String, Sendable, Equatable, CaseIterable, Codable {
    /// Deploy to the idle colour, gate on health, move every serving route at once, bake.
    case blueGreen = "blue-green"
    /// As blue-green, but traffic moves in weighted steps (default 10%, then all), each watched for a step bake.
    case canary
    /// As canary, with equal steps (default 20% more each).
    case linear
    /// An instance refresh of the live colour: old and new builds serve side by side meanwhile (the fallback).
    case rolling
    /// One target group per environment: register the new colour's instances (batches of 20, concurrently), gate on
    /// their target health, deregister the old colour's and let them drain (the design document's instance switching).
    case instances

    /// The strategy's plan, planned steps, machine, resume check and recovery plan.
    public var implementation: any Strategy.Type {
        switch self {
        case .blueGreen, .canary, .linear: return BlueGreenStrategy.self
        case .rolling: return RollingStrategy.self
        case .instances: return InstanceSwitchStrategy.self
        }
    }

    /// Whether the deploy goes to the idle colour and moves traffic (every strategy but rolling).
    public var usesBothColors: Bool {
        switch self {
        case .blueGreen, .canary, .linear, .instances: return true
        case .rolling: return false
        }
    }

    /// What the operator reads it as: `refresh done.`, `rolling refresh failed at …`.
    public var operation: String {
        switch self {
        case .blueGreen, .canary, .linear: return "refresh"
        case .rolling: return "rolling refresh"
        case .instances: return "instance switch"
        }
    }

    /// Whether traffic is split between the colours for a while (weighted forwards).
    public var splitsTraffic: Bool {
        switch self {
        case .canary, .linear: return true
        case .blueGreen, .rolling, .instances: return false
        }
    }

    /// The steps a deploy of this strategy writes to the journal, in order: the one list for dry runs, the status of
    /// an unfinished deploy, the soak's crash points and the sandbox's `--crash-at`.
    public var journalledSteps: [String] {
        switch self {
        case .blueGreen:
            return [BlueGreenMachine.Phase.protect, .clear, .deploy, .scale, .healthGate, .switchTraffic, .bake, .finalize].map(\.rawValue)
        case .canary, .linear:
            return [BlueGreenMachine.Phase.protect, .clear, .deploy, .scale, .healthGate, .shift, .stepBake, .switchTraffic, .bake, .finalize].map(\.rawValue)
        case .rolling:
            return RollingRefresh.steps
        case .instances:
            return InstanceSwitch.Phase.flow.map(\.rawValue)
        }
    }

    /// The steps a deploy recorded by `journal` has left, from the one it is at, in words: a canary's splits each
    /// as `shift 50%` and `step bake 50%`.
    public func stepsLeft(_ journal: DeploymentJournal) -> [String] {
        var expanded: [(name: String, split: Int?)] = []
        // `--approve`: a pause before traffic first moves (the switch, instance switching's registration) and before
        // each canary split.
        let pauses = journal.approval != nil
        let approval = DeploymentRequest.approvalStep
        for step in journalledSteps {
            if pauses && (step == BlueGreenMachine.Phase.switchTraffic.rawValue || step == InstanceSwitch.Phase.register.rawValue) {
                expanded.append((approval, splitsTraffic ? journal.traffic?.splits.count : nil))
            }
            guard splitsTraffic, let traffic = journal.traffic, step == "shift" || step == "step bake" else {
                expanded.append((step, nil))
                continue
            }
            if step == "shift" {
                for split in traffic.splits.indices { expanded += (pauses ? [(approval, split)] : []) + [("shift", split), ("step bake", split)] }
            }
        }
        let split = journal.trafficStep ?? 0
        guard let here = expanded.firstIndex(where: { $0.name == journal.step && ($0.split == nil || $0.split == split) }) else { return [] }
        return expanded[here...].map { step in
            guard step.name != approval, let split = step.split, let percent = journal.traffic?.percentages[split] else { return step.name }
            return "\(step.name) \(percent)%"
        }
    }

    /// Every step name any strategy journals, each once, in order of first appearance; last the pause for approval,
    /// which a deploy reaches only with `--approve`.
    public static var allJournalledSteps: [String] {
        var seen: [String] = []
        for strategy in allCases { for step in strategy.journalledSteps where !seen.contains(step) { seen.append(step) } }
        return seen + [DeploymentRequest.approvalStep]
    }

    /// The strategy a journal records (`nil` for a name this build does not know).
    public init?(journal: DeploymentJournal) { self.init(rawValue: journal.strategy) }
}
