# Compiler Explorer's GccExplorerApp with ce's blue-green layout: prod on both listeners' default action, the eight
# path environments on :443 at their priorities 101…191, each environment's preview rules just before its serving
# rule (prod's, header only, after every path rule). The names are ce's defaults, so ce needs no config file.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

variable "vpc_id" {
  type = string
}
variable "subnet_ids" {
  type = list(string)
}
variable "alb_security_group_ids" {
  type = list(string)
}
variable "certificate_arn" {
  type = string
}
variable "instance_profile" {
  type = string
}
variable "instance_security_group_ids" {
  type = list(string)
}
variable "images" {
  description = "AMI per environment."
  type        = map(string)
}
variable "windows_user_data" {
  description = "Base64 user data for the Windows environments (PowerShell): their update_code reads the colour's build itself."
  type        = string
}
variable "initial_build" {
  type    = string
  default = "dist/gh/release/gh-1.tar.xz"
}

locals {
  environments = {
    prod           = { routing = { default = true }, previews = { blue = 990, green = 991 }, min = 2, type = "c6i.large" }
    beta           = { routing = { path_patterns = ["/beta*"], priority = 101 }, previews = { blue = 99, green = 100 }, min = 0, type = "c6i.large" }
    staging        = { routing = { path_patterns = ["/staging*"], priority = 111 }, previews = { blue = 109, green = 110 }, min = 0, type = "c6i.large" }
    gpu            = { routing = { path_patterns = ["/gpu*"], priority = 121 }, previews = { blue = 119, green = 120 }, min = 2, type = "g4dn.xlarge" }
    wintest        = { routing = { path_patterns = ["/wintest*"], priority = 151 }, previews = { blue = 149, green = 150 }, min = 0, type = "c6i.large" }
    winstaging     = { routing = { path_patterns = ["/winstaging*"], priority = 161 }, previews = { blue = 159, green = 160 }, min = 0, type = "c6i.large" }
    winprod        = { routing = { path_patterns = ["/winprod*"], priority = 171 }, previews = { blue = 169, green = 170 }, min = 2, type = "c6i.large" }
    aarch64prod    = { routing = { path_patterns = ["/aarch64prod*"], priority = 181 }, previews = { blue = 179, green = 180 }, min = 2, type = "c7g.large" }
    aarch64staging = { routing = { path_patterns = ["/aarch64staging*"], priority = 191 }, previews = { blue = 189, green = 190 }, min = 0, type = "c7g.large" }
  }
}

resource "aws_lb" "app" {
  #checkov:skip=CKV2_AWS_28:WAF is the account's choice, not the deploy layout's
  #checkov:skip=CKV_AWS_91:access logs need the account's log bucket
  #checkov:skip=CKV2_AWS_20::80 forwards instead of redirecting to HTTPS, as Compiler Explorer's prod does
  name                       = "GccExplorerApp"
  load_balancer_type         = "application"
  subnets                    = var.subnet_ids
  security_groups            = var.alb_security_group_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
}

# Prod is the default action of both listeners. ce moves it: Terraform creates it and then leaves it alone.
resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:an HTTP :80 listener serves (Compiler Explorer's prod answers on :80 and :443)
  #checkov:skip=CKV_AWS_103:the :80 listener has no TLS policy
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = module.environment["prod"].target_group_arns["blue"]
  }
  lifecycle {
    ignore_changes = [default_action]
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = module.environment["prod"].target_group_arns["blue"]
  }
  lifecycle {
    ignore_changes = [default_action]
  }
}

module "environment" {
  source   = "../../modules/blue_green"
  for_each = local.environments

  environment              = each.key
  vpc_id                   = var.vpc_id
  subnet_ids               = var.subnet_ids
  load_balancer_arn_suffix = aws_lb.app.arn_suffix
  # prod: both listeners' default action; the others: a rule on :443.
  listener_arns      = each.key == "prod" ? [aws_lb_listener.http.arn, aws_lb_listener.https.arn] : [aws_lb_listener.https.arn]
  routing            = each.value.routing
  preview_priorities = each.value.previews
  initial_build      = var.initial_build
  min_instances      = each.value.min # ce's minInstances: the live floor (0 where ce's built-in layout has none)
  max_size           = each.key == "prod" ? 40 : 10
  launch_template = {
    image_id             = var.images[each.key]
    instance_type        = each.value.type
    iam_instance_profile = var.instance_profile
    security_group_ids   = var.instance_security_group_ids
    # Their init runs update_code, whose one changed line calls /usr/local/bin/ce-build (docs/instances.md).
    install_command = "/infra/init.sh"
    # Windows images run no bash or Python: their own PowerShell user data reads the colour's build.
    bootstrap = !startswith(each.key, "win")
    user_data = startswith(each.key, "win") ? var.windows_user_data : null
  }
}

output "ce_names" {
  description = "What each environment's module named (compare with `ce config show`)."
  value       = { for env, m in module.environment : env => m.names }
}
