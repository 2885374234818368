import Foundation

/// Runs a hook (the process runner of `ce`, or a test's): it streams the hook's output, kills it on its timeout or
/// when `interruption` asks to stop, and says how it ended.
public protocol HookRunner: Sendable {
    func run(_ hook: Hook, point: HookPoint, context: HookContext, interruption: Interruption) async -> HookResult
}

/// The facts of the deploy a hook runs in, given to it as `CE_*` environment variables.
public struct HookContext: Sendable, Equatable {
    public var environment: String
    public var strategy: String
    public var fromColor: Color
    public var toColor: Color
    public var version: String
    /// The build the old colour runs.
    public var previousVersion: String?
    /// The new colour's target group.
    public var targetGroupArn: String
    /// The new colour's instances, and their private addresses in the same order where known.
    public var instanceIds: [String]
    public var instanceAddresses: [String]
    public var deploymentId: String

    public init(
        environment: String, strategy: String, fromColor: Color, toColor: Color, version: String, previousVersion: String?,
        targetGroupArn: String, instanceIds: [String], instanceAddresses: [String], deploymentId: String
    ) {
        self.environment = environment
        self.strategy = strategy
        self.fromColor = fromColor
        self.toColor = toColor
        self.version = version
        self.previousVersion = previousVersion
        self.targetGroupArn = targetGroupArn
        self.instanceIds = instanceIds
        self.instanceAddresses = instanceAddresses
        self.deploymentId = deploymentId
    }

    /// `CE_ENV`, `CE_STRATEGY`, `CE_FROM_COLOR`, `CE_TO_COLOR`, `CE_VERSION`, `CE_PREVIOUS_VERSION`,
    /// `CE_TARGET_GROUP_ARN`, `CE_INSTANCE_IDS`, `CE_INSTANCE_IPS` (comma-separated), `CE_DEPLOYMENT_ID`, and
    /// `CE_HOOK` (the point). `CE_SANDBOX` is the runner's to add.
    public func variables(point: HookPoint) -> [String: String] {
        [
            "CE_ENV": environment, "CE_STRATEGY": strategy, "CE_FROM_COLOR": fromColor.rawValue, "CE_TO_COLOR": toColor.rawValue,
            "CE_VERSION": version, "CE_PREVIOUS_VERSION": previousVersion ?? "", "CE_TARGET_GROUP_ARN": targetGroupArn,
            "CE_INSTANCE_IDS": instanceIds.joined(separator: ","), "CE_INSTANCE_IPS": instanceAddresses.joined(separator: ","),
            "CE_DEPLOYMENT_ID": deploymentId, "CE_HOOK": point.rawValue,
        ]
    }
}

/// How a hook ended.
public struct HookResult: Sendable, Equatable, CustomStringConvertible {
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        /// Killed by a signal it did not ask for (not by `ce`).
        case signalled(Int32)
        case timedOut(seconds: Int)
        /// `ce` was asked to stop (Ctrl-C) while it ran: it was killed.
        case interrupted
        case couldNotStart(String)
        /// A built-in check (`smoke:`) passed, or did not: what it saw.
        case checkPassed(String)
        case checkFailed(String)
    }

    public var ending: Ending
    public var seconds: Double

    public init(ending: Ending, seconds: Double) {
        self.ending = ending
        self.seconds = seconds
    }

    public var succeeded: Bool {
        switch ending {
        case .exited(let code): return code == 0
        case .checkPassed: return true
        case .signalled, .timedOut, .interrupted, .couldNotStart, .checkFailed: return false
        }
    }

    public var description: String {
        switch ending {
        case .exited(let code): return "exit \(code)"
        case .signalled(let signal): return "killed by signal \(signal)"
        case .timedOut(let seconds): return "timed out after \(seconds) s (killed)"
        case .interrupted: return "killed: ce was asked to stop"
        case .couldNotStart(let reason): return "could not start: \(reason)"
        case .checkPassed(let what): return "passed: \(what)"
        case .checkFailed(let reason): return "failed: \(reason)"
        }
    }
}

/// Hooks cannot run: the runner of a context with no processes (the default of `CloudPorts`).
public struct UnavailableHookRunner: HookRunner {
    public init() {}
    public func run(_ hook: Hook, point: HookPoint, context: HookContext, interruption: Interruption) async -> HookResult {
        HookResult(ending: .couldNotStart("hooks cannot run here"), seconds: 0)
    }
}
