"""The code part of the security check: bandit findings the pull request introduced.

Bandit runs in-process on the changed Python files at head, and on the base versions of
only those files where head has findings (a file without findings at head has nothing
to subtract). Head and base are compared, file by file, as multisets of (test id, the
flagged node's normalised code): line numbers move, a line is rewrapped or joined with
its neighbours, and bandit's own baseline matches on text alone, which hides every new
copy of an old finding. Both versions are written to the scratch directory under
their repository-relative paths, so bandit's messages and excludes see real paths.
Running bandit itself (settings, the scan, its issues as hits) is :mod:`bandit_run`.
"""

from __future__ import annotations

import dataclasses
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.changes import DEFAULT_MAX_FILE_BYTES, ChangedFile, FileKind
from gatekeeper.changes.globs import match_any
from gatekeeper.changes.suppressions import TRUST_KEY, Suppressions
from gatekeeper.changes.text import decode_text
from gatekeeper.checks.interface import CheckContext
from gatekeeper.checks.security import migration_sql, nosec, pyversion, weakhash
from gatekeeper.checks.security.bandit_rules import BANDIT_TESTS
from gatekeeper.checks.security.bandit_run import Hit, Settings, bandit_settings, scan
from gatekeeper.checks.security.bandit_shape import stem
from gatekeeper.checks.security.common import (
    DEFAULT_TEST_FILES,
    MakeFinding,
    Part,
    in_scope,
    not_read_reason,
    write_scratch,
)
from gatekeeper.checks.security.reduce import cut_pair, reduce_source
from gatekeeper.checks.security.sql_literals import LiteralSql
from gatekeeper.model import Finding, Level, Rule

PYTHON_FILES = ("*.py", "*.pyw")
#: the first line of a script the system runs with Python (``#!/usr/bin/env python3``)
_PYTHON_SHEBANG = re.compile(rb"#![^\n]*\bpython[0-9.]*\b")
#: as much as the ChangeSet reads; bandit scans about a megabyte in a few seconds, and the
#: check's time limit bounds the whole scan (running past it blocks)
DEFAULT_MAX_BYTES = DEFAULT_MAX_FILE_BYTES
_SCORES = {"HIGH": "7.5", "MEDIUM": "5.0", "LOW": "2.0"}
_RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3}
#: OS command, cross-site scripting, SQL and code injection: bandit cannot see where the
#: data comes from, so its low confidence is the normal case there, not a doubt
_INJECTION_CWES = frozenset({78, 79, 89, 94, 95})

RULE_UNPARSEABLE = "python-unparseable"
RULE_NOT_SCANNED = "python-not-scanned"
RULE_OTHER = "bandit-other"
#: the part's switch for weak hashes that only name things (weakhash.py)
_NAMING_KEY = "weak_hash_for_names"
#: the part's switch for B103 on a mode that lets group/other execute but not write
_EXEC_MODE_KEY = "chmod_exec_only"
#: the part's switch for B108 (a fixed path under /tmp)
_TMP_PATH_KEY = "tmp_paths"
#: the part's switch for B608 in a migration (migration_sql.py)
_MIGRATION_SQL_KEY = "sql_in_migrations"
#: the mode bandit's B103 message quotes ("a permissive mask 0o755 on file ...")
_B103_MODE = re.compile(r"permissive mask (0o[0-7]+|0x[0-9a-fA-F]+|\d+)\b")


def exec_only_mode(hit: Hit) -> int | None:
    """The constant mode of a B103 hit when it grants group and other no write
    (``0o755``, the mode of any executable: bandit flags the group execute bit), else None:
    ``0o775``, ``0o757``, ``0o666`` or a mode the message does not quote keep blocking."""
    found = _B103_MODE.search(hit.text) if hit.test_id == "B103" else None
    if found is None:
        return None
    mode = int(found.group(1), 0)
    return mode if not mode & (stat.S_IWGRP | stat.S_IWOTH) else None


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
        "not parse blocks until it parses or the base policy excludes it. Python 3.14's "
        "`except A, B:` is no reason: a file whose only newer syntax it is is scanned as "
        "`except (A, B):`, which means the same.",
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


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """Bandit findings at head that the base versions of the same files did not have."""
    include = tuple(part.get("include", PYTHON_FILES))
    files = in_scope(ctx, include)
    if include == PYTHON_FILES:  # the default (the schema fills it in): scripts too
        files = sorted([*files, *python_scripts(ctx)], key=lambda f: f.path)
    if not files:
        return []
    settings = bandit_settings(ctx, part)
    max_bytes = int(part.get("max_file_bytes", DEFAULT_MAX_BYTES))
    head_root, base_root = ctx.scratch / "bandit" / "head", ctx.scratch / "bandit" / "base"
    on_disk, findings = _write_head(ctx, files, settings, head_root, max_bytes=max_bytes, make=make)
    head_hits, broken = scan(settings, head_root, sorted(on_disk), ctx)
    findings += [_unparseable(path, head_root, make, ctx.changes.text_at_head) for path in broken]
    base_paths, base_hits = _scan_base(ctx, settings, base_root, head_hits, on_disk)
    nth: Counter[tuple[str, str, str]] = Counter()
    new, fixed_sql = _not_literal_sql(_introduced(head_hits, base_hits, ctx), ctx)
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
        found: Finding | None = _to_finding(
            hit, nth[key], part, make, _namer(hit, part, ctx), _migration(hit, part, ctx)
        )
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
    settings: Settings,
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
    settings: Settings,
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
        codes_of.setdefault(hit.path, set()).add(hit.key)
        if hit.shape and (prefix := stem(hit.node)):
            codes_of[hit.path].add(prefix)  # where a base node of the same shape can be
    groups: dict[frozenset[str], list[str]] = {}
    head_of: dict[str, str] = {}
    for path, tests in sorted(tests_of.items()):
        old, data = files[path].file.old_path or path, files[path].base
        head_of[old] = path
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
        # a base hit is named by the head path of its file, so it cancels only there
        hits += [
            dataclasses.replace(h, path=head_of.get(h.path, h.path))
            for h in scan(settings, root, paths, ctx, only=fired)[0]
        ]
    return sorted(written), hits


