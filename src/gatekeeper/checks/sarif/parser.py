"""Read SARIF 2.1.0 logs from any tool into plain results with repository-relative paths.

Shared by the ``sarif`` check (SARIF files a CI step wrote) and the ``command`` check
(SARIF a command it ran wrote). Only the parts of the format a merge gate needs are
read: rule id, level, message, the first physical location, suppressions and baseline
state. Anything malformed raises :class:`SarifError` naming the file and what is wrong,
because a report the gate cannot read must not pass silently.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from gatekeeper.checks.interface import CheckError
from gatekeeper.model import Level

SARIF_VERSION = "2.1.0"
#: A SARIF log larger than this is refused rather than loaded into memory: it is read
#: whole, and a parsed log takes about eight times its size (24 MB: under 300 MB).
MAX_SARIF_BYTES = 24 * 1024 * 1024

#: SARIF result levels as gatekeeper rule levels ("none" is informational at most).
LEVELS: Mapping[str, Level] = {
    "error": Level.ERROR,
    "warning": Level.WARNING,
    "note": Level.INFO,
    "none": Level.INFO,
}

# Result kinds that report a problem; "pass", "notApplicable" and "informational" do not.
_PROBLEM_KINDS = frozenset({"fail", "review", "open"})
# Baseline states meaning the tool itself says the result predates the change or is gone.
_OLD_BASELINE_STATES = frozenset({"unchanged", "absent"})
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


class SarifError(CheckError):
    """A SARIF log that cannot be read; the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class SarifResult:
    """One problem a tool reported, with its location made repository-relative."""

    tool: str
    rule_id: str
    level: str
    message: str
    #: repository-relative POSIX path, or None when the result has no usable location
    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    #: the location as the log wrote it, when it is outside the repository
    raw_uri: str = ""
    help: str = ""
    #: "inSource" when the tool honoured a suppression comment in the code (the check asks
    #: who wrote it); results suppressed otherwise are left out by the parser
    suppressed: str = ""


def rule_name(tool: str, rule_id: str) -> str:
    """``<tool>-<ruleId>`` lower-cased and reduced to ``[a-z0-9-]``, starting with a letter."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{tool}-{rule_id}".lower()).strip("-")
    if not slug:
        return "result"
    return slug if slug[0].isalpha() else f"r-{slug}"


def load_sarif(
    path: Path, root: Path, *, label: str = "", cwd: Path | None = None
) -> list[SarifResult]:
    """Parse the SARIF file at ``path``; locations are made relative to ``root``.

    ``cwd`` is where the tool ran, for logs whose relative URIs have no ``uriBaseId``
    (default: the repository root).
    """
    name = label or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_SARIF_BYTES:
            raise SarifError(
                f"{name}: {size:,} bytes is over the {MAX_SARIF_BYTES:,}-byte limit for a "
                "SARIF log (read whole); keep only the results on the changed files, or "
                "split the log by tool"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SarifError(f"{name}: cannot read the SARIF file ({exc.strerror or exc})") from exc
    return parse_sarif(data, root, label=name, cwd=cwd)


def parse_sarif(
    data: bytes | str, root: Path, *, label: str = "<sarif>", cwd: Path | None = None
) -> list[SarifResult]:
    """Parse SARIF text; results come back in the order the log lists them."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SarifError(f"{label}: not valid JSON ({exc}); is it really a SARIF file?") from exc
    if not isinstance(doc, dict):
        raise SarifError(f"{label}: the top level must be a JSON object")
    version = doc.get("version")
    if version != SARIF_VERSION:
        raise SarifError(
            f"{label}: SARIF version {version!r} is not supported; "
            f"configure the tool to write SARIF {SARIF_VERSION}"
        )
    runs = _list(doc, "runs", label)
    where_ran = _Where(root, cwd)
    results: list[SarifResult] = []
    for i, run in enumerate(runs):
        where = f"{label}: runs[{i}]"
        if not isinstance(run, dict):
            raise SarifError(f"{where} must be an object")
        results.extend(_run_results(run, where_ran, where))
    return results


