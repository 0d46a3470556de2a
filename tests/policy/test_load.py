from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.errors import PluginError, PolicyError
from gatekeeper.model import Severity, Waiver
from gatekeeper.policy.load import (
    DEFAULT_SOURCE,
    digest,
    dump_document,
    load_policy,
    peek_plugins,
)
from gatekeeper.policy.model import Policy
from gatekeeper.policy.validate import MAX_ERRORS
from tests.policy.fakes import CHECKS, Needy

SRC = ".github/gatekeeper.yml"
HUMAN = PullRequest(author="alice", head_ref="feature/x", base_ref="main")
AGENT = PullRequest(author="Copilot", head_ref="copilot/fix-1", base_ref="main")


def load(
    text: str | None,
    pr: PullRequest = HUMAN,
    *,
    files: Mapping[str, str] | None = None,
    checks: Mapping[str, type] = CHECKS,
    **kwargs: Any,
) -> Policy:
    return load_policy(
        text,
        source=SRC,
        checks=checks,
        pr=pr,
        read_file=(files or {}).get,
        **kwargs,
    )


def error_of(text: str | None, **kwargs: Any) -> str:
    with pytest.raises(PolicyError) as info:
        load(text, **kwargs)
    return str(info.value)


# --- no policy file, presets ---------------------------------------------------------


def test_no_policy_file_means_extends_recommended() -> None:
    policy = load(None)
    assert policy.source == DEFAULT_SOURCE
    assert policy.path == SRC
    assert policy.layers == ("preset:recommended",)
    assert policy.check("security").severity is Severity.BLOCK
    assert policy.check("coverage").severity is Severity.BLOCK
    assert policy.check("pr").severity is Severity.WARN
    assert policy.check("pr").on_error is Severity.WARN
    assert not policy.check("cochange").enabled  # not mentioned: disabled
    explicit = load("version: 1\nextends: [recommended]\n")
    assert (explicit.checks, explicit.digest) == (policy.checks, policy.digest)


def test_minimal_policy_enables_nothing() -> None:
    policy = load("version: 1\n")
    assert policy.checks == {}
    assert policy.layers == ()
    assert policy.max_annotations == 200


def test_defaults_from_the_check_schema_fill_the_config() -> None:
    policy = load("version: 1\nchecks:\n  coverage: {diff_min: 90}\n  openapi: true\n")
    coverage = policy.check("coverage")
    assert coverage.config == {"diff_min": 90, "report": "coverage.json"}
    assert coverage.enabled and coverage.severity is Severity.BLOCK
    assert coverage.timeout == 600.0 and coverage.on_error is Severity.BLOCK
    assert policy.check("openapi").config == {"specs": []}


def test_common_keys_reach_the_check_policy() -> None:
    text = """\
version: 1
checks:
  coverage:
    severity: warn
    rules: {diff-coverage-low: block, total-coverage-dropped: off}
    timeout: 30
    on_error: info
    paths: [src/**]
    exclude: [src/generated/**]
"""
    coverage = load(text).check("coverage")
    assert coverage.rules == {
        "diff-coverage-low": Severity.BLOCK,
        "total-coverage-dropped": Severity.OFF,
    }
    assert (coverage.severity, coverage.on_error, coverage.timeout) == (
        Severity.WARN,
        Severity.INFO,
        30.0,
    )
    assert (coverage.paths, coverage.exclude) == (("src/**",), ("src/generated/**",))
    assert "severity" not in coverage.config


# --- error cases ---------------------------------------------------------------------


def test_malformed_yaml() -> None:
    assert error_of("version: 1\nchecks: [\n").startswith(f"{SRC}:3: not valid YAML:")


def test_duplicate_key() -> None:
    text = "version: 1\nchecks:\n  pr: {}\n  pr: {}\n"
    assert error_of(text) == f"{SRC}:4: duplicate key 'pr' (first defined at line 3)"


