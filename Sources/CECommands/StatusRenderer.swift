import Deployment
import Foundation

/// Text and JSON forms of `EnvironmentStatus`.
enum StatusRenderer {
    static func text(_ status: EnvironmentStatus) -> String {
        var lines: [String] = []
        lines.append("environment  \(status.environment)")
        lines.append("active       SSM: \(status.activeColor?.rawValue ?? "-")   load balancer: \(status.albColor?.rawValue ?? "mixed/none")")
        lines.append("next build   \(status.nextVersion ?? "-")")
        if let lock = status.lock {
            let text = DeployLock.decode(lock).map { "\($0.holder) running '\($0.command)' (pid \($0.pid)) since \($0.acquiredAt), expires \($0.expiresAt)" }
            lines.append("LOCKED       \(text ?? "by an unreadable value: \(lock.prefix(60))")")
        }
        if let journal = status.deployment {
            let what = "\(journal.id): \(journal.version), \(journal.from.rawValue) → \(journal.to.rawValue), by \(journal.by)"
            if journal.isUnfinished {
                lines.append("UNFINISHED   deployment \(what) stopped at step '\(journal.step)' (last written \(journal.updatedAt))\(journal.note.map { ": \($0)" } ?? "")")
                lines.append("             run 'ce --env \(status.environment) environment refresh --resume' to finish it, or 'environment recover' to undo it")
            } else {
                lines.append("last deploy  \(what): \(journal.status.rawValue) at \(journal.updatedAt)\(journal.note.map { " (\($0))" } ?? "")")
            }
        }
        if !status.alarms.isEmpty {
            lines.append("alarms       " + status.alarms.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if status.drift {
            lines.append("DRIFT        the environment is not consistent:")
            lines += status.driftReasons.map { "  ! \($0)" }
        }
        lines.append("routes")
        for route in status.routes {
            let split = route.percent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)%" }.joined(separator: ", ")
            lines.append("  \(route.route.padding(toLength: 24, withPad: " ", startingAt: 0)) \(split.isEmpty ? "(no forward)" : split)")
        }
        var unusedSeen = false
        for color in Color.allCases {
            guard let c = status.color(color) else { continue }
            let serving = c.trafficPercent > 0 ? "serving \(c.trafficPercent)%" : "idle"
            lines.append("\(color.rawValue) (\(serving))")
            let sizes = [c.min, c.desired, c.max].map { $0.map(String.init) ?? "?" }
            lines.append("  asg          \(c.asg)  min/desired/max \(sizes.joined(separator: "/"))")
            lines.append("  instances    \(counts(c.instances))")
            lines.append("  targets      \(c.targetGroup): \(counts(c.targetHealth))")
            lines.append("  version      \(c.version ?? "-")")
            if c.targetHealth["unused"] != nil { unusedSeen = true }
        }
        if unusedSeen {
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
