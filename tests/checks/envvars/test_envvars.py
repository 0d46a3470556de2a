"""Rule cases for the env-vars check (cases.yml), and the language scanners."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.checks.envvars.docs import looks_like_secret
from gatekeeper.checks.envvars.python_reads import python_reads
from gatekeeper.checks.envvars.text_constants import Neighbours
from gatekeeper.checks.envvars.text_gotags import prefixes, tag_reads
from gatekeeper.checks.envvars.text_jsalias import env_exports
from gatekeeper.checks.envvars.text_reads import js_reads, scanner_for
from gatekeeper.checks.envvars.text_rust import rust_reads
from gatekeeper.model import Level
from gatekeeper.testing import changeset, context, defaults

CASES: dict[str, dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases.yml").read_text(encoding="utf-8")
)


def _files(case: dict[str, Any], side: str) -> dict[str, Any]:
    files = dict(case.get(side) or {})
    if side == "head" and "minified" in case:
        path = case["minified"]
        files[path] = files[path].replace("PLACEHOLDER", "x" * 3000)
    return files


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_case(name: str) -> None:
    case = CASES[name]
    check = EnvVarsCheck()
    config = defaults(check)
    config.update(case.get("config") or {})
    changes = changeset(_files(case, "base"), _files(case, "head"), renames=case.get("renames"))
    ctx = context(changes, config)
    found = list(check.run(ctx)) if check.applies(ctx) else []
    got = sorted(
        [f.rule, f.location.start_line] if f.location and f.location.start_line else [f.rule]
        for f in found
    )
    want = sorted(case["expect"])
    assert got == want, [f.message for f in found]
    if "message_contains" in case:
        assert any(case["message_contains"] in f.message for f in found)
    if "errors" in case:  # the findings at error level (the others warn), as [rule, line]
        errors = sorted(
            [f.rule, f.location.start_line] if f.location and f.location.start_line else [f.rule]
            for f in found
            if f.level is Level.ERROR
        )
        assert errors == sorted(case["errors"]), [f.message for f in found]


def test_every_rule_has_a_case_that_fires() -> None:
    fired = {e[0] for case in CASES.values() for e in case["expect"]}
    assert fired == set(EnvVarsCheck.rules)


def test_python_aliases_and_forms() -> None:
    src = (
        "import os as o\nfrom os import environ as env, getenv as ge\n"
        "a = o.environ['A']\nb = env.get('B')\nc = ge('C')\nd = 'D' in env\n"
        "e = o.environ.setdefault('E', '1')\nf = env.pop('F', None)\n"
    )
    reads, parsed = python_reads(src)
    assert parsed and [r.name for r in reads] == ["A", "B", "C", "D", "E", "F"]


def test_js_forms() -> None:
    src = (
        "const a = process.env.A;\nconst b = process.env['B'];\n"
        "const { C, D: d, E = 1, ...rest } = process.env;\nconst f = import.meta.env.VITE_F;\n"
        "const g = process.env[key];\n"
    )
    names = sorted(r.name for r in js_reads(src))
    assert names == ["", "", "A", "B", "C", "D", "E", "VITE_F"]


def test_shell_scripts_without_extension_are_recognised() -> None:
    script = '#!/usr/bin/env bash\necho "$DEPLOY_TARGET"\n'
    scanner = scanner_for("bin/deploy", script)
    nothing_around = Neighbours(lambda path: None, list)
    assert scanner is not None
    assert [r.name for r in scanner("bin/deploy", script, nothing_around)] == ["DEPLOY_TARGET"]
    assert scanner_for("bin/tool", "#!/usr/bin/env python3\n") is None


def test_a_changed_module_another_changed_file_imports_is_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gatekeeper.checks.envvars import python_imports
    from gatekeeper.checks.envvars import python_reads as reads_module

    settings = "import os\n\ndef setting(name):\n    return os.environ[name]\n\nA = 1\n"
    app = "from settings import setting\n\nTOKEN = setting('APP_TOKEN')\n"
    parsed: list[str] = []
    for module in (python_imports, reads_module):
        real = module.parse
        monkeypatch.setattr(
            module, "parse", lambda text, real=real: parsed.append(text) or real(text)
        )
    base = {"settings.py": settings.replace("A = 1", "A = 0"), "app.py": "X = 1\n"}
    changes = changeset(base, {"settings.py": settings, "app.py": app})
    found = list(EnvVarsCheck().run(context(changes, {})))
    assert [f.rule for f in found] == ["undocumented"] and "APP_TOKEN" in found[0].message
    assert parsed.count(settings) == 1  # scanned as changed, and resolved for app.py


def test_secret_heuristics() -> None:
    assert looks_like_secret("AKIAIOSFODNN7EXAMPLE1")
    assert looks_like_secret("postgres://app:S3cr3tP4ssw0rd!@db/app")
    assert looks_like_secret("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg")
    assert not looks_like_secret("your-api-key-here")
    assert not looks_like_secret("postgres://user:password@localhost/db")
    assert not looks_like_secret("http://localhost:8080")


def test_no_relevant_files_means_not_applicable() -> None:
    ctx = context(changeset({"a.png": b"\x89PNG\0"}, {"a.png": b"\x89PNG\0\1"}), {})
    assert not EnvVarsCheck().applies(ctx)


def test_rust_read_forms_and_non_reads() -> None:
    src = (
        'const A: &str = "SVC_A";\nconst A: &str = "SVC_OTHER";\n'  # two values: unknown
        "fn f(key: &str) {\n  let _ = std::env::var(&key);\n  let _ = std::env::var(A);\n"
        '  let _ = std::env::var("not a name");\n  let _ = env::var("SVC_B");\n}\n'
        'let x = Foo { env = "NOT_CLAP" };\n#[arg(long)]\nfield: u8,\n'
        'let y = Bar { env = "STILL_NOT_CLAP" };\n'
        '#[cfg(test)]\nuse helpers::x;\nfn g() { let _ = env::var("SVC_C"); }\n'
    )
    assert [(r.name, r.line) for r in rust_reads(src)] == [
        ("", 4),
        ("", 5),
        ("SVC_B", 7),
        ("SVC_C", 15),
    ]


def test_go_tag_prefixes_nested_and_embedded() -> None:
    src = (
        'package c\nimport "github.com/kelseyhightower/envconfig"\n'
        'type Base struct {\n\tLevel string `envconfig:"LOG_LEVEL"`\n}\n'
        'type Spec struct {\n\tBase\n\tDebug bool `default:"false"`\n'
        '\tSkip string `ignored:"true"`\n\tDB DBConf\n}\n'
        'type DBConf struct {\n\tURL string `envconfig:"url"`\n}\n'
    )
    reads = tag_reads(src, {"envconfig": ("APP_", "OTHER_")})
    assert [(r.name, r.aliases) for r in reads] == [
        ("APP_LOG_LEVEL", ("OTHER_LOG_LEVEL", "LOG_LEVEL")),
        ("APP_DEBUG", ("OTHER_DEBUG",)),
        ("APP_DB_URL", ("OTHER_DB_URL", "URL")),
    ]
    unimported = src.replace("kelseyhightower/envconfig", "x/y")
    assert prefixes([unimported, 'envconfig.Process("a")']) == {}


def test_js_alias_exports_and_many_imports() -> None:
    assert env_exports("const e = process.env;\nexport { e as env, other };\n") == {"env"}
    assert env_exports("export default process.env as Env;\n") == {"default"}
    assert env_exports("const e = { ...defaults };\nexport default e;\n") == set()
    files = {"src/env.ts": "export const env = process.env;\n"}
    many = "".join(f'import m{i} from "./m{i}";\n' for i in range(100))
    text = many + 'import { env } from "./env";\nconst u = env.PUBLIC_URL;\n'
    lookups = Neighbours(files.get, lambda: [*files, "src/app.ts"])
    assert lookups.js_aliases("src/app.ts", text) == {"env"}
    assert lookups.js_aliases("src/app.ts", text.replace("./env", "@/env")) == set()
