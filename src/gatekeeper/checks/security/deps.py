"""The dependencies part: vulnerable packages the pull request brings in, via pip-audit.

When the change touches a dependency manifest, the pinned set is read at head and at
base (the changed manifests, the files they include, and the lock files beside them,
which also resolve unpinned requirements). pip-audit's OSV service is asked about each
(package, version) once across both sides; a vulnerability at head that the same
package already had at base is pre-existing and only counted. The OSV endpoint is
configurable (``osv_url``, else ``PIP_AUDIT_OSV_URL``) so a company mirror works; when
it cannot be reached the check fails closed with the reason.
"""

from __future__ import annotations

import os
import posixpath
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.checks.interface import CheckContext, CheckError
from gatekeeper.checks.security import manifests
from gatekeeper.checks.security.common import MakeFinding, Part, in_scope, tool
from gatekeeper.checks.security.manifests import Loose, ManifestError, Pin
from gatekeeper.model import Finding, Level, Rule

DEFAULT_OSV_URL = "https://api.osv.dev/v1/query"
DEFAULT_TIMEOUT = 15.0
WORKERS = 8
#: (canonical package name, version): what OSV is asked about
Pair = tuple[str, str]

RULE_VULNERABLE = "vulnerable-dependency"
RULE_CANNOT_AUDIT = "cannot-audit"
RULE_UNREADABLE = "manifest-unreadable"
RULE_UNKNOWN_LOCK = "lock-format-unknown"
RULE_AUDIT_FAILED = "audit-failed"

RULES: tuple[Rule, ...] = (
    Rule(
        RULE_VULNERABLE,
        Level.ERROR,
        "The change adds or moves to a dependency version with a known vulnerability.",
        remedy="Upgrade to a fixed version (named in the message), or choose another package.",
        tags=("security", "CWE-1395"),
        security_severity="7.5",
    ),
    Rule(
        RULE_CANNOT_AUDIT,
        Level.WARNING,
        "A new requirement has no single version, so it cannot be audited.",
        remedy="Pin it (`name==X.Y.Z`) or commit a lock file (uv.lock, poetry.lock, pylock.toml).",
        tags=("security",),
    ),
    Rule(
        RULE_UNREADABLE,
        Level.ERROR,
        "A dependency manifest the change touches cannot be read, so it was not audited.",
        remedy="Fix the file so that pip and the lock tool can read it.",
        tags=("security",),
    ),
    Rule(
        RULE_AUDIT_FAILED,
        Level.ERROR,
        "The advisories for a new dependency version could not be read, so it was not audited.",
        remedy="Check the package on https://osv.dev by hand; the advisory data needs fixing "
        "upstream (or in your OSV mirror).",
        tags=("security",),
    ),
    Rule(
        RULE_UNKNOWN_LOCK,
        Level.WARNING,
        "The change touches a lock file in a format the security check does not read.",
        remedy="Export the locked set as requirements.txt or pylock.toml so it can be audited, "
        "or, where lock files of other ecosystems are expected, set "
        "`checks.security.rules.lock-format-unknown: off`.",
        tags=("security",),
    ),
)


