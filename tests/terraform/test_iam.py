"""Least privilege and separation of duties, read from the parsed HCL: who holds which role on what.

The grants of modules/iam are tables (locals) and a few literal resources; each becomes a Grant (duty, kind of
target, target, role). A role's permissions come from ROLE_PERMISSIONS, the relevant part of Google's predefined-role
reference: a role granted anywhere in terraform/ that is missing from it fails, so a new role is reviewed here first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.terraform.conftest import MODULES_DIR, TERRAFORM_DIR, parse_hcl

PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}

# What each granted role may do, as far as these rules care (Google Cloud IAM predefined roles reference).
ROLE_PERMISSIONS = {
    "roles/storage.objectViewer": {"storage.objects.get", "storage.objects.list"},
    "roles/storage.objectCreator": {"storage.objects.create"},
    "roles/bigquery.dataViewer": {"bigquery.tables.get", "bigquery.tables.getData", "bigquery.tables.list"},
    "roles/bigquery.dataEditor": {
        "bigquery.tables.get", "bigquery.tables.getData", "bigquery.tables.list", "bigquery.tables.create",
        "bigquery.tables.update", "bigquery.tables.updateData", "bigquery.tables.delete",
    },
    "roles/bigquery.jobUser": {"bigquery.jobs.create"},
    "roles/composer.worker": {
        "iam.serviceAccounts.actAs", "storage.objects.create", "storage.objects.delete", "storage.objects.get",
        "storage.objects.list", "storage.objects.update",
    },
    "roles/composer.ServiceAgentV2Ext": {"iam.serviceAccounts.getIamPolicy", "iam.serviceAccounts.setIamPolicy"},
    "roles/iam.serviceAccountTokenCreator": {"iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.signBlob"},
    "roles/secretmanager.secretAccessor": {"secretmanager.versions.access"},
    "roles/cloudkms.cryptoKeyEncrypterDecrypter": {
        "cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt",
    },
}
WRITES_TABLES = {"bigquery.tables.create", "bigquery.tables.update", "bigquery.tables.updateData", "bigquery.tables.delete"}
DELETES_OBJECTS = {"storage.objects.delete"}

_TARGET_KINDS = {
    "google_storage_bucket_iam_member": "bucket",
    "google_bigquery_dataset_iam_member": "dataset",
    "google_project_iam_member": "project",
    "google_service_account_iam_member": "service_account",
}
_TARGET_ATTRIBUTES = {"bucket": "bucket", "dataset": "dataset_id", "project": "project", "service_account": "service_account_id"}
_PROJECTS = {"${var.project_id}": "data", "${var.orchestration_project_id}": "orchestration"}


@dataclass(frozen=True)
class Grant:
    """One role held by one identity on one target: duty (orchestrator, loader, publisher or external:<variable>)."""

    duty: str
    kind: str
    target: str
    role: str


def _resolve(expression: str, row: dict, for_each: str) -> str:
    """A grant attribute's value for one row of its table; an expression this cannot read fails the test."""
    if "${" not in expression:
        return expression
    if expression in _PROJECTS:
        return _PROJECTS[expression]
    patterns = (
        (r"\$\{each\.value\.(\w+)\}", lambda m: row[m[1]]),
        (r"\$\{[\w.]+\[each\.value\.(\w+)\](?:\.name)?\}", lambda m: row[m[1]]),
        (r'\$\{[\w.]+\["(\w+)"\]\}', lambda m: m[1]),
        (r"\$\{var\.\w+\.(\w+)\}", lambda m: m[1]),
        (r"\$\{each\.value\}", lambda m: "external:" + re.fullmatch(r"\$\{toset\(var\.(\w+)\)\}", for_each)[1]),
    )
    for pattern, value in patterns:
        match = re.fullmatch(pattern, expression)
        if match:
            return value(match)
    raise AssertionError(f"modules/iam: cannot read the grant expression {expression!r}; keep grants declarative")


def iam_grants() -> list[Grant]:
    """Every grant modules/iam makes, one per row of its grant tables and per literal resource."""
    main = parse_hcl(MODULES_DIR / "iam" / "main.tf")
    tables = {name: value for block in main["locals"] for name, value in block.items()}
    grants = []
    for block in main["resource"]:
        for kind_name, resources in block.items():
            if kind_name not in _TARGET_KINDS:
                continue
            kind = _TARGET_KINDS[kind_name]
            for body in resources.values():
                for_each = body.get("for_each", "")
                table = re.fullmatch(r"\$\{local\.(\w+)\}", for_each)
                rows = tables[table[1]].values() if table else [{}]
                for row in rows:
                    grants.append(Grant(
                        duty=_resolve(body["member"], row, for_each),
                        kind=kind,
                        target=_resolve(body[_TARGET_ATTRIBUTES[kind]], row, for_each),
                        role=_resolve(body["role"], row, for_each),
                    ))
    return grants


