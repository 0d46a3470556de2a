"""Settings-reading styles of real projects the check once missed, each end to end on a
real repository: a new undocumented read fires; the same read documented, or already made
at base, passes; and the look-alikes a widened pattern could take for a read stay quiet.

Spring/Micronaut/Quarkus ``${X}`` placeholders and ``@Value`` (text_spring); Rails' ERB in
YAML config, ``ENV.key?`` and Figaro (text_ruby); SvelteKit's and Astro's env modules,
env-var, Vite's ``loadEnv``, ``Bun.env``, optional chaining (text_jsmodules, text_names);
envalid's ``cleanEnv`` and convict's ``env:`` (text_schemas); click's and typer's
``envvar=``, pydantic's ``Annotated[..., Field(...)]`` and nested models read whole
(python_walk, pydantic_fields); cleanenv's and kong's ``env:"X"`` tags (text_gotags);
envy's structs (text_rustenvy); Symfony's ``#[Autowire(env:)]`` and ``services.xml``
(text_php)."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

EXAMPLE = ".env.example"


def _undocumented(found: list[Finding]) -> set[str]:
    return {f.message.split()[0] for f in found if f.rule == "undocumented"}


#: (id, files of the pull request, the variable they start reading)
FIRES: list[tuple[str, dict[str, str], str]] = [
    (
        "spring-yaml",
        {"src/main/resources/application.yml": "app:\n  url: ${NEW_SETTING}\n"},
        "NEW_SETTING",
    ),
    (
        "spring-yaml-default-nested",
        {"api/src/main/resources/application-prod.yaml": "a:\n  b: ${OLD_X:${NEW_SETTING:8}}\n"},
        "NEW_SETTING",
    ),
    (
        "quarkus-properties",
        {"src/main/resources/application.properties": "quarkus.x=${NEW_SETTING:abc}\n"},
        "NEW_SETTING",
    ),
    (
        "hocon",
        {"src/main/resources/application.conf": "ktor {\n  port = ${?NEW_SETTING}\n}\n"},
        "NEW_SETTING",
    ),
    (
        "spring-value-java",
        {"src/main/java/A.java": 'class A { @Value("${NEW_SETTING:x}") String s; }\n'},
        "NEW_SETTING",
    ),
    (
        "spring-value-kotlin",
        {"src/main/kotlin/A.kt": 'class A(@Value("\\${NEW_SETTING}") val s: String)\n'},
        "NEW_SETTING",
    ),
    (
        "rails-yaml-erb",
        {"config/database.yml": "production:\n  url: <%= ENV['NEW_SETTING'] %>\n"},
        "NEW_SETTING",
    ),
    (
        "rails-yaml-erb-fetch",
        {"config/storage.yml": 'amazon:\n  bucket: <%= ENV.fetch("NEW_SETTING") { "b" } %>\n'},
        "NEW_SETTING",
    ),
    ("ruby-key?", {"app.rb": "on = ENV.key?('NEW_SETTING')\n"}, "NEW_SETTING"),
    ("ruby-include?", {"app.rb": 'on = ENV.include?("NEW_SETTING")\n'}, "NEW_SETTING"),
    ("figaro", {"config/initializers/a.rb": "x = Figaro.env.new_setting!\n"}, "NEW_SETTING"),
    (
        "sveltekit-static",
        {
            "src/lib/server/db.ts": (
                "import { OLD_X, NEW_SETTING as url } from '$env/static/private';\n"
                "export const u = url;\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "sveltekit-dynamic",
        {
            "src/lib/server/db.ts": (
                "import { env } from '$env/dynamic/private';\nexport const u = env.NEW_SETTING;\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "astro-env",
        {"src/a.ts": "import { NEW_SETTING } from 'astro:env/server';\nexport const x = 1;\n"},
        "NEW_SETTING",
    ),
    (
        "env-var",
        {"src/c.js": "const env = require('env-var');\nconst x = env.get('NEW_SETTING').asInt();"},
        "NEW_SETTING",
    ),
    (
        "vite-loadEnv",
        {
            "vite.config.ts": (
                "import { defineConfig, loadEnv } from 'vite';\n"
                "export default ({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), '');\n"
                "  return { base: env.NEW_SETTING };\n};\n"
            )
        },
        "NEW_SETTING",
    ),
    ("bun-env", {"src/a.ts": "const x = Bun.env.NEW_SETTING;\n"}, "NEW_SETTING"),
    ("optional-chaining", {"src/a.ts": "const x = process?.env?.NEW_SETTING;\n"}, "NEW_SETTING"),
    (
        "envalid",
        {
            "src/env.ts": (
                "import { cleanEnv, str, port } from 'envalid';\n"
                "export const env = cleanEnv(process.env, {\n  OLD_X: str(),\n"
                "  NEW_SETTING: port({ default: 3000 }),\n});\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "envalid-named-spec",
        {
            "src/env.ts": (
                "const specs = {\n  NEW_SETTING: str(),\n};\n"
                "export const env = cleanEnv(process.env, specs);\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "convict",
        {
            "src/config.js": (
                "const convict = require('convict');\nmodule.exports = convict({\n"
                "  port: { doc: 'p', format: 'port', default: 8080, env: 'NEW_SETTING' },\n});\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "click-envvar",
        {
            "cli.py": (
                "import click\n@click.command()\n@click.option('--x', envvar='NEW_SETTING')\n"
                "def main(x):\n    pass\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "click-envvar-list",
        {
            "cli.py": (
                "from click import command, option\n@command()\n"
                "@option('--x', envvar=['NEW_SETTING', 'OTHER_NAME'])\ndef main(x):\n    pass\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "typer-annotated",
        {
            "cli.py": (
                "from typing import Annotated\nimport typer\n"
                "def main(x: Annotated[str, typer.Option(envvar='NEW_SETTING')] = 'a'):\n"
                "    pass\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "pydantic-annotated-alias",
        {
            "config.py": (
                "from typing import Annotated\nfrom pydantic import Field\n"
                "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n"
                "    x: Annotated[str, Field(validation_alias='NEW_SETTING')] = 'a'\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "go-cleanenv",
        {
            "config.go": (
                'package config\nimport "github.com/ilyakaznacheev/cleanenv"\n'
                'type C struct {\n\tX string `yaml:"x" env:"NEW_SETTING" env-default:"a"`\n}\n'
                "func Load() { var c C; cleanenv.ReadEnv(&c) }\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "go-kong-var-struct",
        {
            "main.go": (
                'package main\nimport "github.com/alecthomas/kong"\nvar CLI struct {\n'
                '\tX string `help:"x" env:"NEW_SETTING"`\n}\nfunc main() { kong.Parse(&CLI) }\n'
            )
        },
        "NEW_SETTING",
    ),
    (
        "rust-envy-turbofish-prefixed",
        {
            "src/config.rs": (
                "#[derive(serde::Deserialize)]\npub struct Config {\n    pub setting: String,\n}\n"
                'pub fn load() -> Config { envy::prefixed("NEW_").from_env::<Config>().unwrap() }\n'
            )
        },
        "NEW_SETTING",
    ),
    (
        "rust-envy-let-typed-renamed",
        {
            "src/config.rs": (
                "#[derive(Deserialize)]\npub struct Config {\n"
                '    #[serde(rename = "new_setting")]\n    pub x: Option<HashMap<String, u8>>,\n'
                "    #[serde(flatten)]\n    pub rest: Other,\n}\n"
                "pub fn load() -> Config {\n    let c: Config = envy::from_env().unwrap();\n"
                "    c\n}\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "rust-envy-returned",
        {
            "src/config.rs": (
                "#[derive(Deserialize)]\npub struct Config {\n    new_setting: u16,\n}\n"
                "pub fn load() -> Result<Config, envy::Error> {\n    envy::from_env()\n}\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "symfony-autowire-env",
        {
            "src/Mailer.php": (
                "<?php\nclass Mailer {\n    public function __construct(\n"
                "        #[Autowire(env: 'NEW_SETTING')] private string $dsn,\n    ) {}\n}\n"
            )
        },
        "NEW_SETTING",
    ),
    (
        "symfony-services-xml",
        {"config/services.xml": '<container><parameter key="x">%env(NEW_SETTING)%</parameter>\n'},
        "NEW_SETTING",
    ),
    (
        "go-cleanenv-env-prefix",
        {
            "config.go": (
                'package config\nimport "github.com/ilyakaznacheev/cleanenv"\n'
                'type Db struct {\n\tHost string `env:"SETTING"`\n}\n'
                'type C struct {\n\tDb Db `env-prefix:"NEW_"`\n}\n'
            )
        },
        "NEW_SETTING",
    ),
]


@pytest.mark.parametrize(("files", "name"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_a_new_undocumented_read_fires(git_repo: Any, files: dict[str, str], name: str) -> None:
    found = run_on_git(git_repo, {EXAMPLE: "APP_KEY=\n"}, {EXAMPLE: "APP_KEY=\n", **files})
    assert name in _undocumented(found)
    assert "X" not in _undocumented(found)  # a field's own name is not the variable


@pytest.mark.parametrize(("files", "name"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_the_same_read_documented_passes(git_repo: Any, files: dict[str, str], name: str) -> None:
    example = f"APP_KEY=\nOLD_X=\n{name}=\n"
    found = run_on_git(git_repo, {EXAMPLE: example}, {EXAMPLE: example, **files})
    assert _undocumented(found) == set()


@pytest.mark.parametrize(("files", "name"), [f[1:] for f in FIRES], ids=[f[0] for f in FIRES])
def test_the_same_read_made_at_base_passes(git_repo: Any, files: dict[str, str], name: str) -> None:
    example = {EXAMPLE: "APP_KEY=\nOLD_X=\nOTHER_NAME=\n"}
    touched = {path: text + "\n" for path, text in files.items()}
    found = run_on_git(git_repo, {**example, **files}, {**example, **touched})
    assert _undocumented(found) == set()


#: (id, files of the pull request): none reads a variable
QUIET: list[tuple[str, dict[str, str]]] = [
    (
        "spring-property-reference",
        {
            "src/main/resources/application.yml": (
                "app:\n  a: ${server.port}\n  b: ${app-name:x}\n  c: ${user.home}\n  d: ${Foo}\n"
            )
        },
    ),
    (
        "windows-own-variable",
        {"src/main/resources/application-windows.yml": "komga:\n  dir: ${LOCALAPPDATA}/komga\n"},
    ),
    ("placeholder-outside-application-config", {"config/other.yml": "a: ${NEW_SETTING}\n"}),
    (
        "properties-not-application",
        {"gradle.properties": "version=${NEW_SETTING}\n"},
    ),
    ("value-of-a-property", {"A.java": 'class A { @Value("${app.url}") String s; }\n'}),
    (
        "yaml-naming-env-without-erb",
        {"config/notes.yml": "help: \"set ENV['NEW_SETTING'] to enable it\"\n"},
    ),
    ("erb-yaml-without-env", {"config/cable.yml": "production:\n  env: <%= Rails.env %>\n"}),
    (
        "upper-case-import-from-own-module",
        {"src/a.ts": "import { NEW_SETTING } from './limits';\nexport const x = NEW_SETTING;\n"},
    ),
    (
        "get-on-another-object",
        {"src/a.js": "const env = require('./env');\nconst x = env.get('NEW_SETTING');\n"},
    ),
    (
        "convict-like-env-key-elsewhere",
        {"src/a.js": "const cfg = { port: { env: 'NEW_SETTING' } };\n"},
    ),
    (
        "convict-environment-name",
        {"src/c.js": "const c = convict({ env: { default: 'dev', env: 'production' } });\n"},
    ),
    (
        "clean-env-without-schema-object",
        {"src/a.ts": "export const env = cleanEnv(process.env, makeSpecs());\n"},
    ),
    (
        "envvar-keyword-of-another-library",
        {"cli.py": "import mylib\nmylib.option('--x', envvar='NEW_SETTING')\n"},
    ),
    (
        "a-load-env-of-its-own",
        {
            "src/a.test.ts": (
                "async function loadEnv() { return import('./env'); }\n"
                "const env = loadEnv();\nconst x = env.NEW_SETTING;\n"
            )
        },
    ),
    (
        "autowire-of-a-service-or-in-a-string",
        {
            "src/A.php": (
                "<?php\nclass A {\n    public function __construct(\n"
                "        #[Autowire(service: 'mailer')] private $m,\n"
                "        private string $doc = \"#[Autowire(env: 'NEW_SETTING')]\",\n    ) {}\n}\n"
            )
        },
    ),
    (
        "struct-filled-by-another-crate",
        {
            "src/c.rs": (
                "pub struct Config {\n    pub new_setting: String,\n}\n"
                'pub fn load() -> Config { toml::from_str::<Config>("").unwrap() }\n'
            )
        },
    ),
    (
        "envy-struct-declared-elsewhere",
        {"src/c.rs": "pub fn load() -> Config { envy::from_env::<Config>().unwrap() }\n"},
    ),
    (
        "env-tag-without-its-library",
        {"config.go": 'package c\ntype C struct {\n\tX string `env:"NEW_SETTING"`\n}\n'},
    ),
]


@pytest.mark.parametrize("files", [q[1] for q in QUIET], ids=[q[0] for q in QUIET])
def test_what_only_looks_like_a_read_passes(git_repo: Any, files: dict[str, str]) -> None:
    found = run_on_git(git_repo, {EXAMPLE: "APP_KEY=\n"}, {EXAMPLE: "APP_KEY=\n", **files})
    assert _undocumented(found) == set()


def test_a_nested_settings_model_documented_whole_passes(git_repo: Any) -> None:
    config = (
        "from pydantic import BaseModel\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
        "class Db(BaseModel):\n    host: str = 'x'\n"
        "class S(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='APP_', env_nested_delimiter='__')\n"
        "    db: Db = Db()\n"
    )
    whole = run_on_git(git_repo, {EXAMPLE: "APP_DB=\n"}, {EXAMPLE: "APP_DB=\n", "c.py": config})
    assert _undocumented(whole) == set()


def test_a_nested_settings_model_undocumented_fires_per_field(git_repo: Any) -> None:
    config = (
        "from pydantic import BaseModel\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
        "class Db(BaseModel):\n    host: str = 'x'\n"
        "class S(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='APP_', env_nested_delimiter='__')\n"
        "    db: Db = Db()\n"
    )
    found = run_on_git(git_repo, {EXAMPLE: "A=\n"}, {EXAMPLE: "A=\n", "c.py": config})
    assert _undocumented(found) == {"APP_DB__HOST"}
