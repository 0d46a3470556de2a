"""The parity scorer itself, on a tiny corpus built here (runs without ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

from gatekeeper.checks.openapi.parity import KNOWN_EXCEPTIONS, POLICY_ENTRIES, judge, score

SPEC = "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}"
OP = (
    "  {path}:\n"
    "    get:\n"
    "      deprecated: {dep}\n"
    "      responses: {{'200': {{description: ok}}}}\n"
)


def _write(root: Path, name: str, ops: list[tuple[str, bool]]) -> str:
    paths = "".join(OP.format(path=p, dep=str(d).lower()) for p, d in ops) or "  {}\n"
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / name).write_text(SPEC.format(paths=paths), encoding="utf-8")
    return f"data/{name}"


def _entry(name: str, base: str, rev: str, **kw: object) -> dict[str, object]:
    entry: dict[str, object] = {"name": name, "base": base, "revision": rev, "expect_ids": []}
    entry.update({"absent_ids": [], "expect_no_findings": False, "single_check": None})
    entry.update({"min_level": None, **kw})
    return entry


def test_score_counts_passes_failures_and_known_exceptions(tmp_path: Path) -> None:
    base = _write(tmp_path, "base.yaml", [("/a", False), ("/b", False)])
    rev = _write(tmp_path, "rev.yaml", [("/b", True)])
    (tmp_path / "data" / "bad.yaml").write_text("openapi: [\n", encoding="utf-8")
    exception = next(iter(KNOWN_EXCEPTIONS))
    entries = [
        _entry("ok", base, rev, expect_ids=["api-path-removed-without-deprecation"]),
        _entry("info", base, rev, expect_ids=["endpoint-deprecated"], min_level="INFO"),
        _entry("handler", base, rev, single_check="APIAddedCheck", expect_no_findings=True),
        _entry("fails", base, rev, absent_ids=["api-path-removed-without-deprecation"]),
        _entry(exception, base, rev, expect_no_findings=True),
        _entry(next(iter(POLICY_ENTRIES)), base, rev, expect_ids=["api-deprecated-sunset-missing"]),
        _entry("broken", base, "data/bad.yaml", expect_ids=["endpoint-added"]),
    ]
    (tmp_path / "parity.json").write_text(json.dumps(entries), encoding="utf-8")
    result = score(tmp_path)
    assert (result.total, result.passed, result.excepted) == (7, 4, 1)
    failed = {f["name"]: f for f in result.failures}
    assert set(failed) == {"fails", "broken"}
    assert failed["fails"]["unwanted"] == ["api-path-removed-without-deprecation"]
    assert failed["broken"]["got"][0].startswith("<load error")


def test_judge_keeps_expected_ids_of_another_handler() -> None:
    entry = _entry("x", "a", "b", expect_ids=["request-parameter-sunset-parse"])
    entry["single_check"] = "RequestParameterDeprecationCheck"
    assert judge(entry, {"request-parameter-sunset-parse", "endpoint-added"})
    assert not judge(entry, {"endpoint-added"})
