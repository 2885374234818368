#!/usr/bin/env bash
# With a Terraform binary (>= 1.7) at hand: `terraform fmt -check`, `terraform validate` of each example and
# `terraform test` of the module (terraform/modules/blue_green/tests, a mocked AWS provider), on a copy of the tree so
# that nothing (.terraform, lock files) lands in the repository. Providers from TF_PLUGIN_DIR (a local mirror) when
# set, else /opt/tf-plugins when it exists, else the registry. terraform/tests checks the same tree without Terraform.
#
#   bash scripts/terraform-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v terraform >/dev/null || { echo "error: no terraform on PATH" >&2; exit 2; }
plugins="${TF_PLUGIN_DIR:-}"
if [ -z "$plugins" ] && [ -d /opt/tf-plugins ]; then plugins=/opt/tf-plugins; fi
work=$(mktemp -d -t ce-terraform.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r terraform bootstrap "$work/"
export TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE="${TF_CLI_CONFIG_FILE:-/dev/null}"
init() { terraform init -backend=false -input=false -no-color ${plugins:+-plugin-dir="$plugins"} >/dev/null; }
status=0
terraform fmt -check -recursive -no-color "$work/terraform" || { echo "error: terraform fmt would change the files above" >&2; status=1; }
for example in "$work"/terraform/examples/*/; do
    (cd "$example" && init && terraform validate -no-color) || { echo "error: $(basename "$example") does not validate" >&2; status=1; }
done
(cd "$work/terraform/modules/blue_green" && init && terraform test -no-color) || { echo "error: terraform test failed" >&2; status=1; }
exit "$status"
