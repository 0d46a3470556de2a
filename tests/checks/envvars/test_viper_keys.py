"""Keys read through viper where the repository calls ``AutomaticEnv`` (text_viper), and
their documentation by key path (configdocs.py, Markdown), on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.configdocs import is_sample, parse_sample
from gatekeeper.checks.envvars.docmarkdown import parse_markdown
from gatekeeper.checks.envvars.docs import Documentation
from gatekeeper.checks.envvars.text_viper import Setup, env_names, setups, viper_reads
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

#: vikunja's layout: typed keys, their viper methods, and the setup in one file
SETUP = """package config

import (
	"strings"

	"github.com/spf13/viper"
)

// Key is a configuration key
type Key string

const (
	DatabaseHost Key = `database.host`
	ServiceJWTSecret Key = `service.JWTSecret`
{new}
)

func (k Key) GetString() string {{
	return viper.GetString(string(k))
}}

func (k Key) setDefault(i interface{{}}) {{
	viper.SetDefault(string(k), i)
}}

func InitConfig() {{
	viper.SetEnvPrefix("vikunja")
	viper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	viper.AutomaticEnv()
}}
"""
NEW_KEY = "\tDatabaseSchema Key = `database.schema`"
#: the line of NEW_KEY in SETUP
NEW_LINE = 15


def _config(new: str = "") -> str:
    return SETUP.format(new=new)


_run = run_on_git


def _undocumented(found: list[Finding]) -> list[tuple[str, int | None]]:
    return [
        (f.message.split()[0], f.location.start_line if f.location else None)
        for f in found
        if f.rule.endswith("undocumented")
    ]


def test_a_new_typed_key_undocumented_fires_naming_its_variable(git_repo: Any) -> None:
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config(), "README.md": "`VIKUNJA_DATABASE_HOST` sets it\n"},
        {"pkg/config/config.go": _config(NEW_KEY)},
    )
    assert _undocumented(found) == [("VIKUNJA_DATABASE_SCHEMA", NEW_LINE)]
    assert "database.schema" in found[0].message and "AutomaticEnv" in found[0].message


def test_a_key_documented_in_a_nested_yaml_sample_does_not_fire(git_repo: Any) -> None:
    sample = "database:\n  host: localhost\n  schema: public\n"
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {"pkg/config/config.go": _config(NEW_KEY), "config.yml.sample": sample},
    )
    assert _undocumented(found) == []


def test_a_key_commented_out_nested_in_a_yaml_sample_does_not_fire(git_repo: Any) -> None:
    # openmeter's config.example.yaml: an optional setting shown commented out, its
    # mapping commented out too, under a live one
    sample = (
        "database:\n  host: localhost\n  # options:\n  #   # the schema to use\n"
        "  #   timeout: 5\n  # schema: public\nother: 1\n"
    )
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {"pkg/config/config.go": _config(NEW_KEY), "config.example.yaml": sample},
    )
    assert _undocumented(found) == []


def test_a_commented_out_key_under_another_mapping_does_not_document(git_repo: Any) -> None:
    # the same leaf commented out under another path, or one level deeper
    sample = (
        "cache:\n  # schema: public\ndatabase:\n  host: localhost\n  pool:\n    # schema: public\n"
    )
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {"pkg/config/config.go": _config(NEW_KEY), "config.example.yaml": sample},
    )
    assert _undocumented(found) == [("VIKUNJA_DATABASE_SCHEMA", NEW_LINE)]


def test_commented_out_yaml_keys_nest_by_their_column() -> None:
    doc = Documentation()
    text = (
        "a:\n  b: 1\n  # c:\n  #   # prose: here\n  #   d: 2\n  text: |\n    # e: 3\n"
        "  # f: x\n# g:\n#   h: 1\n"
    )
    assert parse_sample("config.example.yaml", text, doc)
    assert {"a.c", "a.c.d", "a.f", "a.g", "a.g.h"} <= set(doc.keys)
    assert not {"a.c.prose", "a.text.e", "a.b.c", "c.d", "a.e"} & set(doc.keys)
    only = Documentation()
    assert parse_sample("config.sample.yml", "# server:\n#   port: 80\n", only)
    assert set(only.keys) == {"server", "server.port"}


def test_a_key_in_a_key_children_json_tree_does_not_fire(git_repo: Any) -> None:
    tree = (
        '{"children": [{"key": "database", "children": ['
        '{"key": "host", "default_value": "localhost"},'
        '{"key": "Schema", "comment": "the PostgreSQL schema"}]}]}'
    )
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {"pkg/config/config.go": _config(NEW_KEY), "config-raw.json": tree},
    )
    assert _undocumented(found) == []


def test_a_sibling_key_of_the_tree_does_not_document_another(git_repo: Any) -> None:
    tree = '{"children": [{"key": "database", "children": [{"key": "host"}]}]}'
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config(), "config-raw.json": tree},
        {"pkg/config/config.go": _config(NEW_KEY), "config-raw.json": tree},
    )
    assert _undocumented(found) == [("VIKUNJA_DATABASE_SCHEMA", NEW_LINE)]


def test_the_variable_named_in_the_readme_does_not_fire(git_repo: Any) -> None:
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {
            "pkg/config/config.go": _config(NEW_KEY),
            "README.md": "Set `VIKUNJA_DATABASE_SCHEMA` to use another schema.\n",
        },
    )
    assert _undocumented(found) == []


def test_the_dotted_key_in_a_markdown_table_does_not_fire(git_repo: Any) -> None:
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {
            "pkg/config/config.go": _config(NEW_KEY),
            "docs/config.md": "| key | what |\n|---|---|\n| `database.schema` | the schema |\n",
        },
    )
    assert _undocumented(found) == []


def test_a_key_read_at_base_in_an_untouched_file_is_not_new(git_repo: Any) -> None:
    setup = (
        'package main\n\nimport (\n\t"strings"\n\n\t"github.com/spf13/viper"\n)\n\n'
        'func init() {\n\tviper.SetEnvPrefix("app")\n'
        '\tviper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))\n\tviper.AutomaticEnv()\n}\n'
    )
    reader = 'package db\n\nimport "github.com/spf13/viper"\n\nfunc Schema() string {{\n{}}}\n'
    found = _run(
        git_repo,
        {
            "cmd/app/main.go": setup,
            "pkg/db/db.go": reader.format('\treturn viper.GetString("database.schema")\n'),
            "pkg/files/files.go": reader.format('\treturn ""\n'),
        },
        {
            "pkg/files/files.go": reader.format(
                '\t_ = viper.GetString("Database.Schema")\n'
                '\treturn viper.GetString("files.tempdir")\n'
            ),
        },
    )
    assert _undocumented(found) == [("APP_FILES_TEMPDIR", 7)]


def test_without_automaticenv_a_viper_getter_reads_no_variable(git_repo: Any) -> None:
    config = _config(NEW_KEY).replace("\tviper.AutomaticEnv()\n", "")
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config().replace("\tviper.AutomaticEnv()\n", "")},
        {
            "pkg/config/config.go": config,
            "cmd/main.go": 'package main\nimport "github.com/spf13/viper"\n'
            'var port = viper.GetInt("port")\n',
        },
    )
    assert found == []


def test_a_dotted_key_without_a_replacer_reads_no_variable(git_repo: Any) -> None:
    main = (
        'package main\n\nimport "github.com/spf13/viper"\n\nfunc main() {\n'
        '\tviper.SetEnvPrefix("memos")\n\tviper.AutomaticEnv()\n'
        '\t_ = viper.GetString("database.schema")\n\t_ = viper.GetInt("port")\n}\n'
    )
    found = _run(git_repo, {"README.md": "x\n"}, {"cmd/main.go": main})
    assert _undocumented(found) == [("MEMOS_PORT", 9)]


def test_a_viper_value_and_a_constant_key_are_read(git_repo: Any) -> None:
    main = (
        'package main\n\nimport (\n\t"strings"\n\n\t"github.com/spf13/viper"\n)\n\n'
        'const keyDSN = "db-dsn"\n\n'
        "type server struct {\n\tcfg *viper.Viper\n}\n\n"
        "func load() *viper.Viper {\n\tv := viper.New()\n"
        '\tv.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))\n\tv.AutomaticEnv()\n'
        '\t_ = v.GetDuration("timeout")\n\treturn v\n}\n\n'
        "func (s *server) dsn() string { return s.cfg.GetString(keyDSN) }\n"
    )
    found = _run(git_repo, {"README.md": "x\n"}, {"cmd/main.go": main})
    assert _undocumented(found) == [("TIMEOUT", 19), ("DB_DSN", 23)]


def test_typed_key_methods_in_another_file_of_the_package(git_repo: Any) -> None:
    methods = (
        'package config\n\nimport (\n\t"strings"\n\n\t"github.com/spf13/viper"\n)\n\n'
        "type Key string\n\n"
        "func (k Key) Int() int { return viper.GetInt(string(k)) }\n\n"
        'func init() {\n\tviper.SetEnvPrefix("app")\n'
        '\tviper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))\n\tviper.AutomaticEnv()\n}\n'
    )
    keys = 'package config\n\nconst (\n\tWorkers Key = "queue.workers"\n{})\n'
    enum = 'package jobs\n\ntype Kind string\n\nconst Nightly Kind = "nightly.run"\n'
    found = _run(
        git_repo,
        {"pkg/config/key.go": methods, "pkg/config/keys.go": keys.format("")},
        {
            "pkg/config/keys.go": keys.format('\tRetries Key = "queue.retries"\n'),
            "pkg/jobs/kind.go": enum,
        },
    )
    assert _undocumented(found) == [("APP_QUEUE_RETRIES", 5)]


def test_two_setups_make_alternatives(git_repo: Any) -> None:
    def main(prefix: str) -> str:
        return (
            f'package main\n\nimport "github.com/spf13/viper"\n\nfunc init() {{\n'
            f'\tviper.SetEnvPrefix("{prefix}")\n\tviper.AutomaticEnv()\n}}\n'
        )

    reader = 'package x\n\nimport "github.com/spf13/viper"\n\nvar p = viper.GetInt("port")\n'
    found = _run(
        git_repo,
        {"cmd/a/main.go": main("alpha"), "cmd/b/main.go": main("beta")},
        {"pkg/x/x.go": reader, ".env.example": "BETA_PORT=8080\n"},
    )
    assert _undocumented(found) == []


def test_a_sample_that_does_not_parse_documents_nothing(git_repo: Any) -> None:
    found = _run(
        git_repo,
        {"pkg/config/config.go": _config()},
        {"pkg/config/config.go": _config(NEW_KEY), "config.yaml": "database: [schema\n"},
    )
    assert _undocumented(found) == [("VIKUNJA_DATABASE_SCHEMA", NEW_LINE)]


def test_env_names_follow_vipers_rules() -> None:
    dots = Setup("vikunja", ((".", "_"),))
    assert env_names("service.JWTSecret", [dots]) == ["VIKUNJA_SERVICE_JWTSECRET"]
    assert env_names("log-level", [Setup("memos", (("-", "_"),))]) == ["MEMOS_LOG_LEVEL"]
    assert env_names("database.schema", [Setup("memos", (("-", "_"),))]) == []
    assert env_names("port", [Setup("", ())]) == ["PORT"]
    assert env_names("a.b-c", [Setup("x", ((".", "__"), ("-", "_")))]) == ["X_A__B_C"]


def test_setups_need_the_import_and_the_call() -> None:
    call = 'viper.SetEnvPrefix("app")\nviper.AutomaticEnv()\n'
    imported = f'import "github.com/spf13/viper"\n{call}'
    assert setups([call]) == ()
    assert setups(['import "github.com/spf13/viper"\n"AutomaticEnv": nil\n']) == ()
    assert setups([imported]) == (Setup("app", ()),)
    # the typed idiom's constants are no reads without a setup
    assert viper_reads(imported + 'const A Key = "a"\n', lambda _: None, ()) == []


def test_markdown_dotted_keys_are_keys_not_names() -> None:
    doc = Documentation()
    parse_markdown("docs/c.md", "Use `files.s3.tempdir: /tmp` or `DATABASE_URL`.\n", doc)
    assert doc.find_key("FILES.S3.TEMPDIR") == ("docs/c.md", 1)
    assert set(doc.names) == {"DATABASE_URL"}


def test_sample_names() -> None:
    yes = ["config.yml", "config-raw.json", "deploy/config.toml.example", "app.sample.yaml"]
    no = ["tsconfig.json", "package.json", "docker-compose.yml", "config.go", "values.yaml"]
    assert [p for p in yes + no if is_sample(p)] == yes