def test_wrong_type_names_file_line_and_key() -> None:
    text = "version: 1\nchecks:\n  coverage:\n    diff_min: eighty\n"
    assert error_of(text) == f"{SRC}:4: checks.coverage.diff_min: 'eighty' is not a number"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nchekcs: {}\n",
            f"{SRC}:2: chekcs: unknown key 'chekcs'; did you mean 'checks'?",
        ),
        (
            "version: 1\nchecks:\n  coverage: {dif_min: 3}\n",
            f"{SRC}:3: checks.coverage.dif_min: unknown key 'dif_min'; did you mean 'diff_min'?",
        ),
        ("version: 1\nzzz: 1\n", f"{SRC}:2: zzz: unknown key 'zzz'"),
        (
            "version: 1\nchecks:\n  coverage: {severity: blok}\n",
            f"{SRC}:3: checks.coverage.severity: 'blok' is not one of 'block', 'warn', 'info', "
            "'off'; did you mean 'block'?",
        ),
        (
            "version: 1\nchecks:\n  coverage:\n    rules: {diff-coverage-lo: off}\n",
            f"{SRC}:4: checks.coverage.rules.diff-coverage-lo: unknown rule 'diff-coverage-lo'; "
            "did you mean 'diff-coverage-low'? (`gatekeeper checks` lists each check's rules)",
        ),
        ("version: 2\n", f"{SRC}:1: version: 2 is not supported; this gatekeeper reads version: 1"),
        ("checks: {}\n", f"{SRC}:1: (top level): missing required key 'version'"),
        ("", f"{SRC}:1: (top level): missing required key 'version'"),
        (
            "version: 1\nchecks:\n  coverage: {timeout: 0}\n",
            f"{SRC}:3: checks.coverage.timeout: 0 must be more than 0",
        ),
        (
            "version: 1\nchecks:\n  coverage: {diff_min: 101}\n",
            f"{SRC}:3: checks.coverage.diff_min: 101 must be at most 100",
        ),
        (
            "version: 1\nannotations: {max: -1}\n",
            f"{SRC}:2: annotations.max: -1 must be at least 0",
        ),
        ("version: 1\nplugins: ['']\n", f"{SRC}:2: plugins[0]: must not be empty"),
        (
            "version: 1\nchecks:\n  coverage: yes\n",
            f"{SRC}:3: checks.coverage: 'yes' is not a mapping or true/false",
        ),
        (
            "version: 1\nchecks:\n  cochange: {items: 3}\n",
            f"{SRC}:3: checks.cochange.items: 3 is not a list",
        ),
        (
            "version: 1\nagents: {logins: Copilot}\n",
            f"{SRC}:2: agents.logins: 'Copilot' is not a list; for one item write a list:"
            " ['Copilot']",
        ),
    ],
)
def test_schema_errors_are_actionable(text: str, expected: str) -> None:
    assert error_of(text) == expected


def test_all_errors_are_listed_sorted_by_line() -> None:
    text = "version: 1\nchecks:\n  coverage: {diff_min: x}\n  pr: {severity: loud}\nfoo: 1\n"
    lines = error_of(text).splitlines()
    assert [line.split(":")[1] for line in lines] == ["3", "4", "5"]


def test_too_many_errors_are_cut() -> None:
    keys = "".join(f"bad{i}: 1\n" for i in range(MAX_ERRORS + 5))
    lines = error_of("version: 1\n" + keys).splitlines()
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1] == "... and 5 more errors"


def test_not_a_mapping() -> None:
    assert error_of("- version: 1\n").startswith(f"{SRC}:1: the policy must be a mapping")


def test_unknown_preset_lists_the_available_ones() -> None:
    message = error_of("version: 1\nextends: [recomended]\n")
    assert message == (
        f"{SRC}:2: extends[0]: unknown preset 'recomended'; did you mean 'recommended'? "
        "(available: agents, recommended, strict; a repository file needs a path ending in .yml)"
    )


def test_missing_check_fails_closed_and_says_how_to_find_checks() -> None:
    message = error_of("version: 1\nchecks:\n  coverag: {diff_min: 90}\n")
    assert message.startswith(
        f"{SRC}:3: checks.coverag: check 'coverag' is not installed; did you mean 'coverage'?"
    )
    assert "`gatekeeper checks` lists the installed checks" in message


def test_missing_check_in_an_override_fails_closed() -> None:
    text = "version: 1\noverrides:\n  - when: {author: agent}\n    checks: {nope: true}\n"
    assert "overrides[0].checks.nope: check 'nope' is not installed" in error_of(text)


def test_a_preset_naming_an_uninstalled_check_fails_closed() -> None:
    only = {k: v for k, v in CHECKS.items() if k != "review"}
    message = error_of(None, checks=only)
    assert message.startswith("preset:recommended:")
    assert "checks.review: check 'review' is not installed" in message


