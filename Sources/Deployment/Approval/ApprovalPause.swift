import Foundation

/// One pause for approval (`ApprovalSettings`): when it began, when it ends, and what one reading of
/// `{prefix}deployment-request` means for it. A value, shared by every strategy's machine that pauses.
public struct ApprovalPause: Sendable, Equatable {
    public var since: Date
    public var deadline: Date
    public var settings: ApprovalSettings
    public var autoPromote: Bool { settings.autoPromote }

    /// What to do after a reading.
    public enum Verdict: Sendable, Equatable {
        /// No answer yet: read again after this long.
        case wait(Duration)
        /// `environment promote` by `by`, or the timeout with `--auto-promote` (`by` nil).
        case approved(by: String?)
        /// `environment abort` by `by`, or the timeout (`by` nil).
        case refused(by: String?)
    }

    /// A pause starting `now`, or the one a journal recorded (a resumed deploy keeps its deadline).
    public init(settings: ApprovalSettings, now: Date, recordedDeadline: String? = nil) {
        since = now
        deadline = recordedDeadline.flatMap(DeployLock.parse) ?? now.addingTimeInterval(Double(settings.timeoutSeconds))
        self.settings = settings
    }

    /// What the pause shows while it waits: `color` has `percent` of the traffic meanwhile, and who may answer.
    public func progress(color: Color, percent: Int, wanted: Int, environment: EnvironmentConfiguration, now: Date) -> DeployProgress {
        var progress = DeployProgress(
            stage: .approval, color: color, inService: 0, healthy: 0, wanted: wanted, elapsedSeconds: now.timeIntervalSince(since),
            limitSeconds: deadline.timeIntervalSince(since), stableSeconds: nil, neededStableSeconds: 0, percent: percent)
        progress.approval = .init(
            promote: environment.answerCommand("environment promote"), abort: environment.answerCommand("environment abort"),
            answers: environment.approvalAnswers(), deadline: DeploymentJournal.timestamp(deadline), atTimeout: settings.atTimeout)
        return progress
    }

    /// How often the request is read while waiting.
    public static let pollSeconds = 2.0

    public func verdict(_ request: DeploymentRequest?, now: Date) -> Verdict {
        switch request?.kind {
        case .promote: return .approved(by: request?.by)
        case .abort: return .refused(by: request?.by)
        case nil: break
        }
        let left = deadline.timeIntervalSince(now)
        if left <= 0.001 { return autoPromote ? .approved(by: nil) : .refused(by: nil) }
        return .wait(.milliseconds(Int64((min(Self.pollSeconds, left) * 1000).rounded(.up))))
    }

    /// The report's line for the pause's end.
    public func summary(_ verdict: Verdict, now: Date) -> String {
        let waited = "after \(Int(now.timeIntervalSince(since))) s"
        switch verdict {
        case .approved(let by?): return "approved by \(by) \(waited)"
        case .approved(nil): return "no answer by \(DeployLock.format(deadline)): promoted (--auto-promote)"
        case .refused(let by?): return "aborted by \(by) \(waited) ('environment abort')"
        case .refused(nil): return "no answer by \(DeployLock.format(deadline)) (--approve-timeout)"
        case .wait: return "waiting \(waited)"
        }
    }
}
