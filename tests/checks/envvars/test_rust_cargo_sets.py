"""What Cargo sets for the crate it compiles, read with ``env!``, is no configuration even
where no Cargo.toml sits at the repository's root (electric's packages/server-rust);
the same names read at run time, and other names at compile time, are still reads."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.text_rust import rust_reads
from tests.checks.envvars.helpers import run_on_git

SRC = (
    "fn service() -> Resource {\n"
    '    let name = env!("CARGO_PKG_NAME");\n'
    '    let version = option_env!("CARGO_PKG_VERSION").unwrap_or("dev");\n'
    '    let dir = env!("CARGO_MANIFEST_DIR");\n'
    '    let out = include!(concat!(env!("OUT_DIR"), "/gen.rs"));\n'
    '    let ratio = std::env::var("OTEL_SAMPLER_RATIO");\n'
    '    let built = env!("BUILD_COMMIT");\n'
    '    let runtime = std::env::var("CARGO_PKG_SECRET");\n'
    "}\n"
)


def test_cargos_compile_time_variables_are_not_reads() -> None:
    assert [r.name for r in rust_reads(SRC)] == [
        "OTEL_SAMPLER_RATIO",
        "CARGO_PKG_SECRET",
        "BUILD_COMMIT",
    ]


def test_a_nested_crate_reading_its_package_name_is_not_undocumented(git_repo: Any) -> None:
    found = run_on_git(
        git_repo,
        {"README.md": "x\n"},
        {
            "packages/server-rust/Cargo.toml": "[package]\nname='s'\n",
            "packages/server-rust/src/t.rs": SRC,
        },
    )
    names = sorted(f.message.split()[0] for f in found if f.rule == "undocumented")
    assert names == ["BUILD_COMMIT", "CARGO_PKG_SECRET", "OTEL_SAMPLER_RATIO"]


def test_opentelemetrys_specified_variables_are_well_known(git_repo: Any) -> None:
    # electric af30a624f5 reads OTEL_TRACES_SAMPLER_ARG for its own sampler; a name the
    # specification does not define is the application's own, whatever its prefix
    src = (
        "fn sampler() {\n"
        '    let arg = std::env::var("OTEL_TRACES_SAMPLER_ARG");\n'
        '    let key = std::env::var("OTEL_STREAMS_API_KEY");\n'
        "}\n"
    )
    found = run_on_git(git_repo, {"README.md": "x\n"}, {"src/telemetry.rs": src})
    names = sorted(f.message.split()[0] for f in found if f.rule == "undocumented")
    assert names == ["OTEL_STREAMS_API_KEY"]
