"""Options declared with Ruby's Konfig DSL (Postal's ``config_schema.rb``), each read from
the environment as GROUP_OPTION, on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.text_konfig import konfig_reads
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

SCHEMA = "lib/app/config_schema.rb"
DOCS = "doc/config/environment-variables.md"


def _schema(extra: str = "") -> str:
    return (
        "module App\n  ConfigSchema = Konfig::Schema.draw do\n"
        "    group :message_db do\n"
        '      string :host do\n        default "localhost"\n      end\n\n'
        f"{extra}"
        "      integer :port do\n        default 3306\n      end\n"
        "    end\n\n"
        "    group :logging do\n      boolean :enabled do\n        default true\n      end\n"
        "    end\n  end\nend\n"
    )


ENCODING = '      string :encoding do\n        description "The encoding"\n      end\n\n'
DOCUMENTED = "| `MESSAGE_DB_HOST` | String |\n| `MESSAGE_DB_PORT` | Integer |\n"


def _undocumented(found: list[Finding]) -> list[tuple[str, int | None]]:
    return [
        (f.message.split()[0], f.location.start_line if f.location else None)
        for f in found
        if f.rule.endswith("undocumented")
    ]


def test_each_option_of_a_group_is_its_variable() -> None:
    reads = konfig_reads(_schema(ENCODING))
    assert [(r.name, r.line, r.keys) for r in reads] == [
        ("MESSAGE_DB_HOST", 4, ("message_db.host",)),
        ("MESSAGE_DB_ENCODING", 8, ("message_db.encoding",)),
        ("MESSAGE_DB_PORT", 12, ("message_db.port",)),
        ("LOGGING_ENABLED", 18, ("logging.enabled",)),
    ]
    # the same words outside a Konfig schema are no reads
    assert konfig_reads(_schema(ENCODING).replace("Konfig::Schema.draw", "Other.draw")) == []


def test_a_new_option_undocumented_fires(git_repo: Any) -> None:
    found = _run(git_repo, {SCHEMA: _schema(), DOCS: DOCUMENTED}, {SCHEMA: _schema(ENCODING)})
    assert _undocumented(found) == [("MESSAGE_DB_ENCODING", 8)]


def test_a_new_option_documented_in_the_same_change_passes(git_repo: Any) -> None:
    docs = DOCUMENTED + "| `MESSAGE_DB_ENCODING` | String |\n"
    found = _run(git_repo, {SCHEMA: _schema(), DOCS: DOCUMENTED},
                 {SCHEMA: _schema(ENCODING), DOCS: docs})  # fmt: skip
    assert _undocumented(found) == []


def test_a_new_option_whose_key_a_config_sample_names_passes(git_repo: Any) -> None:
    sample = "message_db:\n  host: localhost\n  encoding: utf8mb4\n"
    found = _run(git_repo, {SCHEMA: _schema(), DOCS: DOCUMENTED},
                 {SCHEMA: _schema(ENCODING), "config/app.example.yml": sample})  # fmt: skip
    assert _undocumented(found) == []


def test_an_option_present_at_base_is_not_new(git_repo: Any) -> None:
    # the schema edited around an undocumented option merged before: nothing new is read
    found = _run(git_repo, {SCHEMA: _schema(ENCODING), DOCS: DOCUMENTED},
                 {SCHEMA: _schema(ENCODING).replace("default 3306", "default 3307")})  # fmt: skip
    assert _undocumented(found) == []


_run = run_on_git
