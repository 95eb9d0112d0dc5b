"""checkov over both environments (modules included) with the custom policies of terraform/policies: nothing fails,
every skip says why, and the custom policies catch a bucket without CMEK, a short retention and an unlocked prod.

Each environment is a call of modules/platform, which calls the entity modules: checkov evaluates the nested module
calls with the environment's values (its terraform.tfvars and the environment name of its main.tf), so a bucket is
checked with prod's or dev's real values, at module.platform.module.landing_bucket.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from recon.schema import SCHEMA_FILE
from tests.terraform.conftest import CHECKOV_ENV, ENVIRONMENTS, TERRAFORM_DIR

CUSTOM_CHECKS = {"CKV2_FCM_1", "CKV2_FCM_2", "CKV2_FCM_3", "CKV2_FCM_4"}
BUCKETS = "module.platform.module.landing_bucket.google_storage_bucket"


def scan(checkov: str, terraform_dir: Path, environments: tuple[str, ...]) -> list[dict]:
    """checkov's JSON report of each environment folder (its modules evaluated with its values), offline.

    One run per environment: a module's resources take the calling environment's values (prod locks, dev need not).
    """
    reports = []
    for environment in environments:
        command = [checkov, "--framework", "terraform", "--skip-download", "--compact", "--output", "json",
                   "--external-checks-dir", str(terraform_dir / "policies"),
                   "--directory", str(terraform_dir / "environments" / environment)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, **CHECKOV_ENV})
        assert done.returncode in (0, 1), f"checkov on {environment}: {done.stderr}"
        reports.append(json.loads(done.stdout))
    return reports


def results(reports: list[dict], kind: str) -> list[dict]:
    return [check for report in reports for check in report["results"][kind]]


def test_no_failed_check_and_every_skip_has_a_reason(checkov: str):
    """Both environments scan clean; the custom policies ran on every bucket; each skip carries its written reason."""
    reports = scan(checkov, TERRAFORM_DIR, ENVIRONMENTS)
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in results(reports, "failed_checks")]
    assert not failed, failed
    assert all(report["summary"]["parsing_errors"] == 0 for report in reports)
    for environment, report in zip(ENVIRONMENTS, reports):
        passed = {(c["check_id"], c["resource"]) for c in results([report], "passed_checks")}
        for check in CUSTOM_CHECKS:
            for bucket in ("landing", "audit"):
                assert (check, f"{BUCKETS}.{bucket}") in passed, (environment, check, bucket)
    skipped = results(reports, "skipped_checks")
    assert skipped
    for check in skipped:
        reason = check["check_result"].get("suppress_comment") or ""
        assert len(reason) >= 20, f"{check['check_id']} on {check['resource']} has no reason"


def test_skip_comments_in_code_carry_reasons():
    """Every `checkov:skip` in terraform/ names a check and gives a sentence of reason."""
    skips = [(path, line) for path in TERRAFORM_DIR.rglob("*.tf") for line in path.read_text().splitlines()
             if "checkov:skip" in line]
    assert skips
    for path, line in skips:
        assert re.search(r"#checkov:skip=CKV\w+:\S.{19,}", line), f"{path}: {line.strip()}"


def test_custom_policies_catch_broken_buckets(checkov: str, tmp_path: Path):
    """Prod with the landing bucket's CMEK removed, 6 years of retention and the lock off fails exactly the three
    custom policies, on the buckets that break them."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform"))
    (tmp_path / "sql").mkdir()
    shutil.copy(SCHEMA_FILE, tmp_path / "sql" / SCHEMA_FILE.name)

    buckets = copy / "modules" / "landing_bucket" / "main.tf"
    text = buckets.read_text()
    cmek = "  encryption {\n    default_kms_key_name = var.kms_key_id\n  }\n"
    assert text.count(cmek) == 2
    buckets.write_text(text.replace(cmek, "", 1))
    tfvars = copy / "environments" / "prod" / "terraform.tfvars"
    text = tfvars.read_text()
    for old, new in (("retention_years          = 7", "retention_years          = 6"),
                     ("retention_locked         = true", "retention_locked         = false")):
        assert old in text
        text = text.replace(old, new)
    tfvars.write_text(text)

    failed = {(c["check_id"], c["resource"]) for c in results(scan(checkov, copy, ("prod",)), "failed_checks")}
    assert failed == {
        ("CKV2_FCM_1", f"{BUCKETS}.landing"),
        ("CKV2_FCM_2", f"{BUCKETS}.audit"),
        ("CKV2_FCM_3", f"{BUCKETS}.audit"),
    }
