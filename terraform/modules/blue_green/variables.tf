# One environment of ce's blue-green layout: the names follow the same patterns as ce's config (defaults are
# Compiler Explorer's), so `ce config show` prints what this module creates.

variable "environment" {
  description = "The environment's name as ce knows it ({env}), e.g. prod or beta."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.environment)) && length(var.environment) <= 26
    error_message = "environment: at most 26 lower-case letters, digits and dashes (its target groups' names are at most 32), starting with a letter or digit."
  }
}

variable "target_group_pattern" {
  description = "ce's targetGroupPattern: {env}, {Env}, {color}, {Color}. A target group's name is at most 32 characters."
  type        = string
  default     = "{Env}-{Color}"
}

variable "asg_pattern" {
  description = "ce's asgPattern."
  type        = string
  default     = "{env}-{color}"
}

variable "target_group_names" {
  description = "Each colour's target group name, when ce's config names them one by one (ce config show --terraform); else target_group_pattern."
  type        = object({ blue = string, green = string })
  default     = null
}

variable "asg_names" {
  description = "Each colour's Auto Scaling group name, when ce's config names them one by one; else asg_pattern."
  type        = object({ blue = string, green = string })
  default     = null
}

variable "ssm_prefix" {
  description = "ce's ssmPrefix ({env} replaced): the parameters ce keeps live under it."
  type        = string
  default     = "/compiler-explorer/{env}/"
}

variable "alarm_pattern" {
  description = "ce's alarms: entry for the per-colour 5xx alarm ({env} {Env} {color} {Color}); null creates none."
  type        = string
  default     = "{env}-{color}-5xx"
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Where the Auto Scaling groups launch instances."
  type        = list(string)
}

variable "load_balancer_arn_suffix" {
  description = "The load balancer's arn_suffix (for the alarms' and the dashboard's metrics)."
  type        = string
}

variable "listener_arns" {
  description = "The listeners that serve the environment (each gets its rules, or forwards by default)."
  type        = list(string)
}

variable "routing" {
  description = <<-EOT
    How requests reach the environment (ce's routing:/host:): {default = true} for the listeners' default action
    (the listeners are the caller's, with lifecycle { ignore_changes = [default_action] }), or path_patterns and/or
    host_headers for a rule at `priority` on each listener.
  EOT
  type = object({
    default       = optional(bool, false)
    path_patterns = optional(list(string), [])
    host_headers  = optional(list(string), [])
    priority      = optional(number)
  })
  validation {
    condition = (var.routing.default && length(var.routing.path_patterns) == 0 && length(var.routing.host_headers) == 0) || (
      !var.routing.default && length(concat(var.routing.path_patterns, var.routing.host_headers)) > 0 && var.routing.priority != null
    )
    error_message = "routing: either default = true alone, or path_patterns/host_headers with a priority."
  }
}

variable "preview_priorities" {
  description = <<-EOT
    Priorities of the preview rules (the serving conditions plus the preview header naming a colour, forwarding to
    that colour), e.g. {blue = 99, green = 100}. They must be evaluated before the serving rule: below its priority.
  EOT
  type        = object({ blue = number, green = number })
  validation {
    condition     = var.preview_priorities.blue != var.preview_priorities.green
    error_message = "preview_priorities: blue and green need two priorities."
  }
}

variable "preview_header" {
  description = "ce's previewHeader."
  type        = string
  default     = "X-Deployment-Color"
}

variable "initial_build" {
  description = "The build both colours record at creation; ce changes it from then on (Terraform ignores the value)."
  type        = string
}

variable "live_color" {
  description = "The colour that serves at creation."
  type        = string
  default     = "blue"
  validation {
    condition     = contains(["blue", "green"], var.live_color)
    error_message = "live_color: blue or green."
  }
}

variable "min_instances" {
  description = "The live colour's floor (ce's minInstances: ce never takes the serving colour below it); the idle colour's is 0."
  type        = number
  default     = 0
}

variable "initial_capacity" {
  description = "The live colour's instances at creation (default: max(1, min_instances)); the idle colour starts empty."
  type        = number
  default     = null
}

variable "max_size" {
  description = "Each group's maximum at creation (ce raises it when a deploy needs more)."
  type        = number
  default     = 10
}

variable "health_check" {
  description = "The target groups' health check; Compiler Explorer's settings by default."
  type = object({
    path                = optional(string, "/healthcheck")
    port                = optional(string, "traffic-port")
    interval            = optional(number, 10)
    timeout             = optional(number, 8)
    healthy_threshold   = optional(number, 2)
    unhealthy_threshold = optional(number, 3)
    matcher             = optional(string, "200")
  })
  default = {}
}

variable "target_port" {
  type    = number
  default = 80
}

variable "deregistration_delay" {
  type    = number
  default = 20
}

variable "load_balancing_algorithm" {
  type    = string
  default = "least_outstanding_requests"
}

variable "health_check_grace_period" {
  type    = number
  default = 240
}

variable "launch_template" {
  description = <<-EOT
    The instances: image, type, profile (whose role may read the builds: see the instance_policy_json output),
    security groups, and the command that installs the build — run by user data (bash) after bootstrap/ce-build is
    installed, with CE_BUILD set to this colour's build (ce-build exits non-zero when it is unset, and the instance
    stops there). Images without bash and Python (Windows): bootstrap = false and user_data of your own. One template
    serves both colours at $Latest: a change of image or user data reaches the serving colour's next launch, ce does
    not gate it (ce deploys builds, not images).
  EOT
  type = object({
    image_id             = string
    instance_type        = string
    iam_instance_profile = string
    security_group_ids   = list(string)
    install_command      = string
    key_name             = optional(string)
    ebs_optimized        = optional(bool, true)
    bootstrap            = optional(bool, true)
    user_data            = optional(string)
  })
  validation {
    condition     = var.launch_template.bootstrap || var.launch_template.user_data != null
    error_message = "launch_template: without the bootstrap (bootstrap = false, e.g. Windows), give user_data (base64) that reads the colour's build itself."
  }
}

variable "alarm_threshold" {
  description = "5xx responses of a colour's targets in one minute that put its alarm in ALARM."
  type        = number
  default     = 5
}

variable "dashboard" {
  description = "Create a CloudWatch dashboard of both colours."
  type        = bool
  default     = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
