import Deployment
import Foundation

/// `ce config show --terraform`: the inputs of `terraform/modules/blue_green` for each configured environment, with
/// the names `ce` uses, as an HCL `locals` block a Terraform layout can `for_each` over — so that the names Terraform
/// creates and the names `ce` looks for come from one place.
enum TerraformRenderer {
    static func hcl(_ configuration: DeploymentConfiguration, names: [String]) -> String {
        var lines = [
            "# Written by 'ce config show --terraform' from \(configuration.source): the inputs of terraform/modules/blue_green",
            "# for each environment, with the names ce uses (docs/terraform.md). Rule priorities are the layout's, not ce's",
            "# (ce finds rules by their conditions): set each path or host environment's, and its preview priorities.",
            "locals {",
            "  ce_environments = {",
        ]
        var skipped: [String] = []
        for name in names {
            guard let environment = configuration.environments[name] else { continue }
            if environment.sharesOneTargetGroup {
                skipped.append("\(name): one target group for both colours (instance switching); the module lays out a pair")
                continue
            }
            let routing: String
            switch environment.routing.match {
            case .listenerDefault:
                routing = "{ default = true }"
            case .rule(let path, let host):
                if !environment.routing.pinnedRules.isEmpty {
                    skipped.append("\(name): pinned rules (\(environment.routing.pinnedRules.map(\.description).joined(separator: ", "))): its conditions are the layout's")
                    continue
                }
                var parts: [String] = []
                if let path { parts.append("path_patterns = [\(quoted(path))]") }
                if let host { parts.append("host_headers = [\(quoted(host))]") }
                parts.append("priority = null")
                routing = "{ " + parts.joined(separator: ", ") + " }"
            }
            let pairs = [
                ("environment", quoted(name)),
                ("routing", routing),
                ("min_instances", String(environment.minInstances)),
                ("target_group_names", "{ blue = \(quoted(environment.targetGroupNames.blue)), green = \(quoted(environment.targetGroupNames.green)) }"),
                ("asg_names", "{ blue = \(quoted(environment.autoScalingGroupNames.blue)), green = \(quoted(environment.autoScalingGroupNames.green)) }"),
                ("ssm_prefix", quoted(environment.ssmPrefix)),
                ("preview_header", quoted(environment.routing.previewHeader)),
                ("alarm_pattern", environment.alarms.first.map(quoted) ?? "null"),
            ]
            let width = pairs.map(\.0.count).max() ?? 0
            lines.append("    \(name) = {")
            lines += pairs.map { "      \($0.0.padding(toLength: width, withPad: " ", startingAt: 0)) = \($0.1)" }
            lines.append("    }")
        }
        lines += ["  }", "}"]
        lines += skipped.map { "# not laid out by the module: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An HCL string literal: quotes and backslashes escaped, and `${`/`%{` kept literal.
    static func quoted(_ text: String) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        escaped = escaped.replacingOccurrences(of: "${", with: "$${").replacingOccurrences(of: "%{", with: "%%{")
        return "\"\(escaped)\""
    }
}