def _decoded(data: bytes) -> str | None:
    return decode_text(data)


def _introduced(head: list[Hit], base: list[Hit], ctx: CheckContext) -> list[Hit]:
    """Head hits left over once each base hit has cancelled one equal head hit: first on
    the flagged node's text, then, among those left on both sides, on its shape (the node
    with its string literals emptied: an edit to a flagged call's text is no new finding).

    Among equal hits, those on lines the change did not touch cancel first, so that
    the ones reported are the new copies.
    """

    def touched(h: Hit) -> bool:
        added = ctx.changes.added_lines(h.path)
        return any(n in added for n in range(h.line, h.end_line + 1))

    ordered = sorted(head, key=lambda h: (touched(h), h.path, h.line, h.test_id))
    remaining = Counter((h.path, h.test_id, h.key) for h in base)
    left: list[Hit] = []
    for hit in ordered:
        key = (hit.path, hit.test_id, hit.key)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            left.append(hit)
    shapes: Counter[tuple[str, str, str]] = Counter()
    for hit in base:  # the base hits no head hit took, by shape
        key = (hit.path, hit.test_id, hit.key)
        if remaining[key] > 0:
            remaining[key] -= 1
            if hit.shape:
                shapes[(hit.path, hit.test_id, hit.shape)] += 1
    new = []
    for hit in left:
        key = (hit.path, hit.test_id, hit.shape)
        if hit.shape and shapes[key] > 0:
            shapes[key] -= 1
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


def _namer(hit: Hit, part: Part, ctx: CheckContext) -> str | None:
    """The function whose weak hash only names things (weakhash.py), when the part allows."""
    if hit.test_id not in weakhash.WEAK_HASH_TESTS or not part.get(_NAMING_KEY, True):
        return None
    return weakhash.naming_function(ctx.changes.text_at_head(hit.path) or "", hit.line)


def _migration(hit: Hit, part: Part, ctx: CheckContext) -> bool:
    """B608 in a migration the project keeps, when the part allows (migration_sql.py)."""
    if hit.test_id != "B608" or not part.get(_MIGRATION_SQL_KEY, True):
        return False
    return migration_sql.in_migration(ctx.changes, hit.path)


def _to_finding(
    hit: Hit,
    nth: int,
    part: Part,
    make: MakeFinding,
    namer: str | None = None,
    migration: bool = False,
) -> Finding:
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
    elif (
        level is None
        and hit.cwe not in _INJECTION_CWES
        and _RANK.get(hit.confidence.upper(), 0)
        < _RANK[str(part.get("block_confidence", "medium")).upper()]
    ):
        # bandit says it is not sure (B113 cannot see a session's default timeout): worth
        # a look, but a gate that blocks on guesses gets switched off. Not for injections:
        # B608 says "low" whenever the query is built before the execute() call, which is
        # the commonest shape of a real one
        message += (
            "; bandit's confidence is below checks.security.bandit.block_confidence, so a warning"
        )
        level = Level.WARNING
    elif level is None and part.get(_EXEC_MODE_KEY, True) and exec_only_mode(hit) is not None:
        # rwxr-xr-x is how every installed script and binary is shipped: others may run
        # the file, none may change it
        message += (
            "; the mode lets group and other run the file but not write it, so a warning "
            f"(checks.security.bandit.{_EXEC_MODE_KEY})"
        )
        level = Level.WARNING
    elif level is None and hit.test_id == "B108" and part.get(_TMP_PATH_KEY, True):
        # a string starting with /tmp is all bandit sees (a dummy path, a socket's name):
        # worth a look where untrusted users share the machine, which a gate cannot tell
        message += (
            "; a fixed temporary path is a risk only where untrusted users share the "
            f"machine, so a warning (checks.security.bandit.{_TMP_PATH_KEY})"
        )
        level = Level.WARNING
    elif level is None and migration:
        # a migration runs once at deploy with the values it holds: its formatted SQL is
        # not fed by a request (bandit's other findings there are judged as anywhere)
        message += (
            "; in a migration, which runs once at deploy with values it holds itself, so a "
            f"warning (checks.security.bandit.{_MIGRATION_SQL_KEY})"
        )
        level = Level.WARNING
    elif level is None and namer is not None:
        # MD5 or SHA-1 that turns a URL into a cache key or a file name protects nothing
        # a collision could win; beside a password or a signature it would not get here
        message += (
            f"; {namer}() names a cache entry, file or lock with it and handles no secret, so a "
            f"warning (checks.security.bandit.{_NAMING_KEY})"
        )
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