def permissions(grants: list[Grant]) -> set[str]:
    return set().union(*(ROLE_PERMISSIONS[grant.role] for grant in grants))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def granted_roles(root: Path = TERRAFORM_DIR) -> dict[str, set[str]]:
    """Every roles/... string in the .tf and .tfvars files under root, with the files it appears in."""
    roles: dict[str, set[str]] = {}
    for path in sorted([*root.rglob("*.tf"), *root.rglob("*.tfvars")]):
        for text in _strings(parse_hcl(path)):
            for role in re.findall(r"roles/[A-Za-z0-9_.]+", text):
                roles.setdefault(role, set()).add(str(path.relative_to(root)))
    return roles


GRANTS = iam_grants()


def of(duty: str, *targets: tuple[str, str]) -> list[Grant]:
    return [g for g in GRANTS if g.duty == duty and (not targets or (g.kind, g.target) in targets)]


def test_grant_tables_are_read():
    """The parser sees every duty's grants (an empty read would make the rules below pass vacuously)."""
    assert {g.duty for g in GRANTS} >= {"orchestrator", "loader", "publisher", "external:landing_writers", "external:mart_readers"}
    assert len(GRANTS) >= 12


def test_no_primitive_role_anywhere():
    """roles/owner, roles/editor and roles/viewer are granted nowhere in terraform/."""
    roles = granted_roles()
    assert roles, "no role found: the scan is broken"
    primitive = {role: files for role, files in roles.items() if role in PRIMITIVE_ROLES}
    assert not primitive, f"primitive roles granted: {primitive}"


def test_every_role_is_reviewed():
    """Every role granted anywhere has its permissions stated in ROLE_PERMISSIONS."""
    unknown = {role: files for role, files in granted_roles().items() if role not in ROLE_PERMISSIONS}
    assert not unknown, f"add these roles' permissions to ROLE_PERMISSIONS after review: {unknown}"


def test_loader_cannot_write_the_marts():
    """The loader writes staging but holds nothing that creates, changes or deletes a marts table."""
    assert permissions(of("loader", ("dataset", "staging"))) & WRITES_TABLES
    reaching_marts = of("loader", ("dataset", "marts"), ("project", "data"))
    assert not permissions(reaching_marts) & WRITES_TABLES, reaching_marts


def test_publisher_cannot_delete_landing_files():
    """The publisher writes the marts but holds no role on landing and nothing that deletes objects anywhere."""
    assert permissions(of("publisher", ("dataset", "marts"))) & WRITES_TABLES
    assert not of("publisher", ("bucket", "landing"))
    assert not permissions(of("publisher")) & DELETES_OBJECTS, of("publisher")


def test_no_identity_deletes_objects_in_the_data_project():
    """No grant on the landing or audit bucket, or on the data project, carries storage.objects.delete."""
    data = [g for g in GRANTS if g.kind == "bucket" or (g.kind == "project" and g.target == "data")]
    deleting = [g for g in data if ROLE_PERMISSIONS[g.role] & DELETES_OBJECTS]
    assert not deleting, deleting


def test_only_the_orchestrator_acts_as_the_stages():
    """Only the orchestrator may act as another account, and only as the loader or the publisher."""
    impersonation = [g for g in GRANTS if g.kind == "service_account"]
    assert {(g.duty, g.target) for g in impersonation} == {("orchestrator", "loader"), ("orchestrator", "publisher")}


def test_orchestrator_holds_nothing_in_the_data_project():
    """The orchestrator's data access goes through the stages' accounts; composer.worker stays in its own project."""
    direct = [g for g in of("orchestrator") if g.kind != "service_account"]
    assert direct == [Grant("orchestrator", "project", "orchestration", "roles/composer.worker")]


@pytest.mark.parametrize("variable", ["landing_writers", "mart_readers"])
def test_external_identities_never_delete_or_write_tables(variable: str):
    """Delivering files only creates objects; reading the warehouse only reads it."""
    external = of(f"external:{variable}")
    assert external
    assert not permissions(external) & (DELETES_OBJECTS | WRITES_TABLES)
