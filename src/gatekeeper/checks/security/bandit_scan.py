"""The code part of the security check: bandit findings the pull request introduced.

Bandit runs in-process on the changed Python files at head, and on the base versions of
only those files where head has findings (a file without findings at head has nothing
to subtract). Head and base are compared as multisets of (test id, normalised code):
line numbers move, and bandit's own baseline matches on text alone, which hides every
new copy of an old finding. Both versions are written to the scratch directory under
their repository-relative paths, so bandit's messages and excludes see real paths.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.changes import DEFAULT_MAX_FILE_BYTES, ChangedFile, FileKind
from gatekeeper.changes.globs import match_any
from gatekeeper.changes.suppressions import TRUST_KEY, Suppressions
from gatekeeper.changes.text import decode_text
from gatekeeper.checks.interface import CheckContext, CheckError
from gatekeeper.checks.security import nosec, pyversion
from gatekeeper.checks.security.bandit_rules import BANDIT_TESTS
from gatekeeper.checks.security.common import (
    DEFAULT_TEST_FILES,
    MakeFinding,
    Part,
    in_scope,
    not_read_reason,
    tool,
    write_scratch,
)
from gatekeeper.checks.security.reduce import cut_pair, normalise, reduce_source
from gatekeeper.checks.security.sql_literals import LiteralSql
from gatekeeper.model import Finding, Level, Rule

PYTHON_FILES = ("*.py", "*.pyw")
#: the first line of a script the system runs with Python (``#!/usr/bin/env python3``)
_PYTHON_SHEBANG = re.compile(rb"#![^\n]*\bpython[0-9.]*\b")
#: as much as the ChangeSet reads; bandit scans about a megabyte in a few seconds, and the
#: check's time limit bounds the whole scan (running past it blocks)
DEFAULT_MAX_BYTES = DEFAULT_MAX_FILE_BYTES
_SCORES = {"HIGH": "7.5", "MEDIUM": "5.0", "LOW": "2.0"}

RULE_UNPARSEABLE = "python-unparseable"
RULE_NOT_SCANNED = "python-not-scanned"
RULE_OTHER = "bandit-other"


def _bandit_rule(test_id: str, name: str, cwe: int, severity: str) -> Rule:
    words = name.replace("_", " ")
    return Rule(
        id=f"bandit-{test_id.lower()}",
        level=Level.ERROR,
        summary=f"New code triggers bandit {test_id} ({words}).",
        remedy=(
            f"Rewrite the code so that bandit {test_id} no longer applies (see the CWE); "
            "if it is a false positive, mark the line `# nosec " + test_id + "` with a reason."
        ),
        help_uri=f"https://cwe.mitre.org/data/definitions/{cwe}.html",
        tags=("security", f"CWE-{cwe}"),
        security_severity=_SCORES[severity],
    )


RULES: tuple[Rule, ...] = (
    *(_bandit_rule(*row) for row in BANDIT_TESTS),
    Rule(
        RULE_OTHER,
        Level.ERROR,
        "New code triggers a bandit test gatekeeper has no entry for (a bandit plugin).",
        remedy="Fix the code the test points at, or mark the line `# nosec <id>` with a reason.",
        tags=("security",),
        security_severity="5.0",
    ),
    Rule(
        RULE_UNPARSEABLE,
        Level.ERROR,
        "A changed Python file cannot be parsed, so bandit could not scan it.",
        remedy="Fix the syntax error, or run gatekeeper on the Python the file needs (the "
        "message names it when the line uses newer syntax, and the Python the repository "
        "declares in pyproject.toml or .python-version); a "
        "file that is not Python (a template) is excluded with "
        "`checks.security.bandit.exclude` in the base policy.",
        description="What the gate did not read it cannot call clean: a file bandit could "
        "not parse blocks until it parses or the base policy excludes it.",
    ),
    Rule(
        RULE_NOT_SCANNED,
        Level.ERROR,
        "A changed Python file could not be read, so bandit did not scan it.",
        remedy="Save it as UTF-8 (or declare its encoding with a PEP 263 coding line), split "
        "a file over the size limit, point a symlink at a file inside the repository; a "
        "generated file is excluded with `checks.security.bandit.exclude` in the base policy.",
        description="Binary content, an encoding neither UTF-8 nor declared, a size over "
        "`checks.security.bandit.max_file_bytes` (default: the 10 MB the gate reads), or a "
        "symlink that leads outside the repository. What the gate did not read it cannot "
        "call clean, so this blocks under every preset; the message names the file and the reason.",
    ),
)
_KNOWN = {row[0] for row in BANDIT_TESTS}


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


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """Bandit findings at head that the base versions of the same files did not have."""
    include = tuple(part.get("include", PYTHON_FILES))
    files = in_scope(ctx, include)
    if include == PYTHON_FILES:  # the default (the schema fills it in): scripts too
        files = sorted([*files, *python_scripts(ctx)], key=lambda f: f.path)
    if not files:
        return []
    settings = _bandit_settings(ctx, part)
    max_bytes = int(part.get("max_file_bytes", DEFAULT_MAX_BYTES))
    head_root, base_root = ctx.scratch / "bandit" / "head", ctx.scratch / "bandit" / "base"
    on_disk, findings = _write_head(ctx, files, settings, head_root, max_bytes=max_bytes, make=make)
    head_hits, broken = _scan(settings, head_root, sorted(on_disk), ctx)
    findings += [_unparseable(path, head_root, make, ctx.changes.text_at_head) for path in broken]
    base_paths, base_hits = _scan_base(ctx, settings, base_root, head_hits, on_disk)
    base_keys = Counter((h.test_id, h.code) for h in base_hits)
    nth: Counter[tuple[str, str, str]] = Counter()
    new, fixed_sql = _not_literal_sql(_introduced(head_hits, base_keys, ctx), ctx)
    suppressions = Suppressions(
        ctx.changes,
        ctx.pr,
        trusted=bool(part.get(TRUST_KEY, False)),
        setting=f"checks.security.bandit.{TRUST_KEY}",
    )
    markers = nosec.NosecMarkers(head_root, settings.honour_nosec)
    for hit in new:
        # equal copies in one file get distinct fingerprints: the first keeps the plain one
        key = (hit.path, hit.test_id, hit.code)
        found: Finding | None = _to_finding(hit, nth[key], part, make)
        nth[key] += 1
        marker = markers.covering(hit.path, hit.test_id, hit.line, hit.end_line)
        if marker is not None and found is not None:
            found = suppressions.review(found, marker)
        if found is not None:
            findings.append(found)
    ctx.add_details(
        f"bandit: {len(on_disk)} file(s) scanned at head, {len(base_paths)} at base; "
        f"{len(head_hits)} finding(s) at head at or above the thresholds, {len(new)} new, "
        f"{len(head_hits) - len(new) - fixed_sql} pre-existing at base (not counted)"
        + (
            f", {fixed_sql} B608 on SQL built from literals only (not injectable)"
            if fixed_sql
            else ""
        )
        + "."
        + (f" {suppressions.summary()}" if suppressions.summary() else "")
    )
    return findings


def _unparseable(
    path: str, root: Path, make: MakeFinding, read: Callable[[str], str | None] | None = None
) -> Finding:
    """Say why bandit could not parse a file, with the line, and which Python was used.

    When the line uses syntax of a newer Python, the message names that version and the
    one the repository declares (``read`` gives a file's text at head), so the fix (run
    the gate on the project's Python) is plain.
    """
    import ast
    import sys

    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    data = (root / path).read_bytes()
    try:
        ast.parse(data, filename=path)
    except SyntaxError as exc:
        message = (
            f"{path} cannot be parsed by Python {version} ({exc.msg}), so bandit could not "
            "scan it; " + pyversion.advice(path, data, exc, read)
        )
        return make(RULE_UNPARSEABLE, message, path=path, line=exc.lineno, evidence="syntax")
    except ValueError as exc:  # pragma: no cover - NUL bytes before Python 3.11.4
        message = f"{path} cannot be parsed ({exc}), so bandit could not scan it."
        return make(RULE_UNPARSEABLE, message, path=path, evidence="syntax")
    message = f"bandit failed while scanning {path} (an error inside bandit or a plugin)."
    return make(RULE_UNPARSEABLE, message, path=path, evidence="bandit")


def python_scripts(ctx: CheckContext) -> list[ChangedFile]:
    """Changed files without an extension that a ``#!...python`` line makes Python.

    ``bin/deploy`` runs as Python as surely as ``deploy.py``; judging code by its name
    alone would let a change move its code out of the scanner's sight.
    """
    found = []
    for f in in_scope(ctx, ("**",)):
        name = f.path.rsplit("/", 1)[-1]
        if "." in name.lstrip(".") or not f.is_text:
            continue
        head = ctx.changes.bytes_at_head(f.path)
        if head is not None and _PYTHON_SHEBANG.match(head[:200]):
            found.append(f)
    return found


@dataclass(frozen=True, slots=True)
class _OnDisk:
    """A head file written for bandit, with its base version cut alike (None: the file
    is new), kept for the base scan: cutting a pair costs two parses of each side."""

    file: ChangedFile
    base: bytes | None


def _write_head(
    ctx: CheckContext,
    files: Iterable[ChangedFile],
    settings: _Settings,
    root: Path,
    *,
    max_bytes: int,
    make: MakeFinding,
) -> tuple[dict[str, _OnDisk], list[Finding]]:
    """Write the scannable head files under ``root``; a finding for each that is not."""
    on_disk: dict[str, _OnDisk] = {}
    findings: list[Finding] = []
    for f in files:
        if match_any(f.path, settings.exclude):
            continue
        data = ctx.changes.bytes_at_head(f.path) if f.kind is not FileKind.TOO_LARGE else None
        reason = _unscannable(f, data, max_bytes)
        if not reason and data is not None:
            # only statements the change touched (see reduce_pair); the base is cut alike
            data, base = cut_pair(data, ctx.changes.bytes_at_base(ctx.changes.base_path_of(f.path)))
            if write_scratch(root, f.path, data) is not None:
                on_disk[f.path] = _OnDisk(f, base)
                continue
            reason = "its path leaves the repository"
        if reason:
            message = f"{f.path} was not scanned by bandit: {reason}."
            findings.append(make(RULE_NOT_SCANNED, message, path=f.path, evidence=reason))
    return on_disk, findings


@dataclass(frozen=True)
class _Settings:
    honour_nosec: bool
    severity: str
    confidence: str
    include: frozenset[str]
    skips: frozenset[str]
    exclude: tuple[str, ...]
    config_file: Path | None


def _bandit_settings(ctx: CheckContext, part: Part) -> _Settings:
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
    return _Settings(
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


def _unscannable(f: ChangedFile, data: bytes | None, max_bytes: int) -> str:
    """Why bandit cannot read this file, or "" when it can (or there is nothing to read)."""
    reason = not_read_reason(f)
    if reason:
        return reason
    if f.kind in (FileKind.SYMLINK, FileKind.SUBMODULE) or data is None:
        return ""
    if len(data) > max_bytes:
        return f"it is {len(data):,} bytes, over bandit.max_file_bytes ({max_bytes:,})"
    return ""


def _scan_base(
    ctx: CheckContext,
    settings: _Settings,
    root: Path,
    head_hits: Iterable[Hit],
    files: Mapping[str, _OnDisk],
) -> tuple[list[str], list[Hit]]:
    """Scan the base versions of the files with findings at head, with only the tests that
    fired there at head and only the statements that could hold the same code (see
    :mod:`reduce`): a base hit of another test or on other code could not cancel a head hit."""
    tests_of: dict[str, set[str]] = {}
    codes_of: dict[str, set[str]] = {}
    for hit in head_hits:
        tests_of.setdefault(hit.path, set()).add(hit.test_id)
        codes_of.setdefault(hit.path, set()).add(hit.code)
    groups: dict[frozenset[str], list[str]] = {}
    for path, tests in sorted(tests_of.items()):
        old, data = files[path].file.old_path or path, files[path].base
        if data is None:
            continue
        text = _decoded(data)
        reduced = reduce_source(text, codes_of[path]) if text is not None else None
        if reduced is not None:
            data = reduced.encode("utf-8")
        if write_scratch(root, old, data) is not None:
            groups.setdefault(frozenset(tests), []).append(old)
    written: list[str] = []
    hits: list[Hit] = []
    for fired, paths in sorted(groups.items(), key=lambda g: sorted(g[0])):
        written += paths
        hits += _scan(settings, root, paths, ctx, only=fired)[0]
    return sorted(written), hits


def _decoded(data: bytes) -> str | None:
    return decode_text(data)


def _scan(
    settings: _Settings,
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
    broken = sorted(str(name)[prefix:] for name, _reason in manager.skipped)
    hits = []
    lines_of: dict[str, list[str]] = {}
    for issue in manager.get_issue_list(settings.severity.upper(), settings.confidence.upper()):
        path = str(issue.fname)[prefix:]
        if path not in lines_of:
            data = (root / path).read_bytes()
            text = decode_text(data) or data.decode("utf-8", "replace")
            lines_of[path] = text.splitlines()
        hits.append(_hit(issue, path, lines_of[path]))
    return sorted(hits, key=lambda h: (h.path, h.line, h.test_id)), broken


def _hit(issue: Any, path: str, lines: list[str]) -> Hit:
    span = [int(n) for n in (issue.linerange or [issue.lineno])]
    start, end = min(span), max(span)
    code = normalise(" ".join(lines[start - 1 : end]))
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
    )


def _introduced(head: list[Hit], base: Counter[tuple[str, str]], ctx: CheckContext) -> list[Hit]:
    """Head hits left over once each base hit has cancelled one equal head hit.

    Among equal hits, those on lines the change did not touch cancel first, so that
    the ones reported are the new copies.
    """

    def touched(h: Hit) -> bool:
        added = ctx.changes.added_lines(h.path)
        return any(n in added for n in range(h.line, h.end_line + 1))

    remaining = Counter(base)
    new = []
    for hit in sorted(head, key=lambda h: (touched(h), h.path, h.line, h.test_id)):
        key = (hit.test_id, hit.code)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(hit)
    return sorted(new, key=lambda h: (h.path, h.line, h.test_id))


def _not_literal_sql(hits: list[Hit], ctx: CheckContext) -> tuple[list[Hit], int]:
    """``hits`` without the B608 ones whose SQL interpolates only literals (sql_literals),
    and how many those were. The whole head file is read, not the scanned copy: that one
    has the statements the change did not touch blanked out, and a name's other binding
    (``TABLE = os.environ[...]``) may be among them."""
    parsed: dict[str, LiteralSql] = {}
    kept = []
    for hit in hits:
        if hit.test_id == "B608":
            if hit.path not in parsed:
                parsed[hit.path] = LiteralSql(ctx.changes.text_at_head(hit.path) or "")
            if parsed[hit.path].only_literals(hit.line, hit.end_line):
                continue
        kept.append(hit)
    return kept, len(hits) - len(kept)


def _to_finding(hit: Hit, nth: int, part: Part, make: MakeFinding) -> Finding:
    rule = f"bandit-{hit.test_id.lower()}" if hit.test_id in _KNOWN else RULE_OTHER
    message = (
        f"{hit.text} (bandit {hit.test_id}, CWE-{hit.cwe}, severity {hit.severity.lower()}, "
        f"confidence {hit.confidence.lower()})"
    )
    level = part.level
    if level is None and match_any(hit.path, tuple(part.get("test_files", DEFAULT_TEST_FILES))):
        # test code never runs in production: what bandit finds there is worth a look,
        # not a block (bandit's own users mostly exclude tests altogether)
        message += "; in test code, so a warning (checks.security.bandit.test_files)"
        level = Level.WARNING
    return make(
        rule,
        message,
        path=hit.path,
        line=hit.line,
        end_line=hit.end_line,
        evidence=f"{hit.test_id}|{hit.code}" + (f"|{nth}" if nth else ""),
        level=level,
    )


def _quiet_bandit() -> None:
    """Checks never print: keep bandit's warnings (and its progress bar) off stderr."""
    logger = logging.getLogger("bandit")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
