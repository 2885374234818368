# One 5xx alarm per colour, named as ce's alarms: entry expects: a deploy's bake watches the new colour's.
resource "aws_cloudwatch_metric_alarm" "five_xx" {
  for_each = var.alarm_pattern == null ? toset([]) : toset(local.colors)

  alarm_name          = local.names[each.key].alarm
  alarm_description   = "5xx responses from ${var.environment}'s ${each.key} targets (ce rolls a deploy back on ALARM)."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    LoadBalancer = var.load_balancer_arn_suffix
    TargetGroup  = aws_lb_target_group.color[each.key].arn_suffix
  }
  tags = var.tags
}

# Both colours side by side: requests, 5xx, response time and healthy hosts per target group (the design document's
# monitoring setup).
resource "aws_cloudwatch_dashboard" "colors" {
  count          = var.dashboard ? 1 : 0
  dashboard_name = "${var.environment}-blue-green"
  dashboard_body = jsonencode({
    widgets = [
      for index, metric in [
        { name = "RequestCount", stat = "Sum", title = "Requests" },
        { name = "HTTPCode_Target_5XX_Count", stat = "Sum", title = "Target 5xx" },
        { name = "TargetResponseTime", stat = "p90", title = "Response time (p90)" },
        { name = "HealthyHostCount", stat = "Minimum", title = "Healthy hosts" },
        ] : {
        type   = "metric"
        x      = (index % 2) * 12
        y      = floor(index / 2) * 6
        width  = 12
        height = 6
        properties = {
          title  = "${var.environment}: ${metric.title}"
          region = data.aws_region.current.name
          stat   = metric.stat
          period = 60
          metrics = [
            for c in local.colors : [
              "AWS/ApplicationELB", metric.name, "TargetGroup", aws_lb_target_group.color[c].arn_suffix,
              "LoadBalancer", var.load_balancer_arn_suffix, { label = c }
            ]
          ]
        }
      }
    ]
  })
}

data "aws_region" "current" {}
data "aws_partition" "current" {}
