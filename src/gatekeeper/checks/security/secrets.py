"""The secrets part: credentials in the lines a pull request added, never printed.

Every changed text file is scanned, not only Python. The scan covers each run of added
lines plus a few lines of context on either side (windows closer than that merge), so a
secret whose pieces sit on both sides of a hunk boundary, such as a private key whose
header line was already there, is still seen whole; a match is reported only when it
touches an added line. Two engines run over the windows: token formats of our own
(precise, with rule ids of their own) and detect-secrets' line plugins, used as a
library with no network verification. Messages show a secret only redacted
(``ghp_…9f2a``); fingerprints hash it.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gatekeeper.changes import ChangedFile
from gatekeeper.checks.interface import CheckContext
from gatekeeper.checks.security.common import MakeFinding, Part, in_scope
from gatekeeper.globs import match_any
from gatekeeper.model import Finding, Level, Rule

CONTEXT_LINES = 3
DEFAULT_MAX_LINE = 4096
DEFAULT_MIN_ENTROPY = 3.0
#: generated files full of hashes that look like secrets and are not
DEFAULT_EXCLUDE = (
    "*.lock",
    "package-lock.json",
    "pnpm-lock.yaml",
    "npm-shrinkwrap.json",
    "*.svg",
    "go.sum",
    "pylock.toml",
    "pylock.*.toml",
)
ENV_FILES = (".env", ".env.*", "*.env")
ENV_TEMPLATES = ("*.example", "*.sample", "*.template", "*.dist", "*.defaults", "*.tpl")
_PRAGMAS = ("pragma: allowlist secret", "gatekeeper: allow-secret")
#: values that are placeholders, not secrets (matched against the whole value)
DEFAULT_ALLOWLIST = (
    r"(?i).*(?:example|sample|placeholder|changeme|change[_-]me|dummy|fake|redacted|"
    r"your[_-].*[_-]here|xxxx|\*\*\*\*|test[_-]?(?:key|token|secret|password)).*",
    r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?",  # ${VAR} and $VAR references
    r"\{\{.*\}\}|<[^<>]+>|%\(?[A-Za-z_]*\)?s",  # templates and format slots
)

RULE_ENV = "env-file-committed"
RULE_OTHER = "secret-detected"
RULE_GENERIC = "secret-high-entropy"


@dataclass(frozen=True, slots=True)
class _Format:
    rule: str
    name: str
    regex: re.Pattern[str]
    #: how many leading characters are a public prefix, safe to show
    prefix: int


_FORMATS: tuple[_Format, ...] = (
    _Format(
        "secret-github-token",
        "GitHub token",
        re.compile(r"\b(?:gh[opsur]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})\b"),
        4,
    ),
    _Format(
        "secret-aws-access-key",
        "AWS access key id",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b"),
        4,
    ),
    _Format(
        "secret-slack-token",
        "Slack token",
        re.compile(
            r"\bxox[abposre]-[A-Za-z0-9-]{10,250}|"
            r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/"
            r"[A-Za-z0-9_]{8,}"
        ),
        5,
    ),
    _Format(
        "secret-stripe-live-key",
        "Stripe live key",
        re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,247}\b"),
        8,
    ),
    _Format(
        "secret-private-key",
        "private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:\\n|\s)*[A-Za-z0-9+/=:,\\\s-]{64,}?-----END"
        ),
        0,
    ),
    _Format(
        "secret-jwt",
        "JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
        3,
    ),
    _Format(
        "secret-gcp-service-account",
        "Google Cloud service-account key",
        re.compile(r"\"private_key_id\"\s*:\s*\"(?P<v>[0-9a-f]{40})\""),
        0,
    ),
)
_GENERIC = re.compile(
    r"(?i)([A-Za-z0-9_.-]{0,40}(?:secret|token|passw(?:or)?d|passwd|pwd|api[_-]?key|apikey|"
    r"access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth)[A-Za-z0-9_.-]{0,40})"
    r"[\"']?\s*(?::=|=>|[:=])\s*[bru]?([\"'])([^\"'\s]{8,256})\2"
)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")

#: detect-secrets plugins left out: ours replace the keyword one (with an entropy floor
#: and an allowlist), a public IP address is not a secret, and the entropy-only plugins
#: flag every checksum (turn them on with ``entropy_strings: true``).
_DS_OFF = ("KeywordDetector", "IPPublicDetector")
_DS_ENTROPY = ("Base64HighEntropyString", "HexHighEntropyString")
#: detect-secrets types that one of our formats already reports with a better id
_DS_OURS = {
    "GitHub Token": "secret-github-token",
    "AWS Access Key": "secret-aws-access-key",
    "Slack Token": "secret-slack-token",
    "Stripe Access Key": "secret-stripe-live-key",
    "Private Key": "secret-private-key",
    "JSON Web Token": "secret-jwt",
}
_DS_LOCK = threading.Lock()  # detect-secrets keeps its settings in a process-wide global

_REMEDY = (
    "Remove the secret from the change and rotate it now (it is in the branch's history); "
    "load it from the environment or a secret store instead."
)
RULES: tuple[Rule, ...] = (
    *(
        Rule(
            f.rule,
            Level.ERROR,
            f"A {f.name} was added to the repository.",
            remedy=_REMEDY,
            tags=("security", "CWE-798"),
            security_severity="9.0",
        )
        for f in _FORMATS
    ),
    Rule(
        RULE_GENERIC,
        Level.ERROR,
        "A high-entropy value was assigned to a name that says it is a secret.",
        remedy=_REMEDY + " If it is not a secret, add it to `secrets.allowlist`.",
        tags=("security", "CWE-798"),
        security_severity="7.5",
    ),
    Rule(
        RULE_OTHER,
        Level.ERROR,
        "detect-secrets recognised a credential in an added line.",
        remedy=_REMEDY,
        tags=("security", "CWE-798"),
        security_severity="7.5",
    ),
    Rule(
        RULE_ENV,
        Level.ERROR,
        "A .env file with values was committed.",
        remedy="Remove the file from git, add it to .gitignore, rotate the values; commit "
        "a `.env.example` with empty values instead.",
        tags=("security", "CWE-538"),
        security_severity="7.5",
    ),
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One secret found: where, which rule, and the value (kept only to redact and hash)."""

    path: str
    line: int
    end_line: int
    rule: str
    kind: str
    value: str


