"""Checks of terraform/ without a Terraform binary (none is installable here):

- every .tf parses (python-hcl2);
- every attribute ce changes is in an ignore_changes, derived from ce's own mutation types
  (Sources/Deployment/Core/Mutation.swift): a new kind of mutation without its mapping here fails;
- the names the module creates for Compiler Explorer's example are the ones `ce config show` prints for the built-in
  environments (target groups, Auto Scaling groups, SSM prefix, routing, floors), and the module's defaults are ce's;
- `ce config show --terraform` prints the module's inputs with ce's names (parsed, checked against `config show`);
- checkov finds nothing but the accepted findings of terraform/.checkov.yaml (docs/terraform.md says why).

    CE_BINARY=.build/debug/ce [CE_CHECKOV=path/to/checkov] python3 -m unittest discover -s terraform/tests
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import hcl2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE = os.path.join(ROOT, "terraform", "modules", "blue_green")
EXAMPLE = os.path.join(ROOT, "terraform", "examples", "compiler-explorer")


def load(path):
    with open(path) as f:
        return hcl2.load(f)


def resources(directory):
    """{(type, name): block} of every resource in the directory's .tf files."""
    found = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.tf"))):
        for entry in load(path).get("resource", []):
            for kind, named in entry.items():
                for name, block in named.items():
                    found[(kind, name)] = block
    return found


def ignored(block):
    """The attributes a resource block's lifecycle ignores."""
    names = []
    for lifecycle in block.get("lifecycle", []):
        for group in lifecycle.get("ignore_changes", []):
            names += [re.sub(r"^\$\{(.*)\}$", r"\1", item) for item in (group if isinstance(group, list) else [group])]
    return names


def mutation_cases():
    """ce's kinds of change to the cloud: {case: [its labels]}, read from the enum's source."""
    with open(os.path.join(ROOT, "Sources", "Deployment", "Core", "Mutation.swift")) as f:
        source = f.read()
    body = source[source.index("public enum Mutation"):]
    return {name: re.findall(r"(\w+):", labels)
            for name, labels in re.findall(r"^\s{4}case (\w+)\(([^)]*)\)", body, re.MULTILINE)}


def snake(label):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), label)


def capitalized(text):
    return text[:1].upper() + text[1:]


class ParseTests(unittest.TestCase):
    def test_every_tf_file_parses(self):
        files = sorted(glob.glob(os.path.join(ROOT, "terraform", "**", "*.tf"), recursive=True))
        self.assertGreaterEqual(len(files), 9)
        for path in files:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                self.assertIsInstance(load(path), dict)


class IgnoreChangesTests(unittest.TestCase):
    """Every attribute a ce mutation changes is ignored by Terraform, so the next apply never reverts a deploy."""

    def required(self, case, labels):
        """(resource type, name, attributes) the case changes, in the module (name None: the examples' listeners)."""
        if case in ("forward", "setForward"):
            return [("aws_lb_listener_rule", "serving", ["action"]), ("aws_lb_listener", None, ["default_action"])]
        if case == "putParameter":
            return [("aws_ssm_parameter", "ce", ["value"])]
        if case == "resizeGroup":
            sizes = [snake(label) for label in labels if label != "name"]
            return [("aws_autoscaling_group", "color", sizes)]
        if case in ("attachTargetGroup", "detachTargetGroup"):
            return [("aws_autoscaling_group", "color", ["target_group_arns"])]
        if case in ("registerTargets", "deregisterTargets"):
            return []  # targets ce registers are no resource's attribute: the module has no target group attachments
        self.fail(f"ce has a new kind of mutation, Mutation.{case}({', '.join(labels)}): say which Terraform "
                  "attribute it changes here, and ignore it in terraform/modules/blue_green")

    def test_the_mutation_types_are_read(self):
        cases = mutation_cases()
        self.assertIn("putParameter", cases)
        self.assertEqual(cases["resizeGroup"], ["name", "minSize", "desiredCapacity", "maxSize"])
        self.assertGreaterEqual(len(cases), 8)

    def test_every_mutated_attribute_is_ignored(self):
        module = resources(MODULE)
        examples = {path: resources(path) for path in glob.glob(os.path.join(ROOT, "terraform", "examples", "*"))}
        self.assertGreaterEqual(len(examples), 2)
        checked = 0
        for case, labels in mutation_cases().items():
            for kind, name, attributes in self.required(case, labels):
                if name is None:
                    for path, found in examples.items():
                        listeners = [block for (k, _), block in found.items() if k == kind]
                        self.assertTrue(listeners, f"{path} declares no {kind}")
                        for block in listeners:
                            for attribute in attributes:
                                self.assertIn(attribute, ignored(block), f"{path}: {kind} must ignore {attribute} (Mutation.{case})")
                                checked += 1
                    continue
                self.assertIn((kind, name), module, f"the module has no {kind}.{name}")
                for attribute in attributes:
                    self.assertIn(attribute, ignored(module[(kind, name)]), f"{kind}.{name} must ignore {attribute} (Mutation.{case})")
                    checked += 1
        self.assertGreaterEqual(checked, 8)
        self.assertNotIn("aws_lb_target_group_attachment", {kind for kind, _ in module})

    def test_nothing_else_is_ignored_by_the_module(self):
        # An ignore_changes beyond what ce changes would hide real drift from Terraform.
        expected = {("aws_lb_listener_rule", "serving"): {"action"}, ("aws_ssm_parameter", "ce"): {"value"},
                    ("aws_autoscaling_group", "color"): {"min_size", "desired_capacity", "max_size", "target_group_arns"}}
        actual = {key: set(ignored(block)) for key, block in resources(MODULE).items() if ignored(block)}
        self.assertEqual(actual, expected)


