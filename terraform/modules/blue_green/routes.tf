locals {
  serving_conditions = concat(
    length(var.routing.path_patterns) > 0 ? [{ path_pattern = var.routing.path_patterns, host_header = null }] : [],
    length(var.routing.host_headers) > 0 ? [{ path_pattern = null, host_header = var.routing.host_headers }] : [],
  )
  listeners = { for index, arn in var.listener_arns : tostring(index) => arn }
  previews = {
    for pair in setproduct(keys(local.listeners), local.colors) : "${pair[0]}-${pair[1]}" => {
      listener = local.listeners[pair[0]]
      color    = pair[1]
    }
  }
}

# The serving rule, on each listener, when the environment is routed by path or host. (Routed by the listeners'
# default action, the listeners are the caller's, with lifecycle { ignore_changes = [default_action] }.)
resource "aws_lb_listener_rule" "serving" {
  for_each = var.routing.default ? {} : local.listeners

  listener_arn = each.value
  priority     = var.routing.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.color[var.live_color].arn
  }

  dynamic "condition" {
    for_each = local.serving_conditions
    content {
      dynamic "path_pattern" {
        for_each = condition.value.path_pattern == null ? [] : [condition.value.path_pattern]
        content {
          values = path_pattern.value
        }
      }
      dynamic "host_header" {
        for_each = condition.value.host_header == null ? [] : [condition.value.host_header]
        content {
          values = host_header.value
        }
      }
    }
  }

  # ce moves this forward (switch, canary weights, stickiness while split): the next apply must not move it back.
  lifecycle {
    ignore_changes = [action]
  }
}

# Preview rules: the serving conditions plus the preview header naming a colour, forwarding to that colour, evaluated
# before the serving rule. ce's smoke hook and gate reach the new colour through them; ce never changes them.
resource "aws_lb_listener_rule" "preview" {
  for_each = local.previews

  listener_arn = each.value.listener
  priority     = var.preview_priorities[each.value.color]

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.color[each.value.color].arn
  }

  dynamic "condition" {
    for_each = local.serving_conditions
    content {
      dynamic "path_pattern" {
        for_each = condition.value.path_pattern == null ? [] : [condition.value.path_pattern]
        content {
          values = path_pattern.value
        }
      }
      dynamic "host_header" {
        for_each = condition.value.host_header == null ? [] : [condition.value.host_header]
        content {
          values = host_header.value
        }
      }
    }
  }

  condition {
    http_header {
      http_header_name = var.preview_header
      values           = [each.value.color]
    }
  }

  lifecycle {
    precondition {
      condition     = var.routing.default || var.preview_priorities[each.value.color] < coalesce(var.routing.priority, 50000)
      error_message = "preview_priorities must be below the serving rule's priority, or the serving rule answers first."
    }
  }
}
