output "target_group_arns" {
  description = "Each colour's target group ARN: the caller's listener default action forwards to the live one."
  value       = { for c in local.colors : c => aws_lb_target_group.color[c].arn }
}

output "names" {
  description = "What this module named, per colour: target group, Auto Scaling group, alarm (as `ce config show` prints)."
  value       = local.names
}

output "ssm_prefix" {
  value = local.prefix
}

output "ce_build_arguments" {
  description = "The arguments user data passes to bootstrap/ce-build."
  value       = local.ce_build_arguments
}

output "instance_policy_json" {
  description = "A policy for the instances' role: read the builds ce records (bootstrap/ce-build)."
  value       = data.aws_iam_policy_document.instance.json
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "ReadTheColoursBuild"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${data.aws_partition.current.partition}:ssm:*:*:parameter${local.prefix}*/version"]
  }
}