def test_required_key_missing_after_shorthand() -> None:
    message = error_of("version: 1\nchecks:\n  needy: true\n", checks={"needy": Needy})
    assert message == f"{SRC}:3: checks.needy: missing required key 'target'"


def test_required_key_can_come_from_an_override() -> None:
    text = """\
version: 1
checks:
  needy: {target: a}
overrides:
  - when: {author: agent}
    checks: {needy: {severity: warn}}
"""
    policy = load(text, AGENT, checks={"needy": Needy})
    assert policy.check("needy").config == {"target": "a"}
    assert policy.check("needy").severity is Severity.WARN


# --- extends -------------------------------------------------------------------------


def test_extends_cycle_is_detected() -> None:
    files = {
        "org/a.yml": "version: 1\nextends: [org/b.yml]\n",
        "org/b.yml": "version: 1\nextends: [./org/a.yml]\n",
    }
    message = error_of("version: 1\nextends: [org/a.yml]\n", files=files)
    assert message == (
        "org/b.yml:2: extends[0]: extends cycle: org/a.yml -> org/b.yml -> org/a.yml"
    )


def test_a_policy_extending_itself_is_a_cycle() -> None:
    files = {SRC: "version: 1\nextends: [.github/gatekeeper.yml]\n"}
    message = error_of(files[SRC], files=files)
    assert message.endswith(f"extends cycle: {SRC} -> {SRC}")


def test_extends_too_deep() -> None:
    files = {f"p{i}.yml": f"version: 1\nextends: [p{i + 1}.yml]\n" for i in range(20)}
    assert "extends nests deeper than 16 levels" in error_of(
        "version: 1\nextends: p0.yml\n", files=files
    )


def test_local_extends_file_is_read_through_read_file() -> None:
    files = {"org/base.yml": "version: 1\nchecks:\n  coverage: {diff_min: 70, severity: warn}\n"}
    seen: list[str] = []

    def read(path: str) -> str | None:
        seen.append(path)
        return files.get(path)

    policy = load_policy(
        "version: 1\nextends: [./org/base.yml]\nchecks:\n  coverage: {diff_min: 95}\n",
        source=SRC,
        checks=CHECKS,
        pr=HUMAN,
        read_file=read,
    )
    assert seen == ["org/base.yml"]
    assert policy.layers == ("org/base.yml",)
    coverage = policy.check("coverage")
    assert coverage.config["diff_min"] == 95
    assert coverage.severity is Severity.WARN  # from org/base.yml


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("org/missing.yml", "extends[0]: 'org/missing.yml' does not exist at the base commit"),
        ("../outside.yml", "extends[0]: '../outside.yml' must be a path inside the repository"),
        ("/etc/policy.yml", "extends[0]: '/etc/policy.yml' must be a path inside the repository"),
    ],
)
def test_bad_local_extends(name: str, message: str) -> None:
    assert error_of(f"version: 1\nextends: ['{name}']\n") == f"{SRC}:2: {message}"


def test_unreadable_local_extends() -> None:
    def read(path: str) -> str | None:
        raise OSError("permission denied")

    with pytest.raises(PolicyError, match=r"cannot read 'org/a\.yml': permission denied"):
        load_policy(
            "version: 1\nextends: [org/a.yml]\n",
            source=SRC,
            checks=CHECKS,
            pr=HUMAN,
            read_file=read,
        )


def test_extends_must_be_names() -> None:
    assert error_of("version: 1\nextends: [1]\n") == (
        f"{SRC}:2: extends: must be a preset name or a list of names and files"
    )


def test_errors_in_an_extended_file_name_that_file_and_line() -> None:
    files = {"org/base.yml": "version: 1\nchecks:\n  pr: {}\n  coverage:\n    diff_min: high\n"}
    message = error_of("version: 1\nextends: [org/base.yml]\n", files=files)
    assert message == "org/base.yml:5: checks.coverage.diff_min: 'high' is not a number"


