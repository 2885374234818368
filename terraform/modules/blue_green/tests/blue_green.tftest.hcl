# `terraform test` (Terraform >= 1.7) with a mocked AWS provider: what the module plans for given inputs.
# Run by scripts/terraform-check.sh where a Terraform binary exists (CI has none: terraform/tests checks without it).

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
}

variables {
  vpc_id                   = "vpc-123"
  subnet_ids               = ["subnet-1", "subnet-2"]
  load_balancer_arn_suffix = "app/GccExplorerApp/abc"
  listener_arns            = ["arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/GccExplorerApp/abc/443"]
  initial_build            = "gh-1"
  launch_template = {
    image_id             = "ami-123"
    instance_type        = "t3.small"
    iam_instance_profile = "ce-instance"
    security_group_ids   = ["sg-1"]
    install_command      = "/infra/init.sh"
  }
}

run "a_path_environment_with_compiler_explorers_names" {
  command = plan
  variables {
    environment        = "beta"
    routing            = { path_patterns = ["/beta*"], priority = 101 }
    preview_priorities = { blue = 99, green = 100 }
  }
  assert {
    condition     = aws_lb_target_group.color["blue"].name == "Beta-Blue" && aws_lb_target_group.color["green"].name == "Beta-Green"
    error_message = "target groups are named {Env}-{Color}"
  }
  assert {
    condition     = aws_autoscaling_group.color["blue"].name == "beta-blue" && aws_autoscaling_group.color["green"].name == "beta-green"
    error_message = "groups are named {env}-{color}"
  }
  assert {
    condition     = aws_autoscaling_group.color["blue"].desired_capacity == 1 && aws_autoscaling_group.color["green"].desired_capacity == 0
    error_message = "the live colour starts with max(1, min_instances), the idle one empty"
  }
  assert {
    condition     = aws_ssm_parameter.ce["active-color"].name == "/compiler-explorer/beta/active-color" && aws_ssm_parameter.ce["green/version"].value == "gh-1"
    error_message = "ce's parameters under the prefix"
  }
  assert {
    condition     = aws_lb_listener_rule.serving["0"].priority == 101 && aws_lb_listener_rule.preview["0-green"].priority == 100
    error_message = "the serving rule and its previews"
  }
  assert {
    condition     = aws_launch_template.this.metadata_options[0].instance_metadata_tags == "enabled" && aws_launch_template.this.metadata_options[0].http_tokens == "required"
    error_message = "IMDSv2 with instance metadata tags"
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.this.user_data), "/usr/local/bin/ce-build --prefix '/compiler-explorer/{env}/'")
    error_message = "user data installs and runs ce-build"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.five_xx["green"].alarm_name == "beta-green-5xx"
    error_message = "alarms named as ce's alarms: pattern"
  }
}

run "names_a_config_gives_one_by_one" {
  command = plan
  variables {
    environment        = "api"
    routing            = { host_headers = ["api.shop.example"], priority = 10 }
    preview_priorities = { blue = 8, green = 9 }
    target_group_names = { blue = "ApiA", green = "ApiB" }
    asg_names          = { blue = "api-a", green = "api-b" }
    ssm_prefix         = "/shop/api/"
  }
  assert {
    condition     = aws_lb_target_group.color["green"].name == "ApiB" && aws_autoscaling_group.color["blue"].name == "api-a"
    error_message = "explicit names win over the patterns"
  }
}

run "previews_after_the_serving_rule_are_refused" {
  command = plan
  variables {
    environment        = "beta"
    routing            = { path_patterns = ["/beta*"], priority = 101 }
    preview_priorities = { blue = 102, green = 103 }
  }
  expect_failures = [aws_lb_listener_rule.preview]
}

run "a_routed_environment_needs_a_priority" {
  command = plan
  variables {
    environment        = "beta"
    routing            = { path_patterns = ["/beta*"] }
    preview_priorities = { blue = 99, green = 100 }
  }
  expect_failures = [var.routing]
}