@dataclass
class Side:
    """The dependencies at one revision."""

    pins: list[Pin] = field(default_factory=list)
    loose: list[Loose] = field(default_factory=list)
    errors: list[tuple[str, ManifestError]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Vuln:
    """One advisory for one (package, version), as pip-audit reports it."""

    id: str
    aliases: tuple[str, ...]
    description: str
    fixes: tuple[str, ...]

    @property
    def ids(self) -> frozenset[str]:
        """The id and its aliases: two advisories are the same if these meet."""
        return frozenset((self.id, *self.aliases))


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """Findings for the dependency manifests the change touched."""
    changed = in_scope(
        ctx, (*manifests.KNOWN, *manifests.UNKNOWN_LOCKS, *manifests.OTHER_ECOSYSTEMS)
    )
    findings = [_unknown_lock(f.path, make) for f in changed if manifests.is_unknown_lock(f.path)]
    known = [f.path for f in changed if manifests.is_known(f.path)]
    if not known:
        return findings
    head = read_side(known, ctx.changes.text_at_head)
    base = read_side([ctx.changes.base_path_of(p) for p in known], ctx.changes.text_at_base)
    findings += [
        make(
            RULE_UNREADABLE,
            f"{path} cannot be read: {err}",
            path=path,
            line=err.line,
            evidence=str(err),
        )
        for path, err in head.errors
    ]
    findings += _cannot_audit(head, base, make)
    results, failed = audit(ctx, part, head, base)
    new, old = _introduced(head, base, results)
    findings += [_vuln_finding(pin, vuln, part, make) for pin, vuln in new]
    findings += _failures(head, base, failed, make)
    ctx.add_details(
        f"dependencies: {len({(p.name, p.version) for p in head.pins})} pinned at head, "
        f"{len(results)} (package, version) pair(s) audited, {len(new)} new vulnerability "
        f"finding(s), {len(old)} pre-existing at base (not counted)."
    )
    return findings


def _unknown_lock(path: str, make: MakeFinding) -> Finding:
    """A lock file we do not read: a warning, or only a note for another ecosystem's."""
    if manifests.is_other_ecosystem(path):
        message = f"{path} locks another ecosystem's packages; the Python audit did not cover it."
        return make(RULE_UNKNOWN_LOCK, message, path=path, evidence=path, level=Level.INFO)
    message = f"{path} is a lock file in a format gatekeeper does not read; its dependencies "
    message += "were not audited."
    return make(RULE_UNKNOWN_LOCK, message, path=path, evidence=path)


def read_side(paths: Iterable[str], read: manifests.Reader) -> Side:
    """Parse the manifests at ``paths`` and the known lock files in their folders."""
    side = Side()
    wanted = set(paths)
    # pip-compile's output pins what its ``.in`` input leaves open
    wanted |= {p.removesuffix(".in") + ".txt" for p in paths if p.endswith(".in")}
    for folder in {posixpath.dirname(p) for p in paths}:
        for lock in ("poetry.lock", "uv.lock", "pylock.toml", "Pipfile.lock"):
            wanted.add(posixpath.join(folder, lock))
    for path in sorted(wanted):
        text = read(path)
        if text is None:
            continue
        try:
            parsed = manifests.parse(path, text, read)
        except ManifestError as err:
            side.errors.append((path, err))
            continue
        side.pins += parsed.pins
        side.loose += parsed.loose
    side.pins.sort()
    side.loose.sort()
    return side


def _cannot_audit(head: Side, base: Side, make: MakeFinding) -> list[Finding]:
    """Unpinned requirements new in this change that no lock file at head resolves."""
    resolved = {p.name for p in head.pins}
    before = {(x.path, x.name, x.spec) for x in base.loose}
    out: dict[tuple[str, str], Finding] = {}
    for x in head.loose:
        if x.name in resolved or (x.path, x.name, x.spec) in before:
            continue
        out.setdefault(
            (x.path, x.name),
            make(
                RULE_CANNOT_AUDIT,
                f"{x.spec} ({x.path}) cannot be audited: {x.reason}, and no "
                "lock file beside it pins a version.",
                path=x.path,
                line=x.line,
                evidence=x.spec,
            ),
        )
    return [out[k] for k in sorted(out)]


def audit(
    ctx: CheckContext, part: Part, head: Side, base: Side
) -> tuple[dict[Pair, list[Vuln]], dict[Pair, str]]:
    """Ask OSV about every pinned (package, version) at head, then base versions of the
    packages found vulnerable at head; each pair is asked once. Also returns the pairs
    whose advisories pip-audit could not read, with the reason."""
    service = _Service(ctx, part)
    results = service.query_all(sorted({(p.name, p.version) for p in head.pins}))
    vulnerable = {name for (name, _), vulns in results.items() if vulns}
    todo = sorted({(p.name, p.version) for p in base.pins if p.name in vulnerable} - set(results))
    results.update(service.query_all(todo))
    return results, dict(sorted(service.failed.items()))


def _failures(
    head: Side, base: Side, failed: Mapping[Pair, str], make: MakeFinding
) -> list[Finding]:
    """A finding per new head pair that could not be audited (a base failure only means
    base's vulnerabilities are unknown, so head's count as new)."""
    before = {(p.name, p.version) for p in base.pins}
    out: dict[Pair, Finding] = {}
    for pin in head.pins:
        pair = (pin.name, pin.version)
        if pair in failed and pair not in before and pair not in out:
            out[pair] = make(
                RULE_AUDIT_FAILED,
                f"{pin.name} {pin.version} could not be audited: {failed[pair]}.",
                path=pin.path,
                line=pin.line,
                evidence=f"{pin.name}|{pin.version}",
            )
    return [out[k] for k in sorted(out)]


def _introduced(
    head: Side, base: Side, results: Mapping[Pair, list[Vuln]]
) -> tuple[list[tuple[Pin, Vuln]], list[tuple[Pin, Vuln]]]:
    """Split head's vulnerabilities into new ones and those the package had at base."""
    before: dict[str, set[str]] = {}
    for pin in base.pins:
        for vuln in results.get((pin.name, pin.version), []):
            before.setdefault(pin.name, set()).update(vuln.ids)
    new: dict[tuple[str, str, str], tuple[Pin, Vuln]] = {}
    old: dict[tuple[str, str, str], tuple[Pin, Vuln]] = {}
    for pin in head.pins:  # sorted, so the first manifest naming a pin locates it
        for vuln in results.get((pin.name, pin.version), []):
            bucket = old if vuln.ids & before.get(pin.name, set()) else new
            bucket.setdefault((pin.name, pin.version, vuln.id), (pin, vuln))
    return [new[k] for k in sorted(new)], [old[k] for k in sorted(old)]


def _vuln_finding(pin: Pin, vuln: Vuln, part: Part, make: MakeFinding) -> Finding:
    aliases = f" ({', '.join(vuln.aliases)})" if vuln.aliases else ""
    fix = f"fixed in {', '.join(vuln.fixes)}" if vuln.fixes else "no fixed version yet"
    summary = vuln.description if len(vuln.description) <= 200 else vuln.description[:199] + "…"
    remedy = (
        f"Upgrade {pin.name} to {_first_fix_above(pin.version, vuln.fixes)} or later."
        if vuln.fixes
        else f"No release of {pin.name} fixes {vuln.id} yet: remove it or use another package."
    )
    return make(
        RULE_VULNERABLE,
        f"{pin.name} {pin.version} has {vuln.id}{aliases}: {summary} ({fix}).",
        path=pin.path,
        line=pin.line,
        evidence=f"{pin.name}|{vuln.id}",
        remedy=remedy,
        level=part.level,
    )


def _first_fix_above(version: str, fixes: Sequence[str]) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        current = Version(version)
        above = [f for f in fixes if Version(f) > current]
    except InvalidVersion:
        above = []
    return (above or list(fixes))[0]


class _Service:
    """pip-audit's OSV client, one per worker thread, with failures turned into CheckError."""

    def __init__(self, ctx: CheckContext, part: Part) -> None:
        self.url = str(
            part.get("osv_url", "") or os.environ.get("PIP_AUDIT_OSV_URL") or DEFAULT_OSV_URL
        )
        # never wait past the check's own budget: the engine would only kill us later
        self.timeout = min(float(part.get("timeout", DEFAULT_TIMEOUT)), max(1.0, ctx.remaining()))
        self.cache = ctx.scratch / "pip-audit-cache"
        self.ctx = ctx
        self.local = threading.local()
        #: pairs whose advisories could not be read, with the reason (set from workers)
        self.failed: dict[Pair, str] = {}

    def query_all(self, pairs: Sequence[Pair]) -> dict[Pair, list[Vuln]]:
        """Vulnerabilities of each pair (in parallel: OSV answers one package per request)."""
        if not pairs:
            return {}
        self.ctx.check_time()
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(pairs))) as pool:
            return dict(zip(pairs, pool.map(self._query, pairs), strict=True))

    def _query(self, pair: Pair) -> list[Vuln]:
        import requests
        from packaging.version import InvalidVersion, Version

        svc = tool(
            "pip_audit._service",
            "pip-audit>=2.7",
            "auditing dependencies",
            "OsvService",
            "ResolvedDependency",
            "ServiceError",
            "ConnectionError",
        )

        name, version = pair
        if not hasattr(self.local, "service"):
            self.local.service = svc.OsvService(
                cache_dir=self.cache, timeout=self.timeout, osv_url=self.url
            )
        try:
            spec = svc.ResolvedDependency(name=name, version=Version(version))
        except InvalidVersion:
            return []  # not a PEP 440 version: nothing in OSV's PyPI ecosystem can match it
        try:
            _, results = self.local.service.query(spec)
        except InvalidVersion as exc:
            # real advisory data has a few non-PEP 440 versions (``0.2.0-n653``) that
            # pip-audit cannot parse: that package is unaudited, the others are not
            self.failed[pair] = f"an advisory for it names a version pip-audit cannot read ({exc})"
            return []
        except ValueError as exc:  # before RequestException: a bad JSON body is both
            raise CheckError(
                f"the vulnerability service at {self.url} gave an answer that is not OSV JSON "
                f"({type(exc).__name__}); check `security.dependencies.osv_url`"
            ) from exc
        except (svc.ServiceError, svc.ConnectionError, requests.RequestException) as exc:
            raise CheckError(self._explain(exc)) from exc
        except (KeyError, TypeError) as exc:
            raise CheckError(
                f"the vulnerability service at {self.url} gave an answer that is not OSV JSON "
                f"({type(exc).__name__}); check `security.dependencies.osv_url`"
            ) from exc
        return sorted((_vuln(r) for r in results), key=lambda v: v.id)

    def _explain(self, exc: BaseException) -> str:
        cause: Any = exc.__cause__ or exc
        import requests

        if isinstance(cause, requests.HTTPError) and cause.response is not None:
            reason = f"it answered HTTP {cause.response.status_code}"
        elif isinstance(cause, requests.Timeout):
            reason = f"it did not answer within {self.timeout:g} s"
        else:
            reason = f"it could not be reached ({type(cause).__name__})"
        return (
            f"cannot audit dependencies: the vulnerability service at {self.url} failed: "
            f"{reason}. Retry, or point `security.dependencies.osv_url` (or PIP_AUDIT_OSV_URL) "
            "at a working OSV mirror."
        )


def _vuln(result: Any) -> Vuln:
    return Vuln(
        id=str(result.id),
        aliases=tuple(sorted(str(a) for a in result.aliases)),
        description=str(result.description),
        fixes=tuple(str(v) for v in result.fix_versions),
    )