def test_merge_order_preset_then_files_then_the_policy() -> None:
    files = {
        "one.yml": "version: 1\nchecks:\n  coverage: {diff_min: 60, total_max_drop: 1}\n"
        "  cochange:\n    - {when: [a], require: [b]}\n    - {when: [c], require: [d]}\n",
        "two.yml": "version: 1\nchecks:\n  coverage: {diff_min: 70}\n  pr: false\n",
    }
    text = (
        "version: 1\nextends: [recommended, one.yml, two.yml]\n"
        "checks:\n  cochange:\n    - {when: [x], require: [y]}\n"
    )
    policy = load(text, files=files)
    assert policy.layers == ("preset:recommended", "one.yml", "two.yml")
    coverage = policy.check("coverage")
    # mappings merge key by key, the later layer winning
    assert coverage.config == {"diff_min": 70, "total_max_drop": 1, "report": "coverage.json"}
    assert coverage.severity is Severity.BLOCK  # from the preset
    # lists are replaced, not appended
    assert policy.check("cochange").config["items"] == [{"when": ["x"], "require": ["y"]}]
    # `false` disables without losing the preset's settings
    assert not policy.check("pr").enabled
    assert policy.check("pr").severity is Severity.WARN


def test_strict_preset_blocks_what_recommended_warns() -> None:
    policy = load("version: 1\nextends: strict\n")
    assert policy.layers == ("preset:recommended", "preset:strict")
    for cid in ("coverage", "env-vars", "pr", "review", "security"):
        assert policy.check(cid).severity is Severity.BLOCK, cid
        assert policy.check(cid).on_error is Severity.BLOCK, cid
    # a migration round trip that could not run proves nothing: strict blocks on it
    assert policy.check("migrations").rules == {
        "roundtrip-not-run": Severity.BLOCK,
        "empty-down": Severity.BLOCK,
        "missing-down": Severity.BLOCK,
    }
    assert load("version: 1\nextends: recommended\n").check("migrations").rules == {}
    # test code is judged like the rest, and so are bandit's low-confidence findings and
    # weak hashes that only name things
    bandit = {
        "test_files": [],
        "block_confidence": "low",
        "weak_hash_for_names": False,
        "chmod_exec_only": False,
        "tmp_paths": False,
        "sql_in_migrations": False,
    }
    assert policy.check("security").config["bandit"] == bandit
    # and so are example values in documentation and fixtures' secret-like values
    assert policy.check("security").config["secrets"] == {"doc_files": [], "test_files": []}
    assert policy.check("security").rules == {"secret-private-key": Severity.BLOCK}
    # every table counts as large: locks block whatever the table's size
    assert policy.check("migrations").config["large_tables"] == ["*"]
    # a request enum value the code never had, dropped from the spec, still blocks
    assert policy.check("openapi").config["enum_catch_up"] is False
    assert (
        load("version: 1\nextends: recommended\n")
        .check("openapi")
        .config.get("enum_catch_up", True)
    )
    # and a column dropped after its values were copied elsewhere blocks all the same
    assert policy.check("migrations").config["drop_after_copy"] is False
    assert (
        "large_tables" not in load("version: 1\nextends: recommended\n").check("migrations").config
    )


# --- overrides -----------------------------------------------------------------------


def test_agents_preset_is_stricter_for_agents_only() -> None:
    human = load("version: 1\nextends: [agents]\n", HUMAN)
    agent = load("version: 1\nextends: [agents]\n", AGENT)
    assert human.check("pr").severity is Severity.WARN
    assert human.check("coverage").config["diff_min"] == 80
    assert human.applied_overrides == ()
    assert human.agent_signal == ""
    assert agent.check("pr").severity is Severity.BLOCK
    assert agent.check("coverage").config["diff_min"] == 90
    assert agent.check("review").on_error is Severity.BLOCK
    assert agent.agent_signal == "login Copilot"
    assert agent.applied_overrides == ("agent-authored PRs meet the strict bar",)
    assert agent.digest != human.digest


def test_overrides_accumulate_across_layers() -> None:
    text = """\
version: 1
extends: [agents]
overrides:
  - when: {labels: [Hotfix]}
    checks: {coverage: false}
"""
    pr = PullRequest(author="Copilot", labels=("hotfix",))
    policy = load(text, pr)
    assert policy.applied_overrides == ("agent-authored PRs meet the strict bar", "overrides[1]")
    assert not policy.check("coverage").enabled
    assert policy.check("coverage").severity is Severity.BLOCK


def test_error_in_a_later_layers_override_points_at_its_own_line() -> None:
    text = "version: 1\nextends: [agents]\noverrides:\n  - when: {author: robot}\n    checks: {}\n"
    assert error_of(text) == (
        f"{SRC}:4: overrides[1].when.author: 'robot' is not one of 'agent', 'human'"
    )


