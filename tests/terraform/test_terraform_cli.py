"""terraform fmt on the whole tree, and validate + test on every provider-free module, all offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.conftest import (
    ENVIRONMENTS, MODULES_DIR, TERRAFORM_DIR, parse_hcl, provider_free_modules, run, terraform_env,
)

OFFLINE_MODULES = provider_free_modules()


def test_offline_modules_are_the_tested_ones():
    """The provider-free modules are found, and each carries terraform tests (a module without them proves nothing)."""
    assert {module.name for module in OFFLINE_MODULES} >= {"naming", "warehouse_schema"}
    for module in OFFLINE_MODULES:
        assert list((module / "tests").glob("*.tftest.hcl")), f"{module.name} has no tests/*.tftest.hcl"


def test_every_module_has_the_standard_files():
    """Each module has main, variables, outputs, versions and a README; each environment a GCS backend."""
    for module in sorted(MODULES_DIR.iterdir()):
        missing = [name for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
                   if not (module / name).is_file()]
        assert not missing, f"modules/{module.name} lacks {missing}"
    for environment in ("dev", "prod"):
        backend = (TERRAFORM_DIR / "environments" / environment / "backend.tf").read_text()
        assert 'backend "gcs"' in backend, f"environments/{environment} must keep its state in GCS"


def _settings_fields() -> set[str]:
    """The fields of modules/platform's settings object, as its variables.tf types them."""
    variables = {name: body for block in parse_hcl(MODULES_DIR / "platform" / "variables.tf")["variable"]
                 for name, body in block.items()}
    return set(re.findall(r"(\w+) = ", variables["settings"]["type"]))


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_environment_is_one_platform_call_with_its_own_values(environment: str):
    """An environment holds only its backend, provider, tfvars and one call of modules/platform naming the environment
    itself (so modules/naming applies that environment's rules); its tfvars set every field of the settings, and prod
    locks the audit copy's retention while dev does not (a locked dev bucket could not be deleted for 7 years)."""
    folder = TERRAFORM_DIR / "environments" / environment
    blocks = {kind for path in folder.glob("*.tf") for kind in parse_hcl(path)}
    assert blocks <= {"terraform", "provider", "module", "variable", "output"}, blocks
    calls = {name: body for block in parse_hcl(folder / "main.tf")["module"] for name, body in block.items()}
    assert calls == {"platform": {"source": "../../modules/platform", "environment": environment,
                                  "settings": "${var.settings}"}}
    settings = parse_hcl(folder / "terraform.tfvars")["settings"]
    assert set(settings) == _settings_fields()
    assert settings["retention_locked"] is (environment == "prod")


def test_fmt(terraform: str, tmp_path: Path):
    """Every .tf and .tftest.hcl file under terraform/ is formatted as `terraform fmt` writes it."""
    done = run([terraform, "fmt", "-check", "-recursive", "-diff", "-no-color"], TERRAFORM_DIR, terraform_env(tmp_path))
    assert done.returncode == 0, f"terraform fmt would change:\n{done.stdout}{done.stderr}"


@pytest.mark.parametrize("module", OFFLINE_MODULES, ids=lambda module: module.name)
def test_validate_and_test(terraform: str, tmp_path: Path, module: Path):
    """init (no backend, no provider), validate and `terraform test` pass for a provider-free module."""
    env = terraform_env(tmp_path)
    for command in (["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"], ["test", "-no-color"]):
        done = run([terraform, *command], module, env)
        assert done.returncode == 0, f"terraform {command[0]} in modules/{module.name}:\n{done.stdout}{done.stderr}"
    assert " 0 failed" in done.stdout and "passed" in done.stdout, done.stdout