class NamesTests(unittest.TestCase):
    """The module's names for Compiler Explorer's example equal `ce config show` for the built-in environments."""

    @classmethod
    def setUpClass(cls):
        binary = os.environ.get("CE_BINARY")
        if not binary:
            raise unittest.SkipTest("needs CE_BINARY")
        home = tempfile.mkdtemp()
        try:
            shown = subprocess.run([binary, "config", "show", "--output", "json"], cwd=home, capture_output=True,
                                   text=True, timeout=60, env={"HOME": home, "PATH": os.environ.get("PATH", "")})
        finally:
            shutil.rmtree(home)
        if shown.returncode != 0:
            raise AssertionError(shown.stdout + shown.stderr)
        cls.ce = {env["name"]: env for env in json.loads(shown.stdout)["environments"]}

    def defaults(self):
        values = {}
        for entry in load(os.path.join(MODULE, "variables.tf"))["variable"]:
            for name, block in entry.items():
                default = block.get("default")
                values[name] = default[0] if isinstance(default, list) and len(default) == 1 else default
        return values

    def module_names(self, env):
        """The module's naming, as main.tf writes it: ce's patterns, {Env} = the name with its first letter upper-cased."""
        defaults = self.defaults()

        def fill(pattern, color):
            return (pattern.replace("{env}", env).replace("{Env}", capitalized(env))
                    .replace("{color}", color).replace("{Color}", capitalized(color)))
        return {
            "targetGroups": {c: fill(defaults["target_group_pattern"], c) for c in ("blue", "green")},
            "autoScalingGroups": {c: fill(defaults["asg_pattern"], c) for c in ("blue", "green")},
            "ssmPrefix": defaults["ssm_prefix"].replace("{env}", env),
        }

    def test_main_tf_names_by_ces_patterns(self):
        with open(os.path.join(MODULE, "main.tf")) as f:
            text = re.sub(r"[ \t]+", " ", f.read())  # as terraform fmt aligns it or not
        self.assertIn('env_cap = "${upper(substr(var.environment, 0, 1))}${substr(var.environment, 1, -1)}"', text)
        chain = 'replace(replace(replace(replace(var.{}, "{{env}}", var.environment), "{{Env}}", local.env_cap), "{{color}}", c), "{{Color}}", local.cap[c])'
        for variable in ("target_group_pattern", "asg_pattern", "alarm_pattern"):
            self.assertIn(chain.format(variable), text)

    def test_the_example_has_ces_nine_environments_with_its_names_routes_and_floors(self):
        example = load(os.path.join(EXAMPLE, "main.tf"))["locals"][0]["environments"]
        environments = example[0] if isinstance(example, list) else example
        self.assertEqual(set(environments), set(self.ce))
        self.assertEqual(len(environments), 9)
        for env, settings in environments.items():
            with self.subTest(env=env):
                shown = self.ce[env]
                names = self.module_names(env)
                self.assertEqual(shown["targetGroups"], names["targetGroups"])
                self.assertEqual(shown["autoScalingGroups"], names["autoScalingGroups"])
                self.assertEqual(shown["ssmPrefix"], names["ssmPrefix"])
                self.assertEqual(shown["minInstances"], settings["min"])
                routing = settings["routing"]
                self.assertEqual(shown["routing"], "default" if routing.get("default") else routing["path_patterns"][0])
                previews = settings["previews"]
                if not routing.get("default"):
                    self.assertLess(max(previews["blue"], previews["green"]), routing["priority"])
                self.assertEqual(shown["previewHeader"], self.defaults()["preview_header"])


