"""Running bandit: its settings, one in-process scan, and its issues as :class:`Hit`.

Bandit is used as a library (no process per scan): the gate writes the files to scan
under a scratch root and gives bandit their paths, so its messages and excludes see the
repository's own paths. What the hits mean for the pull request (head minus base,
allowances, findings) is :mod:`bandit_scan`'s business.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.changes.text import decode_text
from gatekeeper.checks.interface import CheckContext, CheckError
from gatekeeper.checks.security import pyversion
from gatekeeper.checks.security.bandit_shape import shape
from gatekeeper.checks.security.common import Part, tool, write_scratch
from gatekeeper.checks.security.reduce import normalise


@dataclass(frozen=True, slots=True)
class Hit:
    """One bandit issue, reduced to what matching and reporting need."""

    path: str
    test_id: str
    line: int
    end_line: int
    code: str  # normalised: the issue's source lines, whitespace collapsed
    text: str
    severity: str
    confidence: str
    cwe: int
    #: normalised text of the flagged node itself (``"0.0.0.0"``, a whole call), what head
    #: and base are matched on: a line rewrapped or joined with its neighbours keeps it
    node: str = ""
    #: the node with its string literals emptied (bandit_shape.py): the second key, for
    #: an edit to the text of a flagged call's literals; "" when the node has none
    shape: str = ""

    @property
    def key(self) -> str:
        """What head and base hits are matched on: the node's text, else the lines'."""
        return self.node or self.code


@dataclass(frozen=True)
class Settings:
    """The policy's bandit options merged with ``[tool.bandit]`` from pyproject at base."""

    honour_nosec: bool
    severity: str
    confidence: str
    include: frozenset[str]
    skips: frozenset[str]
    exclude: tuple[str, ...]
    config_file: Path | None


def bandit_settings(ctx: CheckContext, part: Part) -> Settings:
    """Merge the policy's bandit options with ``[tool.bandit]`` from pyproject at base."""
    table: Mapping[str, Any] = {}
    config_file: Path | None = None
    if part.get("read_config", True):
        text = ctx.changes.text_at_base("pyproject.toml")
        if text is not None and "tool" in text and "bandit" in text:
            try:
                table = tomllib.loads(text).get("tool", {}).get("bandit", {})
            except tomllib.TOMLDecodeError as exc:
                raise CheckError(
                    f"pyproject.toml at base is not valid TOML ({exc}), so its [tool.bandit] "
                    "settings cannot be read; fix the file or set "
                    "security.bandit.read_config: false"
                ) from exc
            if table:
                config_file = write_scratch(
                    ctx.scratch / "bandit", "pyproject.toml", text.encode("utf-8")
                )
    return Settings(
        honour_nosec=bool(part.get("honour_nosec", True)),
        severity=str(part.get("min_severity", "medium")),
        confidence=str(part.get("min_confidence", "low")),
        include=frozenset(_strings(table, "tests") + list(part.get("tests", ()))),
        skips=frozenset(_strings(table, "skips") + list(part.get("skips", ()))),
        exclude=_dir_globs(_strings(table, "exclude_dirs")) + tuple(part.get("exclude", ())),
        config_file=config_file,
    )


def _strings(table: Mapping[str, Any], key: str) -> list[str]:
    """A list option of ``[tool.bandit]`` (bandit also accepts a comma-separated string)."""
    value = table.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise CheckError(
        f"[tool.bandit] {key} in pyproject.toml at base must be a list of strings, "
        f"not {value!r}; fix it there (the policy's security.bandit options work too)"
    )


def _dir_globs(dirs: list[str]) -> tuple[str, ...]:
    """bandit's ``exclude_dirs`` name folders; as globs they match at the root or below."""
    out: list[str] = []
    for raw in dirs:
        d = raw.removeprefix("./").strip("/")
        if d:
            out += [f"{d}/**", f"**/{d}/**"]
    return tuple(out)