class _Where:
    """The repository root (as given and with symlinks resolved) and where the tool ran."""

    def __init__(self, root: Path, cwd: Path | None) -> None:
        absolute = Path(os.path.abspath(root))
        self.roots = (absolute,) if absolute == root.resolve() else (absolute, root.resolve())
        prefix = os.path.relpath(os.path.abspath(cwd), absolute) if cwd is not None else "."
        self.prefix = "" if prefix == "." else prefix

    def relative(self, raw: str) -> str | None:
        """``raw`` (absolute, or relative to where the tool ran) relative to the root."""
        if raw.startswith("/"):
            for root in self.roots:
                rel = os.path.relpath(os.path.normpath(raw), root)
                if rel != ".." and not rel.startswith("../"):
                    return rel
            return None
        return os.path.join(self.prefix, raw) if self.prefix else raw


def _list(obj: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> list[Any]:
    value = obj.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise SarifError(f"{where}: '{key}' must be an array")
    return value


def _dict(obj: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SarifError(f"{where}: '{key}' must be an object")
    return value


def _text(value: Any) -> str:
    """The text of a SARIF message-like object (``text``, else ``markdown``)."""
    if isinstance(value, dict):
        for key in ("text", "markdown"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return ""


@dataclass(frozen=True, slots=True)
class _Run:
    tool: str
    rules: Sequence[Mapping[str, Any]]
    rules_by_id: Mapping[str, Mapping[str, Any]]
    artifacts: Sequence[Any]
    bases: Mapping[str, Any]
    root: _Where


def _run_results(run: Mapping[str, Any], root: _Where, where: str) -> list[SarifResult]:
    driver = _dict(_dict(run, "tool", where), "driver", where)
    tool = driver.get("name")
    if not isinstance(tool, str) or not tool:
        raise SarifError(f"{where}: tool.driver.name is missing; every SARIF run names its tool")
    rules = [r for r in _list(driver, "rules", where, required=False) if isinstance(r, dict)]
    ctx = _Run(
        tool=tool,
        rules=rules,
        rules_by_id={str(r["id"]): r for r in rules if isinstance(r.get("id"), str)},
        artifacts=_list(run, "artifacts", where, required=False),
        bases=_dict(run, "originalUriBaseIds", where),
        root=root,
    )
    out: list[SarifResult] = []
    for j, result in enumerate(_list(run, "results", where, required=False)):
        if not isinstance(result, dict):
            raise SarifError(f"{where}.results[{j}] must be an object")
        parsed = _result(result, ctx, f"{where}.results[{j}]")
        if parsed is not None:
            out.append(parsed)
    return out


def _rule_of(result: Mapping[str, Any], ctx: _Run) -> tuple[str, Mapping[str, Any]]:
    rule_id = result.get("ruleId")
    ref = result.get("rule") if isinstance(result.get("rule"), dict) else {}
    assert isinstance(ref, dict)
    if not isinstance(rule_id, str):
        rule_id = ref.get("id") if isinstance(ref.get("id"), str) else ""
    index = result.get("ruleIndex", ref.get("index"))
    if isinstance(index, int) and 0 <= index < len(ctx.rules):
        return str(rule_id or ctx.rules[index].get("id") or ""), ctx.rules[index]
    return str(rule_id), ctx.rules_by_id.get(str(rule_id), {})


def _level(result: Mapping[str, Any], rule: Mapping[str, Any], where: str) -> str | None:
    kind = result.get("kind", "fail")
    if kind not in _PROBLEM_KINDS:
        return None
    level = result.get("level")
    if level is None:
        default = rule.get("defaultConfiguration")
        level = default.get("level") if isinstance(default, dict) else None
    if level is None:
        # SARIF's own default: a problem with no level is a warning; review/open are notes
        level = "warning" if kind == "fail" else "note"
    if level not in LEVELS:
        raise SarifError(f"{where}: level {level!r} is not one of error, warning, note, none")
    return str(level)


def _message(result: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
    message = result.get("message")
    text = _text(message)
    if not text and isinstance(message, dict) and isinstance(message.get("id"), str):
        strings = rule.get("messageStrings")
        if isinstance(strings, dict):
            text = _text(strings.get(message["id"]))
    if text and isinstance(message, dict) and isinstance(message.get("arguments"), list):
        args = [str(a) for a in message["arguments"]]

        def fill(m: re.Match[str]) -> str:
            n = int(m.group(1))
            return args[n] if n < len(args) else m.group(0)

        text = _PLACEHOLDER.sub(fill, text)
    return (text or _text(rule.get("shortDescription")) or "(no message)").strip()


def _suppressed(result: Mapping[str, Any]) -> str:
    """ "" when no suppression is in force; else "inSource" when one of those in force is a
    comment in the code (a pull request can write that), else "external"."""
    suppressions = result.get("suppressions")
    if not isinstance(suppressions, list):
        return ""
    # a suppression without a status, or "accepted", is in force; others are only proposed
    kinds = {
        str(s.get("kind", "external"))
        for s in suppressions
        if isinstance(s, dict) and s.get("status", "accepted") == "accepted"
    }
    if not kinds:
        return ""
    return "inSource" if "inSource" in kinds else "external"


def _result(result: Mapping[str, Any], ctx: _Run, where: str) -> SarifResult | None:
    suppressed = _suppressed(result)
    if suppressed == "external" or result.get("baselineState") in _OLD_BASELINE_STATES:
        return None
    rule_id, rule = _rule_of(result, ctx)
    level = _level(result, rule, where)
    if level is None:
        return None
    # a link is the most useful remedy: help texts are often templates ("{name} unused")
    uri = rule.get("helpUri")
    help_text = f"See {uri}" if isinstance(uri, str) and uri else _text(rule.get("help"))
    path, start, end, raw = _location(result, ctx, where)
    return SarifResult(
        tool=ctx.tool,
        rule_id=rule_id,
        level=level,
        message=_message(result, rule),
        path=path,
        start_line=start,
        end_line=end,
        raw_uri=raw,
        help=help_text.strip(),
        suppressed=suppressed,
    )


def _location(
    result: Mapping[str, Any], ctx: _Run, where: str
) -> tuple[str | None, int | None, int | None, str]:
    locations = _list(result, "locations", where, required=False)
    if not locations or not isinstance(locations[0], dict):
        return None, None, None, ""
    physical = _dict(locations[0], "physicalLocation", where)
    artifact = _dict(physical, "artifactLocation", where)
    region = _dict(physical, "region", where)
    start = region.get("startLine")
    end = region.get("endLine", start)
    start = start if isinstance(start, int) and start > 0 else None
    end = end if isinstance(end, int) and start is not None and end >= start else start
    uri = _absolute_uri(artifact, ctx, depth=0)
    if uri is None:
        return None, start, end, ""
    path = _repo_path(uri, ctx.root)
    return path, start, end, "" if path is not None else uri


def _absolute_uri(artifact: Mapping[str, Any], ctx: _Run, depth: int) -> str | None:
    """The artifact's URI with its ``uriBaseId`` chain (or artifact index) applied."""
    uri = artifact.get("uri")
    index = artifact.get("index")
    if not isinstance(uri, str) and isinstance(index, int) and 0 <= index < len(ctx.artifacts):
        entry = ctx.artifacts[index]
        location = entry.get("location") if isinstance(entry, dict) else None
        if isinstance(location, dict):
            return _absolute_uri(location, ctx, depth + 1)
    if not isinstance(uri, str) or not uri:
        return None
    base_id = artifact.get("uriBaseId")
    if not isinstance(base_id, str) or _has_scheme(uri) or uri.startswith("/") or depth > 8:
        return uri
    base = ctx.bases.get(base_id)
    # an undeclared base id (%SRCROOT%, PROJECTROOT...) conventionally means the checkout
    base_uri = _absolute_uri(base, ctx, depth + 1) if isinstance(base, dict) else None
    if not base_uri:
        return uri
    return base_uri.rstrip("/") + "/" + uri


def _has_scheme(uri: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", uri) is not None


def _repo_path(uri: str, root: _Where) -> str | None:
    """A repository-relative POSIX path for ``uri``, or None when it lies outside."""
    if _has_scheme(uri):
        parts = urlsplit(uri)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        raw = unquote(parts.path)
    else:
        raw = unquote(uri)
    rel = root.relative(raw)
    if rel is None:
        return None
    normal = os.path.normpath(rel).replace(os.sep, "/")
    if normal in (".", "") or normal == ".." or normal.startswith("../"):
        return None
    return str(PurePosixPath(normal))
