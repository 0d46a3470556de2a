"""Texts aimed at the env-vars scanners of settings schemas and viper bindings (zod and
t3-env objects, ``BindEnv``, ERB views): each runs through the whole gate in a child
process whose timeout is a hang guard only, the check does not error, and the variables
the PR really reads are still reported. No assertion here is about speed
(bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.conftest import AttackFactory
from tests.adversarial.test_bounded_input import assert_env_reads_survive

KB = 1 << 10
#: what each would make a careless scan do: try every word of the file as a schema name,
#: search the rest of the file from each of many unclosed comments or quotes, walk
#: objects nested thousands deep, or read a call whose arguments never close (lines are
#: short, or the file would be skipped as a minified bundle and prove nothing)
PUMPS = {
    "web/words.ts": ("a$" * 500 + "\n") * (256 * KB // 1001) + "S.parse(process.env)\n",
    "web/parses.ts": "x.parse(process.env);\n" * (256 * KB // 22),
    "web/open.ts": "const S = z.object({\n" * (256 * KB // 21) + "S.parse(process.env)\n",
    "web/nested.ts": "const S = z.object({\n" * (8 * KB)
    + "})\n" * (8 * KB)
    + "S.parse(process.env)",
    "web/comments.ts": "const S = z.object({\n" + "/*,\n" * (64 * KB) + "});S.parse(process.env)",
    "web/quotes.ts": "const S = z.object({\n" + "',\n" * (80 * KB) + "});S.parse(process.env)",
    "web/create.ts": "createEnv({ runtimeEnv: process.env, server: {\n" * (4 * KB)
    + "}})\n" * (4 * KB),
    "web/spreads.ts": "const A = { server: { X_A: z.string() } };\n"
    + "createEnv({ runtimeEnv: process.env, server: {\n"
    + "...A.server,\n" * (16 * KB)
    + "}})\n",
    "web/derived.ts": "const A = z.object({ X_A: z.string() });\n"
    + "".join(f"const S{i} = S{i + 1}.extend({{\n" for i in range(256 * KB // 24))
    + "S0.parse(process.env)\n",
    "svc/bind.go": "package svc\n// viper\n" + "v.BindEnv(\n" * (256 * KB // 11),
    # a YAML file of blank lines: a settings-schema search whose blanks ran across lines
    # went quadratic on it (minutes)
    "config/server.yml": "server:\n" + "   \n" * (64 * KB) + "  port: ${X}\n",
    "app/views/pump.html.erb": "<%= ENV.fetch(\n" * (256 * KB // 15),
}


def test_pumped_schemas_pass_through_and_the_real_reads_are_still_reported(
    attack: AttackFactory, tmp_path: Path
) -> None:
    head = {
        **PUMPS,
        "web/env.ts": (
            "const EnvSchema = z.object({ SCHEMA_PUMPED_BUT_FOUND: z.string() });\n"
            "export const env = EnvSchema.parse(process.env);\n"
        ),
        "svc/config.go": (
            'package svc\nimport "github.com/spf13/viper"\n'
            'func bind(v *viper.Viper) { _ = v.BindEnv("k", "VIPER_PUMPED_BUT_FOUND") }\n'
        ),
    }
    policy = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
    case = attack(policy, {"README.md": "a\n"}, head)
    assert_env_reads_survive(case, tmp_path, "SCHEMA_PUMPED_BUT_FOUND", "VIPER_PUMPED_BUT_FOUND")