@dataclass(frozen=True)
class _Options:
    allow: tuple[re.Pattern[str], ...]
    pragmas: bool
    min_entropy: float
    max_line: int
    entropy_strings: bool


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """Secrets in the added lines of every changed text file, and committed .env files."""
    opts = _Options(
        allow=tuple(re.compile(p) for p in (*DEFAULT_ALLOWLIST, *part.get("allowlist", ()))),
        pragmas=bool(part.get("honour_pragmas", True)),
        min_entropy=float(part.get("min_entropy", DEFAULT_MIN_ENTROPY)),
        max_line=int(part.get("max_line_length", DEFAULT_MAX_LINE)),
        entropy_strings=bool(part.get("entropy_strings", False)),
    )
    exclude = tuple(part.get("exclude", DEFAULT_EXCLUDE))
    findings: list[Finding] = []
    scanned = lines = 0
    for f in in_scope(ctx, ("**",)):
        if not f.is_text or not f.added or match_any(f.path, exclude):
            continue
        text = ctx.changes.text_at_head(f.path)
        if text is None:
            continue
        ctx.check_time()
        scanned, lines = scanned + 1, lines + f.added_count
        hits = scan_text(f.path, text.splitlines(), f.added_lines(), opts)
        findings += [_to_finding(h, part, make) for h in _numbered(hits)]
        if _is_env_file(f.path):
            findings += _env_findings(f, text, part, make)
    ctx.add_details(f"secrets: {lines} added line(s) in {scanned} file(s) scanned.")
    return findings


def scan_text(path: str, lines: Sequence[str], added: frozenset[int], opts: _Options) -> list[Hit]:
    """Secrets in windows of ``lines`` around the ``added`` line numbers (1-based)."""
    hits: list[Hit] = []
    for start, end in _windows(added, len(lines)):
        window = lines[start - 1 : end]
        ours = list(_our_formats(path, window, start, added, opts))
        hits += ours
        hits += _detect_secrets(path, window, start, (added, opts, ours))
    unique = {(h.line, h.rule, h.value): h for h in hits}
    return [unique[k] for k in sorted(unique)]


def _windows(added: frozenset[int], count: int) -> Iterator[tuple[int, int]]:
    """Runs of added lines widened by CONTEXT_LINES each side, merged where they touch."""
    start = end = -1
    for n in sorted(added):
        lo, hi = max(1, n - CONTEXT_LINES), min(count, n + CONTEXT_LINES)
        if start != -1 and lo <= end + 1:
            end = max(end, hi)
            continue
        if start != -1:
            yield start, end
        start, end = lo, hi
    if start != -1:
        yield start, end


