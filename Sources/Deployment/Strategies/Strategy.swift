import Foundation

/// What a deploy strategy gives the engine: its refusals and plan from a snapshot, its planned steps as data, its
/// state machine, its resume check and its recovery plan. One conformance per folder under `Strategies/`;
/// `DeployStrategy.implementation` is the registry, keyed by the name the config and the journal use.
public protocol Strategy {
    associatedtype Machine: DeployMachine

    /// Refuses a fresh deploy (nothing changed), from a read before the lock and again under it.
    static func preflight(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws

    /// The steps of a fresh deploy, each with its calls: the dry run.
    static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws -> [PlannedStep]

    /// The steps left of an unfinished deploy.
    static func plannedSteps(resuming journal: DeploymentJournal, snapshot: EnvironmentSnapshot) throws -> [PlannedStep]

    /// The machine of a fresh deploy (`options`), or of the continuation of the journal's unfinished one (`nil`).
    static func machine(environment: EnvironmentConfiguration, options: DeployOptions?, identity: LockIdentity) -> Machine

    /// Why `snapshot` no longer fits the unfinished `journal` (someone changed the world meanwhile), or `nil`:
    /// `--resume` refuses then.
    static func resumeProblem(_ journal: DeploymentJournal, snapshot: EnvironmentSnapshot) -> String?

    /// The longest a deploy with `options` can wait before it ends — done, undone, rolled back or failed — in seconds:
    /// the sum of its steps' limits (health timeouts, bakes as watched, step bakes, pauses for approval, drains of
    /// `drainSeconds`), without the retries of its calls (`Deploy.longestRun` adds those).
    static func longestWait(_ environment: EnvironmentConfiguration, options: DeployOptions, drainSeconds: Double) -> Double

    /// Whether the deploy `journal` records may have moved a serving route: a process continuing it (`--resume`,
    /// `recover`) then keeps capacity behind every colour for the propagation time (`PropagationGuard`).
    static func mayHaveMovedRoutes(_ journal: DeploymentJournal) -> Bool

    /// How `environment recover` closes the unfinished `journal` from `snapshot`.
    /// - Parameter refresh: an instance refresh of the journal's group, where the strategy uses one.
    static func recoveryPlan(
        _ journal: DeploymentJournal, snapshot: EnvironmentSnapshot, now: Date, by: String, refresh: InstanceRefreshStatus?
    ) throws -> Recovery.Plan
}

extension Strategy {
    /// The unfinished deploy of `strategy` recorded in `snapshot` that `--resume` continues — or why not (none, or the
    /// world no longer fits it: `resumeProblem`).
    static func journalToResume(
        _ snapshot: EnvironmentSnapshot, strategy: DeployStrategy, in environment: EnvironmentConfiguration
    ) -> Result<DeploymentJournal, Refusal> {
        guard let journal = snapshot.status.deployment, journal.isUnfinished, DeployStrategy(journal: journal) == strategy else {
            return .failure(Refusal("No unfinished deployment with strategy \(strategy.rawValue) to resume in \(environment.parameters.deployment). Nothing changed."))
        }
        if let problem = resumeProblem(journal, snapshot: snapshot) {
            return .failure(Refusal("Cannot resume \(journal.id) at \(journal.step): \(problem). Nothing changed; run '\(environment.command("environment recover"))'."))
        }
        return .success(journal)
    }
}

/// Blue-green, canary and linear: deploy to the idle colour, gate on health, move the serving routes (at once, or
/// in weighted steps), bake, finalize.
public enum BlueGreenStrategy: Strategy {
    public static func preflight(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws {
        _ = try BlueGreenRefresh.plan(snapshot, options: options)
    }

    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws -> [PlannedStep] {
        try BlueGreenRefresh.plannedSteps(snapshot, plan: try BlueGreenRefresh.plan(snapshot, options: options), options: options)
    }

    public static func plannedSteps(resuming journal: DeploymentJournal, snapshot: EnvironmentSnapshot) throws -> [PlannedStep] {
        guard let step = BlueGreenMachine.Phase(rawValue: journal.step), let plan = BlueGreenRefresh.Plan(journal: journal, snapshot: snapshot) else {
            throw Refusal("The journal's step '\(journal.step)' cannot be resumed. Nothing changed; run '\(snapshot.environment.command("environment recover"))'.")
        }
        return try BlueGreenRefresh.plannedSteps(
            snapshot, plan: plan, options: .init(journal: journal), resumeAt: step, resumeStep: journal.trafficStep ?? 0)
    }

    public static func machine(environment: EnvironmentConfiguration, options: DeployOptions?, identity: LockIdentity) -> BlueGreenMachine {
        BlueGreenMachine(environment: environment, mode: options.map { .fresh($0) } ?? .resume, identity: identity)
    }

    public static func resumeProblem(_ journal: DeploymentJournal, snapshot: EnvironmentSnapshot) -> String? {
        guard let step = BlueGreenMachine.Phase(rawValue: journal.step) else { return "the step '\(journal.step)' is not one of this strategy's" }
        return BlueGreenMachine.Run.resumeProblem(journal, step: step, snapshot: snapshot)
    }

    /// Clearing the colour and the gate (one timeout each), each split's step bake and the bake as watched (each may
    /// go on without a reading for up to a timeout), a pause before each traffic step with `--approve`, and the
    /// propagation waits of the switch and the way back.
    public static func longestWait(_ environment: EnvironmentConfiguration, options: DeployOptions, drainSeconds: Double) -> Double {
        let timeout = Double(environment.health.timeoutSeconds)
        let splits = Double((options.traffic?.percentages.count ?? 1) - 1)
        let stepBake = Double(environment.watchSeconds(options.traffic?.stepBakeSeconds ?? 0))
        let bake = Double(environment.watchSeconds(options.bakeSeconds ?? environment.bakeSeconds))
        let approvals = options.approval.map { Double($0.timeoutSeconds) * (splits + 1) } ?? 0
        return 2 * timeout + splits * (stepBake + timeout) + (bake + timeout) + approvals + 3 * Double(environment.propagationSeconds)
    }

    /// From the first traffic step on (the switch, a canary's shift), and for a step this build does not know.
    public static func mayHaveMovedRoutes(_ journal: DeploymentJournal) -> Bool {
        guard let step = BlueGreenMachine.Phase(rawValue: journal.step) else { return true }
        switch step {
        case .preflight, .protect, .clear, .deploy, .scale, .healthGate: return false
        case .approval: return journal.percentBeforeStep > 0
        case .switchTraffic, .bake, .finalize, .rollback, .done, .shift, .stepBake, .abort: return true
        }
    }

    public static func recoveryPlan(
        _ journal: DeploymentJournal, snapshot: EnvironmentSnapshot, now: Date, by: String, refresh: InstanceRefreshStatus?
    ) throws -> Recovery.Plan {
        try Recovery.planBothColors(journal, snapshot: snapshot, now: now, by: by)
    }
}

/// The rolling fallback: an instance refresh of the live colour.
public enum RollingStrategy: Strategy {
    public static func preflight(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws {
        _ = try RollingRefresh.preflight(snapshot, options: .init(deploy: options))
    }

    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws -> [PlannedStep] {
        try RollingRefresh.plannedSteps(snapshot, options: .init(deploy: options))
    }

    public static func plannedSteps(resuming journal: DeploymentJournal, snapshot: EnvironmentSnapshot) throws -> [PlannedStep] {
        RollingRefresh.plannedSteps(resuming: journal, environment: snapshot.environment)
    }

    public static func machine(environment: EnvironmentConfiguration, options: DeployOptions?, identity: LockIdentity) -> RollingMachine {
        RollingMachine(environment: environment, mode: options.map { .fresh(.init(deploy: $0)) } ?? .resume, identity: identity)
    }

    public static func resumeProblem(_ journal: DeploymentJournal, snapshot: EnvironmentSnapshot) -> String? {
        if journal.originalGroup(journal.from) == nil { return "the journal does not name the group" }
        if journal.step == "wait" && journal.refreshId == nil { return "the journal is at 'wait' without an instance refresh id" }
        if !RollingRefresh.steps.contains(journal.step) { return "the step '\(journal.step)' is not one of this strategy's" }
        return nil
    }

    /// The instance refresh is followed until it ends or its limit (an hour) passes.
    public static func longestWait(_ environment: EnvironmentConfiguration, options: DeployOptions, drainSeconds: Double) -> Double {
        RollingMachine.defaultLimitSeconds + Double(environment.health.timeoutSeconds)
    }

    /// A rolling deploy replaces instances in place: no route moves.
    public static func mayHaveMovedRoutes(_ journal: DeploymentJournal) -> Bool { false }

    public static func recoveryPlan(
        _ journal: DeploymentJournal, snapshot: EnvironmentSnapshot, now: Date, by: String, refresh: InstanceRefreshStatus?
    ) throws -> Recovery.Plan {
        try Recovery.planRolling(journal, snapshot: snapshot, now: now, by: by, refresh: refresh)
    }
}