class ConfigShowTerraformTests(unittest.TestCase):
    """`ce config show --terraform` prints the module's inputs with ce's names, so a layout and a config cannot drift."""

    def show(self, config_text=None):
        binary = os.environ.get("CE_BINARY")
        if not binary:
            self.skipTest("needs CE_BINARY")
        home = tempfile.mkdtemp()
        try:
            arguments = [binary]
            if config_text is not None:
                with open(os.path.join(home, "ce.yaml"), "w") as f:
                    f.write(config_text)
                arguments += ["--config", os.path.join(home, "ce.yaml")]
            environment = {"HOME": home, "PATH": os.environ.get("PATH", "")}
            hcl = subprocess.run(arguments + ["config", "show", "--terraform"], cwd=home, capture_output=True, text=True,
                                 timeout=60, env=environment)
            shown = subprocess.run(arguments + ["config", "show", "--output", "json"], cwd=home, capture_output=True,
                                   text=True, timeout=60, env=environment)
        finally:
            shutil.rmtree(home)
        self.assertEqual(hcl.returncode, 0, hcl.stderr)
        parsed = hcl2.loads(hcl.stdout)["locals"][0]["ce_environments"]
        environments = parsed[0] if isinstance(parsed, list) else parsed
        return environments, {env["name"]: env for env in json.loads(shown.stdout)["environments"]}, hcl.stdout

    def module_variables(self):
        return {name for entry in load(os.path.join(MODULE, "variables.tf"))["variable"] for name in entry}

    def test_the_built_in_environments_with_their_names_and_the_examples_routes(self):
        environments, shown, _ = self.show()
        self.assertEqual(set(environments), set(shown))
        self.assertEqual(len(environments), 9)
        example = load(os.path.join(EXAMPLE, "main.tf"))["locals"][0]["environments"]
        example = example[0] if isinstance(example, list) else example
        variables = self.module_variables()
        for env, inputs in environments.items():
            with self.subTest(env=env):
                self.assertLessEqual(set(inputs), variables, "every key is an input of the module")
                self.assertEqual(inputs["target_group_names"], shown[env]["targetGroups"])
                self.assertEqual(inputs["asg_names"], shown[env]["autoScalingGroups"])
                self.assertEqual(inputs["ssm_prefix"], shown[env]["ssmPrefix"])
                self.assertEqual(inputs["min_instances"], shown[env]["minInstances"])
                self.assertEqual(inputs["min_instances"], example[env]["min"])
                routing = example[env]["routing"]
                if routing.get("default"):
                    self.assertEqual(inputs["routing"], {"default": True})
                else:
                    self.assertEqual(inputs["routing"]["path_patterns"], routing["path_patterns"])

    def test_names_a_config_gives_one_by_one_and_what_the_module_cannot_lay_out(self):
        environments, shown, text = self.show(
            "environments:\n"
            "  api: {host: api.shop.example, targetGroups: {blue: ApiA, green: ApiB}, autoScalingGroups: {blue: api-a, green: api-b}}\n"
            "  beta: {routing: \"/beta*\", strategy: instances}\n")
        self.assertEqual(set(environments), {"api"})
        self.assertEqual(environments["api"]["target_group_names"], {"blue": "ApiA", "green": "ApiB"})
        self.assertEqual(environments["api"]["asg_names"], {"blue": "api-a", "green": "api-b"})
        self.assertEqual(environments["api"]["routing"]["host_headers"], ["api.shop.example"])
        self.assertIn("# not laid out by the module: beta: one target group for both colours", text)
        self.assertIn("beta", shown)


class CheckovTests(unittest.TestCase):
    def test_checkov_finds_nothing_but_the_accepted_findings(self):
        checkov = os.environ.get("CE_CHECKOV") or shutil.which("checkov")
        if not checkov:
            self.skipTest("needs checkov (CE_CHECKOV)")
        result = subprocess.run([checkov, "-d", os.path.join(ROOT, "terraform"), "--config-file",
                                 os.path.join(ROOT, "terraform", ".checkov.yaml"), "-o", "json"],
                                capture_output=True, text=True, timeout=600)
        reports = json.loads(result.stdout)
        reports = reports if isinstance(reports, list) else [reports]
        failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})"
                  for r in reports for c in r.get("results", {}).get("failed_checks", [])]
        passed = sum(r["summary"]["passed"] for r in reports)
        self.assertEqual(failed, [])
        self.assertEqual(sum(r["summary"]["failed"] for r in reports), 0)
        self.assertGreater(passed, 100)


if __name__ == "__main__":
    unittest.main()
