# The parameters ce keeps, created once with the layout's starting state; ce writes them from then on.
locals {
  parameters = {
    "active-color"            = var.live_color
    "active-target-group-arn" = aws_lb_target_group.color[var.live_color].arn
    "version"                 = var.initial_build
    "blue/version"            = var.initial_build
    "green/version"           = var.initial_build
  }
}

resource "aws_ssm_parameter" "ce" {
  for_each = local.parameters

  name  = "${local.prefix}${each.key}"
  type  = "String"
  value = each.value
  tags  = var.tags

  # ce writes them (putParameter): the active colour and its target group at each switch, the builds at each deploy.
  lifecycle {
    ignore_changes = [value]
  }
}