def scan(
    settings: Settings,
    root: Path,
    paths: Sequence[str],
    ctx: CheckContext,
    *,
    only: frozenset[str] | None = None,
) -> tuple[list[Hit], list[str]]:
    """Run bandit on ``paths`` under ``root``: the hits, and the files it could not parse.

    ``only`` restricts bandit to those test ids (already filtered by the settings)."""
    if not paths:
        return [], []
    why = "scanning Python code"
    b_config = tool("bandit.core.config", "bandit>=1.7.5", why, "BanditConfig")
    b_manager = tool("bandit.core.manager", "bandit>=1.7.5", why, "BanditManager")
    b_utils = tool("bandit.core.utils", "bandit>=1.7.5", why, "ConfigError")

    _quiet_bandit()
    try:
        conf = b_config.BanditConfig(str(settings.config_file) if settings.config_file else None)
    except b_utils.ConfigError as exc:  # pragma: no cover - the TOML was checked already
        raise CheckError(f"bandit rejected [tool.bandit] in pyproject.toml at base: {exc}") from exc
    profile = {"include": set(settings.include), "exclude": set(settings.skips)}
    if only is not None:
        profile = {"include": set(only), "exclude": set()}
    # nosec comments are read by the gate itself (nosec.py), which honours those the base
    # had and asks a human about those the pull request wrote
    manager = b_manager.BanditManager(conf, "file", profile=profile, ignore_nosec=True)
    manager.files_list = [str(root / p) for p in paths]
    ctx.check_time()
    manager.run_tests()
    prefix = len(str(root)) + 1
    levels = (settings.severity.upper(), settings.confidence.upper())
    issues = list(manager.get_issue_list(*levels))
    broken = sorted(str(name)[prefix:] for name, _reason in manager.skipped)
    rewritten = [p for p in broken if _parenthesize(root / p)]
    if rewritten:
        # files of a newer Python whose only new syntax is PEP 758's bare except lists:
        # scanned again as written with brackets, which means the same
        again = b_manager.BanditManager(conf, "file", profile=profile, ignore_nosec=True)
        again.files_list = [str(root / p) for p in rewritten]
        ctx.check_time()
        again.run_tests()
        issues += again.get_issue_list(*levels)
        still = {str(name)[prefix:] for name, _reason in again.skipped}
        broken = sorted({*broken} - {*rewritten} | still)
    hits = []
    lines_of: dict[str, list[str]] = {}
    for issue in issues:
        path = str(issue.fname)[prefix:]
        if path not in lines_of:
            data = (root / path).read_bytes()
            text = decode_text(data) or data.decode("utf-8", "replace")
            lines_of[path] = text.splitlines()
        hits.append(_hit(issue, path, lines_of[path]))
    return sorted(hits, key=lambda h: (h.path, h.line, h.test_id)), broken


def _parenthesize(path: Path) -> bool:
    """Rewrite the scratch copy at ``path`` with PEP 758's except lists bracketed, when
    that makes it parse here (:func:`pyversion.parenthesized`); whether it did."""
    fixed = pyversion.parenthesized(path.read_bytes())
    if fixed is None:
        return False
    path.write_bytes(fixed)
    return True


def _hit(issue: Any, path: str, lines: list[str]) -> Hit:
    span = [int(n) for n in (issue.linerange or [issue.lineno])]
    start, end = min(span), max(span)
    code = normalise(" ".join(lines[start - 1 : end]))
    node = _node_text(lines, start, end, issue.col_offset, issue.end_col_offset)
    return Hit(
        path,
        str(issue.test_id),
        start,
        end,
        code,
        str(issue.text),
        str(issue.severity),
        str(issue.confidence),
        int(issue.cwe.id),
        normalise(node) if node else "",
        shape(normalise(node)) if node else "",
    )


def _node_text(lines: list[str], start: int, end: int, col: object, end_col: object) -> str:
    """The flagged node's source (columns are UTF-8 byte offsets, as ``ast`` gives them);
    empty when bandit gave no usable span (a test reporting a line, not a node)."""
    if not isinstance(col, int) or not isinstance(end_col, int) or col < 0 or end_col <= 0:
        return ""
    if not 1 <= start <= end <= len(lines) or (start == end and end_col <= col):
        return ""
    span = [line.encode("utf-8") for line in lines[start - 1 : end]]
    if len(span) == 1:
        return span[0][col:end_col].decode("utf-8", "replace")
    parts = [span[0][col:], *span[1:-1], span[-1][:end_col]]
    return " ".join(p.decode("utf-8", "replace") for p in parts)


def _quiet_bandit() -> None:
    """Checks never print: keep bandit's warnings (and its progress bar) off stderr."""
    logger = logging.getLogger("bandit")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
