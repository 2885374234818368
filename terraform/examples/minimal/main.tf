# The smallest ce layout: one load balancer, one listener, one environment ("web") on its default action.
# ce.yaml for it:
#   defaults: {loadBalancer: web-alb, alarms: ["{env}-{color}-5xx"]}
#   environments: {web: {routing: default}}

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
variable "security_group_ids" {
  type = list(string)
}
variable "image_id" {
  type = string
}
variable "instance_profile" {
  type = string
}

resource "aws_lb" "web" {
  #checkov:skip=CKV2_AWS_28:WAF is the account's choice, not the deploy layout's
  #checkov:skip=CKV_AWS_91:access logs need the account's log bucket
  #checkov:skip=CKV2_AWS_20::80 forwards instead of redirecting to HTTPS, as Compiler Explorer's prod does
  name                       = "web-alb"
  load_balancer_type         = "application"
  subnets                    = var.subnet_ids
  security_groups            = var.security_group_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:an HTTP :80 listener serves (Compiler Explorer's prod answers on :80 and :443)
  #checkov:skip=CKV_AWS_103:the :80 listener has no TLS policy
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = module.web.target_group_arns["blue"]
  }
  # ce moves the default action at each switch.
  lifecycle {
    ignore_changes = [default_action]
  }
}

module "web" {
  source = "../../modules/blue_green"

  environment              = "web"
  vpc_id                   = var.vpc_id
  subnet_ids               = var.subnet_ids
  load_balancer_arn_suffix = aws_lb.web.arn_suffix
  listener_arns            = [aws_lb_listener.http.arn]
  routing                  = { default = true }
  preview_priorities       = { blue = 1, green = 2 }
  initial_build            = "v1"
  launch_template = {
    image_id             = var.image_id
    instance_type        = "t3.small"
    iam_instance_profile = var.instance_profile
    security_group_ids   = var.security_group_ids
    install_command      = "/opt/web/install.sh \"$CE_BUILD\""
  }
}