OVERRIDES = """\
version: 1
checks:
  coverage: {diff_min: 80}
overrides:
  - name: agents
    when: {author: agent}
    checks: {coverage: {diff_min: 90}}
  - name: humans
    when: {author: human}
    checks: {coverage: {diff_min: 70}}
  - name: db
    when: {paths: ["migrations/**"], labels: [db]}
    checks: {coverage: {severity: warn}}
  - name: release
    when: {base_branch: "release/*"}
    checks: {coverage: false}
  - name: main
    when: {base_branch: [main, trunk]}
    checks: {coverage: {timeout: 60}}
"""


@pytest.mark.parametrize(
    ("pr", "paths", "applied"),
    [
        (HUMAN, (), ("humans", "main")),
        (AGENT, (), ("agents", "main")),
        (PullRequest(head_ref="claude/x", base_ref="refs/heads/trunk"), (), ("agents", "main")),
        (PullRequest(labels=("db",), base_ref="dev"), ("migrations/001.sql",), ("humans", "db")),
        (PullRequest(labels=("db",)), ("src/app.py",), ("humans",)),  # paths do not match
        (PullRequest(), ("migrations/001.sql",), ("humans",)),  # label missing
        (PullRequest(base_ref="release/1.2"), (), ("humans", "release")),
        (PullRequest(base_ref="feature/main"), (), ("humans",)),  # "main" is not a suffix glob
    ],
)
def test_overrides_match_author_labels_paths_and_base_branch(
    pr: PullRequest, paths: tuple[str, ...], applied: tuple[str, ...]
) -> None:
    policy = load(OVERRIDES, pr, changed_paths=paths)
    assert policy.applied_overrides == applied


def test_overrides_change_the_check_policy() -> None:
    assert load(OVERRIDES, AGENT).check("coverage").config["diff_min"] == 90
    assert load(OVERRIDES, HUMAN).check("coverage").config["diff_min"] == 70
    assert not load(OVERRIDES, PullRequest(base_ref="release/2")).check("coverage").enabled


def test_a_signal_already_on_the_pr_is_kept() -> None:
    pr = PullRequest(author="alice", agent_signal="flag --agent")
    policy = load(OVERRIDES, pr)
    assert policy.agent_signal == "flag --agent"
    assert "agents" in policy.applied_overrides


def test_policy_agents_block_feeds_detection() -> None:
    text = "version: 1\nagents:\n  labels: [ai-generated]\n  builtin: false\n" + OVERRIDES[11:]
    assert load(text, PullRequest(labels=("ai-generated",))).agent_signal == "label ai-generated"
    assert load(text, AGENT).agent_signal == ""  # built-in signals turned off


# --- waivers -------------------------------------------------------------------------

WAIVERS = """\
version: 1
waivers:
  - rule: openapi/response-property-removed
    path: openapi.yaml
    reason: v2 sunset, ADR-0012
    approved_by: "@org/api-leads"
    expires: 2027-01-31
  - {rule: "security/*", reason: test fixtures, approved_by: "@sec", fingerprint: abc123,
     permanent: true}
"""


def test_waivers_are_parsed() -> None:
    policy = load(WAIVERS, today=date(2027, 1, 31))
    assert policy.waivers == (
        Waiver(
            rule="openapi/response-property-removed",
            reason="v2 sunset, ADR-0012",
            approved_by="@org/api-leads",
            path="openapi.yaml",
            expires=date(2027, 1, 31),
        ),
        Waiver(rule="security/*", reason="test fixtures", approved_by="@sec", fingerprint="abc123"),
    )
    assert policy.expired_waivers == ()


def test_expired_waivers_are_kept_and_listed() -> None:
    policy = load(WAIVERS, today=date(2027, 2, 1))
    assert len(policy.waivers) == 2
    assert [w.rule for w in policy.expired_waivers] == ["openapi/response-property-removed"]


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        (
            "{rule: openapi/*, reason: r, approved_by: a, expires: 2027-02-30}",
            "waivers[0].expires: '2027-02-30' is not a real date",
        ),
        (
            "{rule: openapi/*, reason: r, approved_by: a, expires: next week}",
            "waivers[0].expires: 'next week' must be a date written YYYY-MM-DD",
        ),
        (
            "{rule: openapi/*, approved_by: a, expires: 2027-01-01}",
            "waivers[0]: missing required key 'reason'",
        ),
        (
            "{rule: openapi, reason: r, approved_by: a, expires: 2027-01-01}",
            "waivers[0].rule: 'openapi' must be written check/rule "
            "(globs allowed, e.g. 'openapi/*')",
        ),
        (
            "{rule: openapi/*, reason: '', approved_by: a, expires: 2027-01-01}",
            "waivers[0].reason: must not be empty",
        ),
    ],
)
def test_bad_waivers(waiver: str, message: str) -> None:
    assert error_of(f"version: 1\nwaivers:\n  - {waiver}\n") == f"{SRC}:3: {message}"


