locals {
  colors  = ["blue", "green"]
  env_cap = "${upper(substr(var.environment, 0, 1))}${substr(var.environment, 1, -1)}"
  cap     = { blue = "Blue", green = "Green" }
  idle    = var.live_color == "blue" ? "green" : "blue"
  prefix  = replace(var.ssm_prefix, "{env}", var.environment)
  names = {
    for c in local.colors : c => {
      target_group = var.target_group_names != null ? var.target_group_names[c] : replace(replace(replace(replace(var.target_group_pattern, "{env}", var.environment), "{Env}", local.env_cap), "{color}", c), "{Color}", local.cap[c])
      asg          = var.asg_names != null ? var.asg_names[c] : replace(replace(replace(replace(var.asg_pattern, "{env}", var.environment), "{Env}", local.env_cap), "{color}", c), "{Color}", local.cap[c])
      alarm        = var.alarm_pattern == null ? null : replace(replace(replace(replace(var.alarm_pattern, "{env}", var.environment), "{Env}", local.env_cap), "{color}", c), "{Color}", local.cap[c])
    }
  }
  ce_build_arguments = "--prefix '${var.ssm_prefix}'"
}

resource "aws_lb_target_group" "color" {
  for_each = toset(local.colors)

  name                          = local.names[each.key].target_group
  port                          = var.target_port
  protocol                      = "HTTP"
  vpc_id                        = var.vpc_id
  deregistration_delay          = var.deregistration_delay
  load_balancing_algorithm_type = var.load_balancing_algorithm

  health_check {
    path                = var.health_check.path
    port                = var.health_check.port
    interval            = var.health_check.interval
    timeout             = var.health_check.timeout
    healthy_threshold   = var.health_check.healthy_threshold
    unhealthy_threshold = var.health_check.unhealthy_threshold
    matcher             = var.health_check.matcher
  }

  tags = merge(var.tags, { Environment = var.environment, Color = each.key })
}

resource "aws_launch_template" "this" {
  name_prefix            = "${var.environment}-"
  image_id               = var.launch_template.image_id
  instance_type          = var.launch_template.instance_type
  key_name               = var.launch_template.key_name
  ebs_optimized          = var.launch_template.ebs_optimized
  vpc_security_group_ids = var.launch_template.security_group_ids

  iam_instance_profile {
    name = var.launch_template.iam_instance_profile
  }

  # IMDSv2 only, and the instance's tags readable through it: bootstrap/ce-build reads Environment and Color there.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  monitoring {
    enabled = true
  }

  user_data = var.launch_template.bootstrap ? base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    ce_build_gzip_base64 = base64gzip(file("${path.module}/../../../bootstrap/ce-build"))
    ce_build_arguments   = local.ce_build_arguments
    install_command      = var.launch_template.install_command
  })) : var.launch_template.user_data

  tags = var.tags
}

resource "aws_autoscaling_group" "color" {
  for_each = toset(local.colors)

  name                      = local.names[each.key].asg
  vpc_zone_identifier       = var.subnet_ids
  min_size                  = each.key == var.live_color ? var.min_instances : 0
  desired_capacity          = each.key == var.live_color ? coalesce(var.initial_capacity, max(1, var.min_instances)) : 0
  max_size                  = var.max_size
  health_check_type         = "ELB"
  health_check_grace_period = var.health_check_grace_period
  target_group_arns         = [aws_lb_target_group.color[each.key].arn]

  launch_template {
    id      = aws_launch_template.this.id
    version = "$Latest"
  }

  tag {
    key                 = "Environment"
    value               = var.environment
    propagate_at_launch = true
  }
  tag {
    key                 = "Color"
    value               = each.key
    propagate_at_launch = true
  }
  tag {
    key                 = "Name"
    value               = local.names[each.key].asg
    propagate_at_launch = true
  }
  dynamic "tag" {
    for_each = { for key, value in var.tags : key => value if !contains(["Environment", "Color", "Name"], key) }
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  # The first instances read their colour's build at boot: it must exist before they launch.
  depends_on = [aws_ssm_parameter.ce]

  # ce sizes the groups (resizeGroup: min, desired, max) and, for instance switching, attaches and detaches their
  # target groups: the next apply must not undo a deploy.
  lifecycle {
    ignore_changes = [desired_capacity, min_size, max_size, target_group_arns]
  }
}
