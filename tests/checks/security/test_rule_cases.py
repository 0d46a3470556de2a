"""Rule cases as data (fixtures/cases/*.yml): every rule of the catalog has a case where
it fires and a case where it must not (bandit's own tests are represented by a few)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.security import SecurityCheck

from .helpers import run_part
from .osv_server import OsvServer

CASES_DIR = Path(__file__).parent / "fixtures" / "cases"
#: rules no file-based case can trigger; each has a unit test instead
NOT_AS_DATA = {
    "bandit-other": "test_bandit_scan.py::test_a_test_id_we_do_not_know",
    "submodule-changed": "test_secrets.py::test_a_submodule_change_is_a_warning_naming_it",
    # git's ChangeSet makes these kinds (over its size limit, a symlink out of the repository)
    "secrets-not-scanned": "test_secrets.py::test_a_file_too_large_to_read_blocks_as_not_scanned",
}

# Tokens are assembled here so that no file of this repository holds a whole one.
TOKENS = {
    "GH": "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea",
    "AWS": "AKIA" + "2E3F4G5H6I7J2K3L",
    "SLACK": "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "STRIPE": "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "JWT": "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "PEM": "-----BEGIN RSA "
    + "PRIVATE KEY-----\n"
    + ("Zm9vYmFyYmF6cXV4" * 4 + "\n") * 3
    + "-----END RSA "
    + "PRIVATE KEY-----\n",
    "SAID": "0123456789abcdef" * 2 + "01234567",
    "NPM": "npm_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0UvWxYz",
    "SENTRY": "sntryu_" + "3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b" * 2,
}


def _load() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yml")):
        for case in yaml.safe_load(path.read_text("utf-8")):
            case["id"] = f"{path.stem}: {case['name']}"
            cases.append(case)
    return cases


CASES = _load()


def _fill(files: dict[str, Any] | None) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for path, content in (files or {}).items():
        filled = content
        if isinstance(filled, str):
            for name, token in TOKENS.items():
                filled = filled.replace(f"<<{name}>>", token)
        out[path] = filled
    return out


def _describe(finding: Any) -> str:
    loc = finding.location
    where = "" if loc is None else loc.path + (f":{loc.start_line}" if loc.start_line else "")
    return f"{finding.rule} {where}".strip()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_rule_case(case: dict[str, Any], osv: OsvServer) -> None:
    options = case.get("options", True)
    if case["part"] == "dependencies":
        options = {"osv_url": osv.url}
    found = run_part(case["part"], _fill(case.get("base")), _fill(case.get("head")), options)
    described = [_describe(f) for f in found]
    assert described == case.get("expect", [])
    for rule in case.get("quiet", []):
        assert all(f.rule != rule for f in found), rule


def test_every_rule_fires_in_one_case_and_stays_quiet_in_another() -> None:
    fires = {e.split()[0] for c in CASES for e in c.get("expect", [])}
    quiet = {r for c in CASES for r in c.get("quiet", [])}
    ours = {r for r in SecurityCheck.rules if not r.startswith("bandit-b")} - set(NOT_AS_DATA)
    assert ours - fires == set(), "rules without a case where they fire"
    assert ours - quiet == set(), "rules without a case where they must not fire"
    assert {"bandit-b608", "bandit-b506"} <= fires & quiet