def test_waivers_that_are_not_mappings_are_schema_errors() -> None:
    assert error_of("version: 1\nwaivers: [x]\n") == f"{SRC}:2: waivers[0]: 'x' is not a mapping"
    assert error_of("version: 1\nwaivers: x\n") == f"{SRC}:2: waivers: 'x' is not a list"


# --- the effective document ----------------------------------------------------------


def test_digest_ignores_formatting_and_follows_content() -> None:
    a = load("version: 1\nchecks: {coverage: {diff_min: 80}, pr: true}\n")
    b = load(
        "# comment\nchecks:\n  pr: {enabled: true}\n  coverage:\n    diff_min: 80\nversion: 1\n"
    )
    c = load("version: 1\nchecks: {coverage: {diff_min: 81}, pr: true}\n")
    assert a.digest == b.digest != c.digest
    assert a.digest == digest(a.document)
    assert len(a.digest) == 64


def test_effective_document_is_a_policy_that_gives_the_same_checks() -> None:
    policy = load("version: 1\nextends: [agents]\n" + WAIVERS[11:], AGENT)
    assert "extends" not in policy.document and "overrides" not in policy.document
    shown = dump_document(policy.document)
    assert shown == dump_document(policy.document)
    again = load(shown, HUMAN)
    assert again.checks == policy.checks
    assert again.waivers == policy.waivers
    assert again.digest == policy.digest


def test_annotations_and_plugins() -> None:
    policy = load("version: 1\nannotations: {max: 10}\nplugins: [checks/ticket.py]\n")
    assert policy.max_annotations == 10
    assert policy.plugins == ("checks/ticket.py",)


def test_peek_plugins() -> None:
    assert peek_plugins(None, SRC) == ()
    assert peek_plugins("version: 1\nplugins: [a.py, b.py]\n", SRC) == ("a.py", "b.py")
    assert peek_plugins("version: 1\nchecks: {anything: true}\n", SRC) == ()
    files = {"org/base.yml": "plugins: [checks/x.py]\n"}
    assert peek_plugins("extends: org/base.yml\n", SRC, read_file=files.get) == ("checks/x.py",)
    with pytest.raises(PolicyError, match=rf"^{SRC}:2: plugins: must be a list"):
        peek_plugins("version: 1\nplugins: a.py\n", SRC)
    with pytest.raises(PolicyError, match="duplicate key"):
        peek_plugins("plugins: []\nplugins: []\n", SRC)


# --- edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [("true", "true"), ("~", "an empty value"), ("{a: 1}", "a mapping"), ("[a]", "a list")],
)
def test_values_are_shown_as_written(value: str, shown: str) -> None:
    text = f"version: 1\nchecks:\n  coverage:\n    report: {value}\n"
    assert error_of(text) == f"{SRC}:4: checks.coverage.report: {shown} is not a string"


def test_checks_must_be_a_mapping() -> None:
    assert (
        error_of("version: 1\nchecks: [coverage]\n") == f"{SRC}:2: checks: a list is not a mapping"
    )


def test_size_and_pattern_messages_are_sentences() -> None:
    class Patterned(Needy):
        id = "patterned"
        config_schema: ClassVar[dict[str, Any]] = {
            "type": "object",
            "properties": {
                "target": {"type": "string", "pattern": "^v[0-9]+$"},
                "items": {"type": "array"},
                "mode": {"type": "string", "maxLength": 2},
            },
        }

    text = "version: 1\nchecks:\n  patterned: {target: x, mode: abc}\n"
    message = error_of(text, checks={"patterned": Patterned})
    assert message.splitlines() == [
        f"{SRC}:3: checks.patterned.mode: may hold at most 2 characters",
        f"{SRC}:3: checks.patterned.target: 'x' does not match the pattern ^v[0-9]+$",
    ]
    policy = load("version: 1\nchecks:\n  patterned: [1, 2]\n", checks={"patterned": Patterned})
    assert policy.check("patterned").config == {"items": [1, 2]}


