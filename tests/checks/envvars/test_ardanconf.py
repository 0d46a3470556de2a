"""Settings read by ardanlabs/conf: the fields of the struct given to ``conf.Parse``, named
PREFIX + the camel-case words of the field path, on real git repositories."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.envvars.text_ardanconf import camel_split
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

CONF = "backend/internal/config/conf.go"
DB = "backend/internal/config/conf_database.go"
DOCS = "docs/configure.md"
MAIN = """package config

import (
\t"fmt"

\t"github.com/ardanlabs/conf/v3"
)

type Config struct {
\tconf.Version
\tMode     string   `conf:"default:development"`
\tWeb      WebConfig
\tDatabase Database
{extra}}

type WebConfig struct {
\tPort        string `conf:"default:7745"`
\tReadTimeout int
{web}}

func New() (*Config, error) {
\tvar cfg Config
\tconst prefix = "HBOX"
\thelp, err := conf.Parse(prefix, &cfg)
\tfmt.Println(help)
\treturn &cfg, err
}
"""
DATABASE = """package config

type Database struct {
\tDriver     string `conf:"default:sqlite3"`
\tSqlitePath string
{db}}

type unrelated struct {
\tLooseEnd string
}

type Other struct {
\tNeverParsed string
}
"""
DOCUMENTED = "| Variable | Default |\n|---|---|\n" + "".join(
    f"| {n} | x |\n"
    for n in (
        "HBOX_MODE",
        "HBOX_WEB_PORT",
        "HBOX_WEB_READ_TIMEOUT",
        "HBOX_DATABASE_DRIVER",
        "HBOX_DATABASE_SQLITE_PATH",
    )
)


def _files(extra: str = "", web: str = "", db: str = "") -> dict[str, str]:
    main = MAIN.replace("{extra}", extra).replace("{web}", web)
    return {CONF: main, DB: DATABASE.replace("{db}", db)}


def _undocumented(found: list[Finding]) -> list[tuple[str, str | None, int | None]]:
    return [
        (
            f.message.split()[0],
            f.location.path if f.location else None,
            f.location.start_line if f.location else None,
        )
        for f in found
        if f.rule.endswith("undocumented")
    ]


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("LabelServiceUrl", ["Label", "Service", "Url"]),
        ("APIKeyPepper", ["API", "Key", "Pepper"]),
        ("SslRootCert", ["Ssl", "Root", "Cert"]),
        ("OpenFoodFactsContact", ["Open", "Food", "Facts", "Contact"]),
        ("V2Api", ["V", "2", "Api"]),
        ("ID", ["ID"]),
        ("X", ["X"]),
    ],
)
def test_field_names_split_as_the_library_splits_them(field: str, words: list[str]) -> None:
    assert camel_split(field) == words


def test_a_new_field_of_a_section_in_another_file_fires(git_repo: Any) -> None:
    base = {**_files(), DOCS: DOCUMENTED}
    found = run_on_git(git_repo, base, _files(db="\tPubSubConnString string\n"))
    assert _undocumented(found) == [("HBOX_DATABASE_PUB_SUB_CONN_STRING", DB, 6)]


def test_a_new_section_makes_each_of_its_fields_a_read(git_repo: Any) -> None:
    extra = "\tBarcode  BarcodeConf\n"
    head = _files(extra=extra)
    head[CONF] += "\ntype BarcodeConf struct {\n\tTokenBarcodespider string\n}\n"
    found = run_on_git(git_repo, {**_files(), DOCS: DOCUMENTED}, head)
    assert [n for n, _, _ in _undocumented(found)] == ["HBOX_BARCODE_TOKEN_BARCODESPIDER"]


def test_a_field_moved_or_reformatted_is_not_new(git_repo: Any) -> None:
    # ReadTimeout moves to the section's other file position, the tags are realigned, and
    # an undocumented field merged before stays as it was: nothing is new
    base = {**_files(db="\tPubSubConnString string\n"), DOCS: DOCUMENTED}
    head = _files(db="\tPubSubConnString    string   // where events go\n")
    head[CONF] = head[CONF].replace(
        '\tPort        string `conf:"default:7745"`\n\tReadTimeout int\n',
        '\tReadTimeout int\n\tPort string `conf:"default:7745"`\n',
    )
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_an_env_tag_names_the_variable_after_the_prefix(git_repo: Any) -> None:
    tagged = '\tAPIKey string `conf:"env:API_TOKEN,noprint"`\n'
    found = run_on_git(git_repo, {**_files(), DOCS: DOCUMENTED}, _files(web=tagged))
    assert [n for n, _, _ in _undocumented(found)] == ["HBOX_API_TOKEN"]


def test_fields_the_library_does_not_set_read_nothing(git_repo: Any) -> None:
    ignored = (
        '\tSkipped string `conf:"-"`\n'
        '\tFixed string `conf:"immutable,default:x"`\n'
        "\tprivate string\n"
        "\tArgs conf.Args\n"
    )
    found = run_on_git(git_repo, {**_files(), DOCS: DOCUMENTED}, _files(web=ignored))
    assert _undocumented(found) == []


def test_structs_no_parse_call_reaches_read_nothing(git_repo: Any) -> None:
    # Other and unrelated are declared beside the sections but never reach conf.Parse
    head = _files()
    head[DB] = head[DB].replace("\tNeverParsed string\n", "\tNeverParsed string\n\tNewOne int\n")
    assert _undocumented(run_on_git(git_repo, {**_files(), DOCS: DOCUMENTED}, head)) == []


def test_the_same_struct_without_the_library_reads_nothing(git_repo: Any) -> None:
    new = _files(web="\tNew int\n")
    base = {p: t.replace("conf.Parse(", "other.Parse(") for p, t in _files().items()}
    head = {p: t.replace("conf.Parse(", "other.Parse(") for p, t in new.items()}
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_the_option_s_flag_in_the_docs_documents_it(git_repo: Any) -> None:
    docs = DOCUMENTED + "\n- `--web-max-upload-size` (int)\n"
    head = {**_files(web="\tMaxUploadSize int\n"), DOCS: docs}
    found = run_on_git(git_repo, {**_files(), DOCS: DOCUMENTED}, head)
    assert _undocumented(found) == []


def test_an_inline_struct_and_the_v1_call_are_walked(git_repo: Any) -> None:
    service = """package main

import (
\t"os"

\t"github.com/ardanlabs/conf"
)

func run() error {
\tcfg := struct {
\t\tconf.Version
\t\tWeb struct {
\t\t\tAPIHost string `conf:"default:0.0.0.0:3000"`
{extra}\t\t}
\t\tAuth struct {
\t\t\tKeysFolder string
\t\t}
\t}{}
\treturn conf.Parse(os.Args[1:], "SALES", &cfg)
}
"""
    docs = {"README.md": "- `SALES_WEB_API_HOST`\n- `SALES_AUTH_KEYS_FOLDER`\n"}
    path = "app/sales-api/main.go"
    base = {path: service.replace("{extra}", ""), **docs}
    head = {path: service.replace("{extra}", "\t\t\tShutdownTimeout int\n")}
    found = run_on_git(git_repo, base, head)
    assert _undocumented(found) == [("SALES_WEB_SHUTDOWN_TIMEOUT", path, 14)]
