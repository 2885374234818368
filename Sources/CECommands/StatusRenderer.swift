import Deployment
import Foundation

/// Text and JSON forms of `EnvironmentStatus`.
enum StatusRenderer {
    /// - Parameter verbose: also list every other listener and rule of the load balancer.
    /// - Parameter now: the clock's time, for the time left of a canary's step bake.
    /// - Parameter invocation: how `ce` was run, for the commands status tells the operator to run.
    static func text(_ status: EnvironmentStatus, verbose: Bool = false, now: Date? = nil, invocation: Invocation = .plain) -> String {
        func ce(_ rest: String) -> String { invocation.command(environment: status.environment, rest) }
        var lines: [String] = []
        lines.append("environment  \(status.environment)")
        // One target group (instance switching): the serving colour is the one whose instances are registered.
        let serving = status.strategy == DeployStrategy.instances.rawValue ? "registered" : "load balancer"
        lines.append("active       SSM: \(status.activeColor?.rawValue ?? "-")   \(serving): \(status.albColor?.rawValue ?? "mixed/none")")
        lines.append("strategy     \(status.strategy)")
        let rolledBack = status.rolledBackBuild.flatMap { $0.version == status.nextVersion ? $0 : nil }
        lines.append("next build   \(status.nextVersion ?? "-")\(rolledBack.map { " (ROLLED BACK by \($0.id): a plain refresh refuses it; --version \($0.version) deploys it again)" } ?? "")")
        if let boot = status.bootObject {
            lines.append("boots        \(boot.build ?? "nothing (not set)"), from \(boot.object): one object for both colours, so an instance the warm colour launches boots it too; a rollback is to the instances kept warm, not to a build")
        }
        if let lock = status.lock {
            let text = DeployLock.decode(lock).map { "\($0.holder) running '\($0.command)' (pid \($0.pid)) since \($0.acquiredAt), expires \($0.expiresAt)" }
            lines.append("LOCKED       \(text ?? "by an unreadable value: \(lock.prefix(60))")")
        }
        if let shown = status.unreadableJournal {
            lines.append("UNREADABLE   journal \(shown) is not a deployment record: a deploy may have stopped half-way")
            lines.append("             run '\(ce("environment recover"))' to check the environment and clear it")
        }
        if let journal = status.deployment {
            let what = "\(journal.id): \(journal.version), \(journal.from.rawValue) → \(journal.to.rawValue), by \(journal.by)"
            if journal.isUnfinished {
                lines.append("UNFINISHED   deployment \(what) stopped at step '\(journal.step)' (last written \(journal.updatedAt))\(journal.note.map { ": \($0)" } ?? "")")
                if journal.undoIncomplete == true {
                    lines.append("             it failed and putting everything back did not finish: run '\(ce("environment recover"))' to finish that")
                } else {
                    if let strategy = DeployStrategy(journal: journal), case let left = strategy.stepsLeft(journal), !left.isEmpty {
                        lines.append("             \(strategy.rawValue) steps left: \(left.joined(separator: " → "))")
                    }
                    lines.append("             run '\(ce("environment refresh --resume"))' to finish it, or '\(ce("environment recover"))' to undo it")
                }
            } else {
                lines.append("last deploy  \(what): \(journal.status.rawValue) at \(journal.updatedAt)\(journal.note.map { " (\($0))" } ?? "")")
            }
        }
        if let warm = status.keptWarm {
            let instances = status.color(warm.color)?.desired ?? 0
            if let now, let until = DeployLock.parse(warm.until), now >= until {
                lines.append("kept warm    \(warm.color.rawValue) (\(instances) instance(s)): its keepOldFor ended at \(warm.until); '\(ce("environment cleanup --expired"))' scales it down")
            } else {
                lines.append("kept warm    \(warm.color.rawValue) (\(instances) instance(s)) for rollback until \(warm.until) (keepOldFor \(DurationText.of(Double(warm.keepOldForSeconds)))); from then on '\(ce("environment cleanup --expired"))' scales it down")
            }
        }
        if let approval = status.approval {
            let share = approval.percent > 0 ? " (\(approval.to.rawValue) has \(approval.percent)% meanwhile)" : " (no traffic on \(approval.to.rawValue) yet)"
            if approval.waiting {
                lines.append("APPROVAL     \(approval.deployment) by \(approval.by) waits since \(approval.since)\(share); at \(approval.deadline) it will \(approval.atTimeout)")
                lines.append("             run '\(ce("environment promote"))' to go on, or '\(ce("environment abort"))' to undo it")
            } else {
                lines.append("APPROVAL     \(approval.deployment) stopped while waiting for approval (no command runs it); '\(ce("environment refresh --resume"))' waits again until \(approval.deadline), '\(ce("environment recover"))' undoes it")
            }
        }
        if let canary = status.canary {
            var left = ""
            if canary.step == "step bake", let started = canary.stepStartedAt.flatMap(DeployLock.parse), let now {
                left = ", step bake \(DurationText.of(Double(canary.stepBakeSeconds) - now.timeIntervalSince(started))) left of \(DurationText.of(Double(canary.stepBakeSeconds)))"
            }
            lines.append("\(canary.strategy.uppercased().padding(toLength: 12, withPad: " ", startingAt: 0)) \(canary.to.rawValue) \(canary.percent)%, \(canary.from.rawValue) \(100 - canary.percent)% (split \(canary.split) of \(canary.splits): \(canary.percentages.map { "\($0)%" }.joined(separator: " → ")); at '\(canary.step)'\(status.holderStopped ? "" : left))")
            if status.holderStopped {
                lines.append("             stopped: no command runs it, so nothing would take a promote or abort; '\(ce("environment refresh --resume"))' continues it, '\(ce("environment recover"))' sends all traffic back to \(canary.from.rawValue)")
            } else {
                lines.append("             '\(ce("environment promote"))' skips the remaining step bakes; '\(ce("environment abort"))' sends all traffic back to \(canary.from.rawValue)")
            }
        }
        if !status.alarms.isEmpty {
            lines.append("alarms       " + status.alarms.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if status.drift {
            lines.append("DRIFT        the environment is not consistent:")
            lines += status.driftReasons.map { "  ! \($0)" }
        }
        func split(_ percent: [String: Int]) -> String {
            let text = percent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)%" }.joined(separator: ", ")
            return text.isEmpty ? "(no forward)" : text
        }
        func pad(_ text: String) -> String { text.padding(toLength: max(24, text.count), withPad: " ", startingAt: 0) }
        lines.append("routes")
        if status.routes.isEmpty { lines.append("  (none)") }
        for route in status.routes { lines.append("  \(pad(route.route)) \(split(route.percent))") }
        for route in status.notServing {
            lines.append("  \(pad(route.route)) not \(status.environment)'s: it answers \(route.actions)")
        }
        if !status.previews.isEmpty {
            lines.append("previews (never switched)")
            for preview in status.previews {
                lines.append("  \(pad(preview.route)) \(preview.color.rawValue) preview → \(split(preview.percent))\(preview.note.map { "  ! \($0)" } ?? "")")
            }
        }
        if verbose, !status.other.isEmpty {
            lines.append("other (not \(status.environment)'s: never counted or changed)")
            for route in status.other { lines.append("  \(pad(route.route)) \(route.conditions) → \(route.actions)") }
        } else if !status.other.isEmpty {
            lines.append("other        \(status.other.count) listener(s) and rule(s) of other services or with other conditions (--verbose lists them)")
        }
        var unusedIdle = false
        var unusedServing: [String] = []
        for color in Color.allCases {
            guard let c = status.color(color) else { continue }
            let serving = c.trafficPercent > 0 ? "serving \(c.trafficPercent)%" : "idle"
            lines.append("\(color.rawValue) (\(serving))")
            let sizes = [c.min, c.desired, c.max].map { $0.map(String.init) ?? "?" }
            lines.append("  asg          \(c.asg)  min/desired/max \(sizes.joined(separator: "/"))")
            lines.append("  instances    \(counts(c.instances))")
            lines.append("  targets      \(c.targetGroup): \(counts(c.targetHealth))")
            lines.append("  version      \(c.version ?? "-")")
            if c.targetHealth["unused"] != nil {
                if c.trafficPercent > 0 { unusedServing.append(color.rawValue) } else { unusedIdle = true }
            }
        }
        for color in unusedServing {
            lines.append("note: \(color) serves but its targets still show 'unused': the load balancer has only just started using")
            lines.append("      its target group (a switch moments ago) and health-checks them within a few seconds.")
        }
        if unusedIdle {
            lines.append("note: 'unused' targets are in a target group no listener or rule uses; the load balancer does not")
            lines.append("      health-check them, so 'unused' says nothing about the application.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func counts(_ values: [String: Int]) -> String {
        values.isEmpty ? "none" : values.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    static func json(_ status: EnvironmentStatus) throws -> String { try JSONOutput.string(status) }
}
