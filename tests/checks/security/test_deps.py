"""The dependencies part, with pip-audit querying a loopback OSV server for real."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.model import Level

from .helpers import rules, run_part, where
from .osv_server import OsvServer, published_by


def deps(osv: OsvServer, **options: object) -> dict[str, object]:
    return {"osv_url": osv.url, **options}


def test_a_newly_vulnerable_pin_is_reported_with_its_fix(osv: OsvServer) -> None:
    found = run_part(
        "dependencies",
        {"requirements.txt": "requests==2.20.0\n"},
        {"requirements.txt": "requests==2.19.1\n"},
        deps(osv),
    )
    assert rules(found) == ["vulnerable-dependency"]
    assert where(found) == [("requirements.txt", 1)]
    assert found[0].message.startswith("requests 2.19.1 has CVE-2099-1001 (GKT-2099-0001)")
    assert "fixed in 2.20.0" in found[0].message
    assert found[0].remedy == "Upgrade requests to 2.20.0 or later."
    assert found[0].level is Level.ERROR


def test_a_safe_upgrade_and_a_pre_existing_vulnerability_are_not_reported(osv: OsvServer) -> None:
    base = {"requirements.txt": "requests==2.18.0\njinja2==2.9\n"}
    # requests stays vulnerable to the same advisory: pre-existing, not introduced
    head = {"requirements.txt": "requests==2.19.0\njinja2==2.10.1\nsix==1.16.0\n"}
    assert run_part("dependencies", base, head, deps(osv)) == []


def test_the_fix_named_is_the_first_above_the_pinned_version(osv: OsvServer) -> None:
    found = run_part("dependencies", {}, {"requirements.txt": "jinja2==3.0.1\n"}, deps(osv))
    assert "fixed in 2.10.1, 3.1.4" in found[0].message
    assert found[0].remedy == "Upgrade jinja2 to 3.1.4 or later."


def test_an_advisory_without_a_fix_says_so(osv: OsvServer) -> None:
    found = run_part("dependencies", {}, {"requirements.txt": "leftpad-py==1.0.1\n"}, deps(osv))
    assert "no fixed version yet" in found[0].message
    assert found[0].remedy.startswith("No release of leftpad-py fixes GKT-2099-0003")


@pytest.mark.parametrize(
    ("asof", "expected"),
    [("2099-01-01T00:00:00Z", ["vulnerable-dependency"]), ("2098-12-31T23:59:59Z", [])],
)
def test_an_osv_server_asked_as_of_a_date_serves_what_was_published_by_then(
    osv: OsvServer, asof: str, expected: list[str]
) -> None:
    # the replay asks as of each commit's date; GKT-2099-0001 is published 2099-01-01
    url = osv.url.replace("/v1/query", f"/asof/{asof}/v1/query")
    head = {"requirements.txt": "requests==2.19.1\n"}
    assert rules(run_part("dependencies", {}, head, {"osv_url": url})) == expected


def test_a_record_without_a_publication_date_is_dated_by_its_last_change() -> None:
    moment = datetime(2023, 7, 1, tzinfo=UTC)
    later = {"modified": "2023-09-25T00:00:00Z"}
    assert not published_by(later, moment)
    assert published_by({"modified": "2023-06-01T00:00:00Z"}, moment)
    assert published_by({"published": "2023-06-01T00:00:00Z", **later}, moment)
    assert published_by({}, moment)  # no date at all: served, as before


def test_withdrawn_advisories_are_ignored(osv: OsvServer) -> None:
    assert run_part("dependencies", {}, {"requirements.txt": "six==1.0\n"}, deps(osv)) == []


def test_includes_hashes_and_continuations_are_read(osv: OsvServer) -> None:
    head = {
        "requirements.txt": (
            "--index-url https://pypi.example/simple\n"
            "-r requirements/base.txt  # shared pins\n"
            "requests==2.19.1 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n"
            "-e ./local-pkg\n./vendored.whl\n"
        ),
        "requirements/base.txt": "--requirement=common.txt\nleftpad-py==1.0.0\n",
        "requirements/common.txt": "six==1.16.0\n",
    }
    found = run_part("dependencies", {}, head, deps(osv))
    assert where(found) == [("requirements.txt", 3), ("requirements/base.txt", 2)]
    assert sorted(osv.queries) == [
        ("leftpad-py", "1.0.0"),
        ("requests", "2.19.1"),
        ("six", "1.16.0"),
    ]


def test_a_vulnerable_pin_in_a_constraints_file_is_reported(osv: OsvServer) -> None:
    # pip installs the version a -c file pins: moving the pin there must not hide it
    base = {"requirements.txt": "-c constraints.txt\nrequests\n", "constraints.txt": ""}
    head = {**base, "constraints.txt": "requests==2.19.1\n"}
    found = run_part("dependencies", base, head, deps(osv))
    assert rules(found) == ["vulnerable-dependency"]
    assert where(found) == [("constraints.txt", 1)]
    # a constraints file is read on its own too, and a safe pin there is not reported
    alone = {"constraints.txt": "requests==2.20.0\n"}
    assert run_part("dependencies", {}, alone, deps(osv)) == []
    found = run_part("dependencies", {}, {"constraints.txt": "requests==2.19.1\n"}, deps(osv))
    assert rules(found) == ["vulnerable-dependency"]


def test_each_package_version_is_queried_once_across_head_and_base(osv: OsvServer) -> None:
    base = {
        "requirements.txt": "requests==2.19.0\nsix==1.16.0\n",
        "dev-requirements.txt": "requests==2.19.0\n",
    }
    head = {
        "requirements.txt": "requests==2.19.1\nsix==1.16.0\n",
        "dev-requirements.txt": "requests==2.19.1\nsix==1.16.0\n",
    }
    run_part("dependencies", base, head, deps(osv))
    assert sorted(osv.queries) == [
        ("requests", "2.19.0"),
        ("requests", "2.19.1"),
        ("six", "1.16.0"),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("poetry.lock", '[[package]]\nname = "requests"\nversion = "2.19.1"\n'),
        (
            "uv.lock",
            'version = 1\n[[package]]\nname = "app"\nsource = { editable = "." }\n'
            '[[package]]\nname = "requests"\nversion = "2.19.1"\n',
        ),
        (
            "pylock.toml",
            'lock-version = "1.0"\n[[packages]]\nname = "requests"\n'
            'version = "2.19.1"\n[[packages]]\nname = "local"\n',
        ),
        (
            "Pipfile.lock",
            json.dumps(
                {
                    "_meta": {},
                    "default": {
                        "requests": {"version": "==2.19.1"},
                        "gitdep": {"git": "https://x"},
                    },
                    "develop": {},
                },
                indent=2,
            ),
        ),
        ("pyproject.toml", '[project]\nname = "app"\ndependencies = ["requests==2.19.1"]\n'),
        ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "2.19.1"\n'),
        (
            "pyproject.toml",
            '[dependency-groups]\ndev = ["requests==2.19.1", {include-group = "x"}]\n',
        ),
        ("sub/pylock.dev.toml", '[[packages]]\nname = "Requests"\nversion = "2.19.1"\n'),
    ],
)
def test_every_manifest_format_is_audited(osv: OsvServer, path: str, text: str) -> None:
    found = run_part("dependencies", {}, {path: text}, deps(osv))
    assert rules(found) == ["vulnerable-dependency"]
    loc = found[0].location
    assert loc is not None and loc.path == path and loc.start_line is not None
    assert osv.queries == [("requests", "2.19.1")]


def test_an_unpinned_new_requirement_cannot_be_audited(osv: OsvServer) -> None:
    head = {"requirements.txt": "flask>=2\nclick\nsix==1.16.0\nfoo @ https://x/foo.whl\n"}
    found = run_part("dependencies", {}, head, deps(osv))
    assert rules(found) == ["cannot-audit"] * 3
    assert found[0].level is Level.WARNING
    assert "click (requirements.txt) cannot be audited: it has no version" in found[1].message


def test_a_lock_file_beside_it_resolves_an_unpinned_requirement(osv: OsvServer) -> None:
    lock = '[[package]]\nname = "requests"\nversion = "2.19.1"\n'
    head = {"pyproject.toml": '[project]\ndependencies = ["requests>=2"]\n', "uv.lock": lock}
    found = run_part("dependencies", {"uv.lock": lock}, head, deps(osv))
    # resolved through the (unchanged) lock, whose vulnerable pin was already at base
    assert found == []
    poetry = '[tool.poetry.dependencies]\nrequests = "^2.0"\nlocal = {path = "../x"}\n'
    found = run_part("dependencies", {}, {"pyproject.toml": poetry}, deps(osv))
    assert rules(found) == ["cannot-audit", "cannot-audit"]


def test_an_unpinned_requirement_already_at_base_is_not_reported(osv: OsvServer) -> None:
    base = {"requirements.txt": "flask>=2\n"}
    assert (
        run_part("dependencies", base, {"requirements.txt": "flask>=2\nsix==1.16.0\n"}, deps(osv))
        == []
    )


def test_an_unknown_lock_format_is_reported_not_ignored(osv: OsvServer) -> None:
    found = run_part("dependencies", {}, {"pdm.lock": "[[package]]\n"}, deps(osv))
    assert rules(found) == ["lock-format-unknown"]
    assert osv.queries == []


@pytest.mark.parametrize(
    ("path", "text", "why"),
    [
        ("poetry.lock", "[[package]\n", "not valid TOML"),
        ("poetry.lock", 'name = "x"\n', "has no [[package]] entries"),
        ("uv.lock", "[[package]]\nversion = '1'\n", "has no name"),
        ("Pipfile.lock", "{nope", "not valid JSON"),
        ("Pipfile.lock", "[]", "not a JSON object"),
        ("Pipfile.lock", '{"default": []}', "'default' is not an object"),
        ("requirements.txt", "requests==2.19.1\nnot a requirement!!\n", "not a valid requirement"),
        ("requirements.txt", "-r missing.txt\n", "which does not exist"),
        ("requirements.txt", "-r ../../etc/passwd\n", "outside the repository"),
        ("requirements.txt", "-r requirements.txt\n", "in a cycle"),
        ("pyproject.toml", '[project]\ndependencies = ["!bad"]\n', "not a valid requirement"),
        ("pyproject.toml", '[project]\ndependencies = "requests"\n', "must be a list"),
        ("pyproject.toml", '[project]\noptional-dependencies = ["x"]\n', "structure is not"),
        ("pyproject.toml", 'project = "x"\n', "structure is not"),
    ],
)
def test_an_unreadable_manifest_is_a_blocking_finding(
    osv: OsvServer, path: str, text: str, why: str
) -> None:
    found = run_part("dependencies", {}, {path: text}, deps(osv))
    assert rules(found) == ["manifest-unreadable"]
    assert why in found[0].message and found[0].level is Level.ERROR


def test_every_form_pip_accepts_reads_and_the_pins_beside_them_are_audited(
    osv: OsvServer,
) -> None:
    # Mailu 1612b11e62: core/base/requirements-dev.txt lists local projects (libs/podop)
    lines = [
        "libs/podop",
        "-e libs/socrate",
        "./vendor/pkg[extra]",
        "numpy-1.9.2-cp34-none-win32.whl",
        "https://example.invalid/pkg-1.0.tar.gz",
        "git+https://example.invalid/x.git#egg=x",
        "urllib3 @ https://example.invalid/urllib3-1.26.8.zip",
        "--index-url https://example.invalid/simple",
        "requests==2.19.1 --hash=sha256:00 --config-settings key=value",
    ]
    text = "\n".join(lines) + "\n"
    found = run_part("dependencies", {}, {"requirements.txt": text}, deps(osv))
    assert rules(found) == ["cannot-audit", "vulnerable-dependency"]
    assert "urllib3 @" in found[0].message


def test_an_unreadable_manifest_at_base_does_not_hide_head(osv: OsvServer) -> None:
    found = run_part(
        "dependencies",
        {"requirements.txt": "!!\n"},
        {"requirements.txt": "requests==2.19.1\n"},
        deps(osv),
    )
    assert rules(found) == ["vulnerable-dependency"]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("500", "answered HTTP 500"),
        ("slow", "did not answer within 2 s"),
        ("garbage", "not OSV JSON"),
    ],
)
def test_a_failing_osv_service_fails_closed_with_the_reason(
    osv: OsvServer, mode: str, reason: str
) -> None:
    osv.mode, osv.delay = mode, 6.0
    with pytest.raises(CheckError, match=reason) as err:
        run_part("dependencies", {}, {"requirements.txt": "six==1.16.0\n"}, deps(osv, timeout=2.0))
    assert osv.url in str(err.value) and "osv_url" in str(err.value)


def test_an_unreachable_osv_service_fails_closed() -> None:
    with pytest.raises(CheckError, match="could not be reached"):
        run_part(
            "dependencies",
            {},
            {"requirements.txt": "six==1.16.0\n"},
            {"osv_url": "http://127.0.0.1:9/v1/query", "timeout": 2},
        )


def test_the_osv_url_can_come_from_pip_audits_environment_variable(
    osv: OsvServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_AUDIT_OSV_URL", osv.url)
    found = run_part("dependencies", {}, {"requirements.txt": "requests==2.19.1\n"})
    assert rules(found) == ["vulnerable-dependency"]


def test_a_version_that_is_not_pep440_is_not_queried(osv: OsvServer) -> None:
    found = run_part("dependencies", {}, {"requirements.txt": "requests===latest-dev\n"}, deps(osv))
    assert found == [] and osv.queries == []


def test_no_manifest_changed_means_no_query(osv: OsvServer) -> None:
    assert run_part("dependencies", {}, {"app.py": "x = 1\n"}, deps(osv)) == []
    assert osv.queries == []


def test_the_loopback_server_speaks_the_other_osv_endpoints(osv: OsvServer) -> None:
    import requests

    base = osv.url.removesuffix("/query")
    batch = requests.post(
        f"{base}/querybatch",
        timeout=5,
        json={
            "queries": [
                {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.0.0"},
                {"package": {"name": "requests", "ecosystem": "PyPI"}, "version": "2.20.0"},
            ]
        },
    ).json()
    assert batch["results"][0]["vulns"][0]["id"] == "GKT-2099-0001"
    assert batch["results"][1] == {}
    record = requests.get(f"{base}/vulns/GKT-2099-0001", timeout=5).json()
    assert record["aliases"] == ["CVE-2099-1001"]
    assert requests.get(f"{base}/vulns/NOPE", timeout=5).status_code == 404
    assert requests.post(f"{base}/other", timeout=5, json={}).status_code == 404


@pytest.mark.corpus
def test_real_advisories_from_the_corpus(corpus: Path) -> None:
    vulns = corpus / "advisories" / "pypa-advisory-database" / "vulns"
    with OsvServer(vulns, by_folder=True) as osv:
        base = {"requirements.txt": "requests==2.20.0\njinja2==2.11.3\nurllib3==1.26.18\n"}
        head = {"requirements.txt": "requests==2.19.1\njinja2==2.11.3\nurllib3==1.26.18\n"}
        found = run_part("dependencies", base, head, deps(osv))
    assert found and {f.location.start_line for f in found if f.location} == {1}
    messages = " ".join(f.message for f in found)
    assert "PYSEC-2018-28" in messages and "CVE-2018-18074" in messages
    assert all("requests 2.19.1" in f.message for f in found)


@pytest.mark.corpus
@pytest.mark.slow
def test_every_package_of_the_advisory_database_audits_without_an_error(corpus: Path) -> None:
    vulns = corpus / "advisories" / "pypa-advisory-database" / "vulns"
    names = sorted(d.name for d in vulns.iterdir() if d.is_dir())
    head = {"requirements.txt": "".join(f"{n}==0.1\n" for n in names)}
    with OsvServer(vulns, by_folder=True) as osv:
        # 600+ queries on a loopback server: a generous per-request limit for a busy machine
        found = run_part("dependencies", {}, head, deps(osv, timeout=120))
        assert len(osv.queries) == len(names) > 600
    counts: dict[str, int] = {}
    for f in found:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    assert counts["vulnerable-dependency"] > 1000
    # the only other outcome allowed: advisories whose versions pip-audit cannot parse
    assert set(counts) <= {"vulnerable-dependency", "audit-failed"}
    assert counts.get("audit-failed", 0) <= 5


def test_another_ecosystems_lock_file_is_only_a_note(osv: OsvServer) -> None:
    head = {
        "web/yarn.lock": "# yarn\n",
        "bun.lockb": b"\x00bun",
        "go.sum": "x\n",
        "conda-lock.yml": "x\n",
        "pixi.lock": "x\n",
    }
    found = run_part("dependencies", {}, head, deps(osv))
    assert [(f.location.path if f.location else "", f.level) for f in found] == [
        ("bun.lockb", Level.INFO),
        ("conda-lock.yml", Level.WARNING),
        ("go.sum", Level.INFO),
        ("pixi.lock", Level.WARNING),
        ("web/yarn.lock", Level.INFO),
    ]
    assert "another ecosystem" in found[0].message