def test_a_check_default_that_breaks_its_own_schema_is_reported() -> None:
    class Broken(Needy):
        id = "broken"
        config_schema: ClassVar[dict[str, Any]] = {
            "type": "object",
            "properties": {"limit": {"type": "integer", "default": "ten"}},
        }

    message = error_of("version: 1\nchecks:\n  broken: {}\n", checks={"broken": Broken})
    assert message == f"{SRC}:3: checks.broken.limit: 'ten' is not a whole number"


def test_default_read_file_finds_nothing() -> None:
    with pytest.raises(PolicyError, match=r"'org/x\.yml' does not exist at the base commit"):
        load_policy("version: 1\nextends: org/x.yml\n", source=SRC, checks=CHECKS, pr=HUMAN)


def test_plugin_paths_are_normalized_and_must_stay_in_the_repository() -> None:
    policy = load("version: 1\nplugins: [./checks/a.py, checks/../checks/b.py]\n")
    assert policy.plugins == ("checks/a.py", "checks/b.py")
    assert peek_plugins("plugins: [./checks/a.py]\n", SRC) == ("checks/a.py",)
    bad = "version: 1\nplugins:\n  - ok.py\n  - ../../etc/evil.py\n"
    expected = f"{SRC}:4: plugins[1]: '../../etc/evil.py' must be a path inside the repository"
    assert error_of(bad) == expected
    with pytest.raises(PolicyError) as info:
        peek_plugins(bad, SRC)
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nchecks:\n", f"{SRC}:2: checks: an empty value is not a mapping"),
        (
            "version: 1\nchecks:\n  coverage:\n",
            f"{SRC}:3: checks.coverage: an empty value is not a mapping or true/false",
        ),
        (
            "version: 1\nchecks:\n  pr: {enabled: yes}\n",
            f"{SRC}:3: checks.pr.enabled: 'yes' is not true/false",
        ),
        (
            "version: true\n",
            f"{SRC}:1: version: true is not supported; this gatekeeper reads version: 1",
        ),
        (
            "version: 1\noverrides: [{checks: {}}]\n",
            f"{SRC}:2: overrides[0]: missing required key 'when'",
        ),
        (
            "version: 1\noverrides: [{when: {}, checks: {}}]\n",
            f"{SRC}:2: overrides[0].when: must not be empty",
        ),
    ],
)
def test_empty_and_mistyped_sections(text: str, expected: str) -> None:
    assert error_of(text) == expected


def test_bom_and_crlf_are_fine() -> None:
    policy = load("\ufeffversion: 1\r\nchecks:\r\n  pr: true\r\n")
    assert policy.check("pr").enabled


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "strin"},
        {"$ref": "#/$defs/missing"},
        {"$ref": "https://example.invalid/schema.json"},  # never fetched
        {"type": "string", "pattern": "["},
    ],
)
def test_a_broken_check_schema_is_a_plugin_error_not_a_traceback(broken: dict[str, Any]) -> None:
    class Broken(Needy):
        id = "broken"
        config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"n": broken}}

    with pytest.raises(PluginError, match="a check's config_schema is not valid JSON Schema"):
        load("version: 1\nchecks:\n  broken: {n: x}\n", checks={"broken": Broken})


def test_problems_from_every_stage_are_sorted_together() -> None:
    text = (
        "version: 1\n"
        "waivers:\n  - {rule: pr/*, reason: r, approved_by: x, expires: 2027-02-30}\n"
        "plugins: [../x.py]\n"
        "typo: 1\n"
    )
    assert error_of(text).splitlines() == [
        f"{SRC}:3: waivers[0].expires: '2027-02-30' is not a real date",
        f"{SRC}:4: plugins[0]: '../x.py' must be a path inside the repository",
        f"{SRC}:5: typo: unknown key 'typo'",
    ]


def test_overrides_of_the_wrong_type_in_a_lower_layer_are_replaced_then_reported() -> None:
    files = {"base.yml": "version: 1\noverrides: {when: x}\n"}
    text = "version: 1\nextends: base.yml\noverrides:\n  - when: {author: agent}\n    checks: {}\n"
    assert load(text, files=files).applied_overrides == ()
    files = {"base.yml": "version: 1\noverrides:\n  - when: {author: agent}\n    checks: {}\n"}
    message = error_of("version: 1\nextends: base.yml\noverrides: {when: x}\n", files=files)
    assert message == f"{SRC}:3: overrides: a mapping is not a list"