def _our_formats(
    path: str, window: Sequence[str], first: int, added: frozenset[int], opts: _Options
) -> Iterator[Hit]:
    """Our token formats over the whole window (they may span lines), then the generic
    assignment rule line by line on added lines short enough to be code, not a bundle."""
    text = "\n".join(window)
    starts = [0]
    for line in window[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return first + bisect.bisect_right(starts, offset) - 1

    def waived(n: int) -> bool:
        return opts.pragmas and any(p in window[n - first] for p in _PRAGMAS)

    found: list[tuple[int, str]] = []
    for fmt in _FORMATS:
        for m in fmt.regex.finditer(text):
            lo, hi = line_of(m.start()), line_of(max(m.start(), m.end() - 1))
            value = m.group("v") if "v" in m.groupdict() else m.group(0)
            if not any(n in added for n in range(lo, hi + 1)) or waived(lo):
                continue
            if not any(p.fullmatch(value) for p in opts.allow):
                found.append((lo, value))
                yield Hit(path, lo, hi, fmt.rule, fmt.name, value)
    for n, line in enumerate(window, first):
        if n not in added or len(line) > opts.max_line or waived(n):
            continue
        for m in _GENERIC.finditer(line):
            value = m.group(3)
            # a token a format already named is not reported again as a generic secret
            if _is_secret_like(value, opts) and not _overlaps(n, value, found):
                yield Hit(path, n, n, RULE_GENERIC, f"value of {m.group(1)}", value)


def _overlaps(line: int, value: str, found: Sequence[tuple[int, str]]) -> bool:
    return any(n == line and (value in v or v in value) for n, v in found)


def _is_secret_like(value: str, opts: _Options) -> bool:
    if any(p.fullmatch(value) for p in opts.allow):
        return False
    return entropy(value) >= opts.min_entropy and len(set(value)) > 4


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    size = len(value)
    return -sum(c / size * math.log2(c / size) for c in counts.values()) if size else 0.0


def _detect_secrets(
    path: str, window: Sequence[str], first: int, ctx: tuple[frozenset[int], _Options, list[Hit]]
) -> list[Hit]:
    """detect-secrets' line plugins over the window, minus what ours already reported."""
    added, opts, ours = ctx
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings, get_settings

    numbered = [(i, line if len(line) <= opts.max_line else "") for i, line in enumerate(window, 1)]
    with _DS_LOCK, default_settings():
        settings = get_settings()
        settings.disable_plugins(*_DS_OFF, *(() if opts.entropy_strings else _DS_ENTROPY))
        if not opts.pragmas:
            settings.disable_filters("detect_secrets.filters.allowlist.is_line_allowlisted")
        found = list(_process_line_based_plugins(numbered, path))
    seen = [(h.line, h.value) for h in ours]
    hits = []
    for secret in found:
        line, value = first + secret.line_number - 1, str(secret.secret_value or "")
        if line not in added or not value or any(p.fullmatch(value) for p in opts.allow):
            continue
        if _overlaps(line, value, seen):
            continue
        rule = _DS_OURS.get(secret.type, RULE_OTHER)
        hits.append(Hit(path, line, line, rule, str(secret.type), value))
    return hits


def redact(value: str, prefix: int = 0) -> str:
    """A secret as it may be shown: its public prefix and, when long, its last 4 characters."""
    if value.startswith("-----BEGIN"):
        return value.split("-----")[1].join(("-----", "-----…"))
    head = value[:prefix] if len(value) > prefix + 8 else ""
    tail = value[-4:] if len(value) - len(head) >= 16 else ""
    return f"{head}…{tail}"


_PREFIX = {f.rule: f.prefix for f in _FORMATS}


def _numbered(hits: list[Hit]) -> Iterator[tuple[Hit, int]]:
    """Each hit with how many equal ones came before it in the file (for the fingerprint)."""
    seen: Counter[tuple[str, str]] = Counter()
    for h in hits:
        yield h, seen[(h.rule, h.value)]
        seen[(h.rule, h.value)] += 1


def _to_finding(numbered: tuple[Hit, int], part: Part, make: MakeFinding) -> Finding:
    hit, nth = numbered
    shown = redact(hit.value, _PREFIX.get(hit.rule, 0))
    digest = hashlib.sha256(hit.value.encode("utf-8", "surrogateescape")).hexdigest()
    return make(
        hit.rule,
        f"{hit.kind} added: {shown}",
        path=hit.path,
        line=hit.line,
        end_line=hit.end_line,
        evidence=f"{digest}|{nth}",
        level=part.level,
    )


def _is_env_file(path: str) -> bool:
    return match_any(path, ENV_FILES) and not match_any(path, ENV_TEMPLATES)


def _env_findings(f: ChangedFile, text: str, part: Part, make: MakeFinding) -> list[Finding]:
    """One finding per .env file whose added lines give variables non-empty values."""
    added = f.added_lines()
    names: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _ENV_LINE.match(line)
        if n not in added or m is None or line.lstrip().startswith("#"):
            continue
        value = m.group(2).split(" #", 1)[0].strip().strip("\"'")
        if value:
            names.append((n, m.group(1)))
    if not names:
        return []
    listed = ", ".join(name for _, name in names[:10]) + (" …" if len(names) > 10 else "")
    return [
        make(
            RULE_ENV,
            f"{f.path} is committed with values for {listed}.",
            path=f.path,
            line=names[0][0],
            evidence=f.path,
            level=part.level,
        )
    ]
