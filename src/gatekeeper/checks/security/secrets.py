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
import contextlib
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gatekeeper.changes import ChangedFile, FileKind, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.changes.suppressions import TRUST_KEY, Suppressions
from gatekeeper.checks.interface import CheckContext, CheckError
from gatekeeper.checks.security.common import (
    DEFAULT_TEST_FILES,
    MakeFinding,
    Part,
    in_scope,
    not_read_reason,
    tool,
)
from gatekeeper.checks.security.secret_formats import (
    DEFAULT_ALLOWLIST,
    FORMATS,
    GENERIC,
    NOT_SECRET_SHAPES,
    PRAGMAS,
    entropy,
    github_issued,
    is_placeholder,
    local_reference,
    local_url_password,
    looks_random,
    names_an_identifier,
    namespaced_key,
    redact,
    spelled_identifier,
    symbolic_constant,
)
from gatekeeper.checks.security.secret_marks import Pragmas, git_lines, scan_view
from gatekeeper.checks.security.secret_python import PythonRegions, python_regions
from gatekeeper.checks.security.secret_unquoted import (
    base64_text,
    reads_unquoted,
    reference_parts,
    unquoted_assignments,
)
from gatekeeper.checks.security.secret_urls import (
    credential_free_url,
    default_login,
    development_dsn,
)
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
#: documentation: a generic high-entropy value there is an example (a webhook secret in
#: a how-to, a sample config), so it warns; a token of a named format still blocks
DEFAULT_DOC_FILES = ("**/*.md", "**/*.mdx", "**/*.rst", "**/*.adoc", "**/docs/**")
ENV_FILES = (".env", ".env.*", "*.env")
#: example files document variables; some projects name them ``example.env`` (prefix),
#: which the suffix forms alone miss
ENV_TEMPLATES = (
    "*.example",
    "*.sample",
    "*.template",
    "*.dist",
    "*.defaults",
    "*.tpl",
    "example.*",
    "sample.*",
    "template.*",
    "*.example.env",
    "*.sample.env",
    "*.template.env",
)
RULE_ENV = "env-file-committed"
RULE_OTHER = "secret-detected"
RULE_GENERIC = "secret-high-entropy"
RULE_NOT_SCANNED = "secrets-not-scanned"
RULE_SUBMODULE = "submodule-changed"

# the value is stripped in code: a lazy group before a trailing \s*$ is quadratic in a
# line of blanks
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$")

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
    "JSON Web Token": "secret-jwt",
}
#: detect-secrets types dropped: it flags a private-key header alone (documentation);
#: our format requires key material after the header
_DS_DROP = ("Private Key",)
_DS_LOCK = threading.Lock()  # detect-secrets keeps its settings in a process-wide global
#: a GitHub token as detect-secrets finds one, underscores in its body included
_GH_IN_LINE = re.compile(r"\bgh[opsur]_[A-Za-z0-9_]{36,251}")

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
            description=f.about,
            tags=("security", "CWE-798"),
            security_severity="9.0",
        )
        for f in FORMATS
    ),
    Rule(
        RULE_GENERIC,
        Level.ERROR,
        "A high-entropy value was assigned to a name that says it is a secret.",
        remedy=_REMEDY + " If it is not a secret, add it to `checks.security.secrets.allowlist`.",
        description="A value of no known token format, random-looking, under a name such as "
        "`password`, `api_key` or `token`: quoted anywhere, and also unquoted in shell, env, "
        "YAML, properties, INI and Docker files (`export API_TOKEN=…`, `password: …`). "
        "Base64 of text is judged by the text. Placeholders and mocks (`fake-…`, `changeme`, "
        "`xxxx`) and keys spelled in words (`casdoor:device_auth:`) are not reported. "
        "In test code (`checks.security.secrets.test_files`) and documentation "
        "(`doc_files`) it is a warning, as fixtures and examples are made-up "
        "values that look like secrets; a token of a known format blocks there as anywhere. "
        "In Python, a docstring counts as documentation and a block under a bare "
        "`if TESTING:` flag as test code. "
        "A level the policy gives the part applies everywhere.",
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
        RULE_NOT_SCANNED,
        Level.ERROR,
        "A changed file could not be read, so it was not scanned for secrets.",
        remedy="Split a file over the size the gate reads, or point a symlink at a file "
        "inside the repository; a generated file is excluded with "
        "`checks.security.secrets.exclude` in the base policy (a human reviews that it holds "
        "no credentials).",
        description="A file over the size the gate reads (10 MB) or a symlink that leads "
        "outside the repository. What the gate did not read it cannot call clean, so this "
        "blocks under every preset. (A file in an unknown encoding is scanned byte for byte, "
        "which finds every ASCII token; a binary file is not scanned.)",
        tags=("security",),
    ),
    Rule(
        RULE_SUBMODULE,
        Level.WARNING,
        "A submodule was added, moved or pointed at another commit; its content was not read.",
        remedy="Review the submodule's repository at the new commit: the gate reads only "
        "this repository's files.",
        tags=("security",),
    ),
    Rule(
        RULE_ENV,
        Level.ERROR,
        "A .env file was committed with values that could be credentials (not flags or "
        "small numbers).",
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
    #: found as an unquoted value (see :mod:`.secret_unquoted`)
    bare: bool = False


@dataclass(frozen=True)
class _Options:
    allow: tuple[re.Pattern[str], ...]
    pragmas: bool
    min_entropy: float
    max_line: int
    entropy_strings: bool
    tests: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """Secrets in the added lines of every changed text file, and committed .env files."""
    # the scan reports every secret, pragma or not; markers are judged below (who wrote them)
    opts = _Options(
        allow=_allowlist(part.get("allowlist", ())),
        pragmas=False,
        min_entropy=float(part.get("min_entropy", DEFAULT_MIN_ENTROPY)),
        max_line=int(part.get("max_line_length", DEFAULT_MAX_LINE)),
        entropy_strings=bool(part.get("entropy_strings", False)),
        tests=tuple(part.get("test_files", DEFAULT_TEST_FILES)),
        docs=tuple(part.get("doc_files", DEFAULT_DOC_FILES)),
    )
    exclude = tuple(part.get("exclude", DEFAULT_EXCLUDE))
    findings: list[Finding] = []
    scanned = lines = 0
    judge = Pragmas(
        bool(part.get("honour_pragmas", True)),
        Suppressions(
            ctx.changes,
            ctx.pr,
            trusted=bool(part.get(TRUST_KEY, False)),
            setting=f"checks.security.secrets.{TRUST_KEY}",
        ),
    )
    with _detect_secrets_engine(opts) as engine:
        for f in in_scope(ctx, ("**",)):
            found, added = _scan_file(
                ctx,
                f,
                exclude=exclude,
                opts=opts,
                engine=engine,
                part=part,
                make=make,
                judge=judge,
            )
            findings += found
            scanned, lines = scanned + (added > 0), lines + added
    summary = judge.suppressions.summary()
    ctx.add_details(
        f"secrets: {lines} added line(s) in {scanned} file(s) scanned. {summary}".strip()
    )
    return findings


def _scan_file(
    ctx: CheckContext,
    f: ChangedFile,
    *,
    exclude: tuple[str, ...],
    opts: _Options,
    engine: Engine,
    part: Part,
    make: MakeFinding,
    judge: Pragmas,
) -> tuple[list[Finding], int]:
    """The findings for one changed file, and how many added lines were scanned."""
    if match_any(f.path, exclude):
        return [], 0
    if f.kind is FileKind.SUBMODULE and f.status is not FileStatus.DELETED:
        return [_submodule(f, make)], 0
    if not_read_reason(f, as_text=False):
        return [_not_scanned(f, make)], 0
    text = scan_view(ctx, f)
    if text is None:
        return [], 0
    ctx.check_time()
    lines = git_lines(text)
    # one decision per file, not per hit: a generated file can hold thousands of hits
    tests = is_test_code(f.path, lines, opts)
    hits = scan_text(f.path, lines, f.added_lines(), opts, engine, tests=tests)
    findings = []
    where = _Where(tests, match_any(f.path, opts.docs))
    regions = _python_regions(f.path, text, hits, opts)
    for numbered in _numbered(hits):
        finding = _to_finding(numbered, part, make, _where_in(where, regions, numbered[0]))
        found = judge.review(finding, numbered[0], lines)
        if found is not None:
            findings.append(found)
    if _is_env_file(f.path):
        findings += _env_findings(f, text, part, make)
    return findings, f.added_count


def _python_regions(
    path: str, text: str, hits: Sequence[Hit], opts: _Options
) -> PythonRegions | None:
    """Docstrings and ``if TESTING:`` blocks of a Python file, parsed only when a generic
    hit may sit in one (an empty ``test_files``, as ``strict`` sets, looks for neither)."""
    if not path.endswith((".py", ".pyi")) or not opts.tests:
        return None
    if not any(h.rule == RULE_GENERIC for h in hits):
        return None
    return python_regions(text)


def _where_in(where: _Where, regions: PythonRegions | None, hit: Hit) -> _Where:
    """What kind of place one hit is in: its file's, or a docstring or test-only block."""
    if regions is None or hit.rule != RULE_GENERIC:
        return where
    lines = range(hit.line, hit.end_line + 1)
    return _Where(
        where.tests or all(n in regions.testing for n in lines),
        where.docs or all(n in regions.docstrings for n in lines),
    )


def _allowlist(extra: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for pattern in (*DEFAULT_ALLOWLIST, *extra):
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            raise CheckError(
                f"security.secrets.allowlist: {pattern!r} is not a valid regular expression "
                f"({exc}); fix it in the policy"
            ) from None
    return tuple(patterns)


def scan_text(
    path: str,
    lines: Sequence[str],
    added: frozenset[int],
    opts: _Options,
    engine: Engine,
    *,
    tests: bool | None = None,
) -> list[Hit]:
    """Secrets in windows of ``lines`` around the ``added`` line numbers (1-based).

    Our formats see the whole window (a key may span the hunk's edge); detect-secrets'
    plugins are line-based, so they see only the runs of added lines, which keeps a diff
    of thousands of small hunks from being scanned twice over."""
    tests = is_test_code(path, lines, opts) if tests is None else tests
    bare = reads_unquoted(path, lines[:1])
    hits: list[Hit] = []
    for start, end in _windows(added, len(lines)):
        window = lines[start - 1 : end]
        ours = list(_our_formats(path, window, start, added, opts, bare=bare))
        # in test code a generic value only warns (_to_finding), so there it gives way to
        # what detect-secrets names on the same value, which blocks there as anywhere; a
        # bare value gives way too (an npm token in ``.npmrc`` keeps detect-secrets' name)
        later = [h for h in ours if h.rule == RULE_GENERIC and (tests or h.bare)]
        first = [h for h in ours if h not in later]
        theirs: list[Hit] = []
        for lo, hi in _runs(n for n in range(start, end + 1) if n in added):
            run = lines[lo - 1 : hi]
            theirs += _detect_secrets(path, run, lo, (added, opts, first), engine)
        named = [(h.line, h.value) for h in theirs]
        hits += first + theirs + [h for h in later if not _overlaps(h.line, h.value, named)]
    unique = {(h.line, h.rule, h.value): h for h in hits}
    return [unique[k] for k in sorted(unique)]


#: a Go build constraint that compiles the file only into a test build (``//go:build
#: e2etest``, ``integration``, ``e2e && !race``): seed data for end-to-end tests
_GO_TEST_BUILD = re.compile(r"^//go:build\s+[^\n]*\b(?:\w*test\w*|e2e|integration)\b")


def is_test_code(path: str, lines: Sequence[str], opts: _Options) -> bool:
    """Test code by the policy's ``test_files`` globs, or a Go file built only for tests
    (an empty ``test_files``, as ``strict`` sets, judges both like the rest)."""
    return match_any(path, opts.tests) or (bool(opts.tests) and _go_test_build(lines))


def _go_test_build(lines: Sequence[str]) -> bool:
    """A Go file whose build constraint, before its package clause, names a test build."""
    for line in lines[:20]:
        if line.startswith("package "):
            return False
        if _GO_TEST_BUILD.match(line) and "!" not in line.split("//go:build", 1)[1]:
            return True
    return False


def _runs(numbers: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Maximal runs of consecutive numbers, as inclusive (first, last) pairs."""
    first = last = -1
    for n in numbers:
        if n == last + 1 and first != -1:
            last = n
            continue
        if first != -1:
            yield first, last
        first = last = n
    if first != -1:
        yield first, last


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
    path: str,
    window: Sequence[str],
    first: int,
    added: frozenset[int],
    opts: _Options,
    *,
    bare: bool = False,
) -> Iterator[Hit]:
    """Our token formats over the whole window (they may span lines), then the generic
    assignment rule line by line on added lines short enough to be code, not a bundle:
    quoted values everywhere, and unquoted ones too where ``bare`` (a configuration or
    shell file, see :mod:`.secret_unquoted`)."""
    text = "\n".join(window)
    starts = [0]
    for line in window[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return first + bisect.bisect_right(starts, offset) - 1

    def waived(n: int) -> bool:
        return opts.pragmas and any(p in window[n - first] for p in PRAGMAS)

    found: list[tuple[int, str]] = []
    for fmt in FORMATS:
        for m in fmt.regex.finditer(text):
            lo, hi = line_of(m.start()), line_of(max(m.start(), m.end() - 1))
            value = m.group("v") if "v" in m.groupdict() else m.group(0)
            if not any(n in added for n in range(lo, hi + 1)) or waived(lo):
                continue
            if not fmt.issued(value):
                continue  # made up in the token's shape: the generic rule may still judge it
            if not any(p.fullmatch(value) for p in opts.allow):
                found.append((lo, value))
                yield Hit(path, lo, hi, fmt.rule, fmt.name, value)
    for n, line in enumerate(window, first):
        if n not in added or len(line) > opts.max_line or waived(n):
            continue
        quoted = ((m.group(1), m.group(3), False) for m in GENERIC.finditer(line))
        unquoted = ((*a, True) for a in unquoted_assignments(line)) if bare else iter(())
        for name, value, was_bare in (*quoted, *unquoted):
            # a token a format already named is not reported again as a generic secret
            if _generic_secret(name, value, opts) and not _overlaps(n, value, found):
                yield Hit(path, n, n, RULE_GENERIC, f"value of {name}", value, was_bare)


def _generic_secret(name: str, value: str, opts: _Options) -> bool:
    """Whether the generic rule reports ``value``, assigned to ``name`` (quoted or not)."""
    if names_an_identifier(name):
        return False  # ``credentialId``: a credential's id, not the credential
    if namespaced_key(name, value):
        return False  # ``deviceAuthRedisPrefix = "casdoor:device_auth:"``: a key's name
    if symbolic_constant(name, value) or spelled_identifier(name, value):
        return False  # ``USER_API_KEY_CREATE__SUCCESS``, ``OAuth2EndpointAuth``: names
    if default_login(value):
        return False  # ``dispatch:dispatch``, ``admin:secret``: an image's documented login
    parts = reference_parts(value)
    if parts is not None and not any(_is_secret_like(part, opts) for part in parts):
        return False  # ``op://ci/aws/AWS_SECRET_ACCESS_KEY``: where the secret is kept
    # base64 of text (a Kubernetes Secret's ``data:``) is judged by the text it encodes:
    # ``cGFzc3dvcmQ=`` is ``password``, and a password's letters-only encoding is no word
    text = base64_text(value)
    return _is_secret_like(value if text is None else text, opts)


def _overlaps(line: int, value: str, found: Sequence[tuple[int, str]]) -> bool:
    return any(n == line and (value in v or v in value) for n, v in found)


def _is_secret_like(value: str, opts: _Options) -> bool:
    if any(p.fullmatch(value) for p in (*opts.allow, *NOT_SECRET_SHAPES)) or is_placeholder(value):
        return False
    if local_reference(value) or credential_free_url(value):
        return False  # a pointer into the document, an address with no credential in it
    return entropy(value) >= opts.min_entropy and looks_random(value)


def _placeholder_password(value: str) -> bool:
    """The password of a ``user:pass@host`` URL that documents or tests URL handling: a
    plain word (``pass``, ``bar``) or a placeholder shape, never a generated credential."""
    return (value.isalpha() and len(value) < 20) or any(
        p.fullmatch(value) for p in NOT_SECRET_SHAPES
    )


Engine = Callable[[list[tuple[int, str]], str], list[Any]]


@contextlib.contextmanager
def _detect_secrets_engine(opts: _Options) -> Iterator[Engine]:
    """detect-secrets' line scanner, configured once per run (setting it up costs
    milliseconds, too much to repeat for each of thousands of small hunks)."""
    why = "scanning for secrets"
    scan = tool(
        "detect_secrets.core.scan", "detect-secrets>=1.4", why, "_process_line_based_plugins"
    )
    ds_settings = tool(
        "detect_secrets.settings", "detect-secrets>=1.4", why, "default_settings", "get_settings"
    )
    with _DS_LOCK, ds_settings.default_settings():
        settings = ds_settings.get_settings()
        settings.disable_plugins(*_DS_OFF, *(() if opts.entropy_strings else _DS_ENTROPY))
        if not opts.pragmas:
            settings.disable_filters("detect_secrets.filters.allowlist.is_line_allowlisted")
        yield lambda lines, path: list(scan._process_line_based_plugins(lines, path))


def _detect_secrets(
    path: str,
    window: Sequence[str],
    first: int,
    ctx: tuple[frozenset[int], _Options, list[Hit]],
    engine: Engine,
) -> list[Hit]:
    """detect-secrets' line plugins over the window, minus what ours already reported."""
    added, opts, ours = ctx
    # a blank line holds no secret, and each line costs detect-secrets ~0.1 ms: a PR of a
    # million empty lines took 107 s
    numbered = [
        (i, line) for i, line in enumerate(window, 1) if line.strip() and len(line) <= opts.max_line
    ]
    found = engine(numbered, path)
    seen = [(h.line, h.value) for h in ours]
    hits = []
    for secret in found:
        line, value = first + secret.line_number - 1, str(secret.secret_value or "")
        if line not in added or not value or secret.type in _DS_DROP:
            continue
        if secret.type == "GitHub Token":
            # detect-secrets keeps only the prefix (``ghp``) as the value: take the whole
            # token from the line, and none GitHub cannot have issued
            tokens = _GH_IN_LINE.findall(window[secret.line_number - 1])
            issued = [t for t in tokens if t.startswith(value) and github_issued(t)]
            if not issued:
                continue
            value = issued[0]
        if any(p.fullmatch(value) for p in opts.allow) or is_placeholder(value):
            continue
        if secret.type == "Basic Auth Credentials" and _placeholder_password(value):
            continue
        if _overlaps(line, value, seen):
            continue
        if secret.type == "Basic Auth Credentials" and local_url_password(
            window[secret.line_number - 1], value
        ):
            continue
        rule = _DS_OURS.get(secret.type, RULE_OTHER)
        hits.append(Hit(path, line, line, rule, str(secret.type), value))
    return hits


_PREFIX = {f.rule: f.prefix for f in FORMATS}


def _numbered(hits: list[Hit]) -> Iterator[tuple[Hit, int]]:
    """Each hit with how many equal ones came before it in the file (for the fingerprint)."""
    seen: Counter[tuple[str, str]] = Counter()
    for h in hits:
        yield h, seen[(h.rule, h.value)]
        seen[(h.rule, h.value)] += 1


#: what a test needs real material of, and makes for itself: a key for a local TLS or
#: identity-provider server is generated for the test and trusted by nothing else
_THROWAWAY_IN_TESTS = frozenset({"secret-private-key"})


@dataclass(frozen=True)
class _Where:
    """What kind of file a hit is in: test code, documentation (``*_files`` options)."""

    tests: bool = False
    docs: bool = False


def _to_finding(
    numbered: tuple[Hit, int], part: Part, make: MakeFinding, where: _Where = _Where()
) -> Finding:
    hit, nth = numbered
    shown = redact(hit.value, _PREFIX.get(hit.rule, 0))
    digest = hashlib.sha256(hit.value.encode("utf-8", "surrogateescape")).hexdigest()
    message, level = f"{hit.kind} added: {shown}", part.level
    if where.tests and hit.rule in _THROWAWAY_IN_TESTS and level is None:
        # a service token in a test is a live credential; a key pair is the test's own
        message += (
            " (in test code: a warning, as test keys are made for local test servers; if"
            " this key is trusted anywhere else, rotate it)"
        )
        level = Level.WARNING
    elif where.docs and hit.rule == RULE_GENERIC and level is None:
        # only the generic rule: a value of no known format under a secret-like name is
        # what documentation writes as an example; a named token format is a credential
        message += (
            " (in documentation: a warning, as examples there look like secrets; if this"
            " value is real, rotate it)"
        )
        level = Level.WARNING
    elif where.tests and hit.rule == RULE_GENERIC and level is None:
        # a value of no known format under a secret-like name in a test is most often a
        # fixture (a mocked OAuth response, a hashed test password): shown to the
        # reviewer, not blocking; a named token format there is a credential and blocks
        message += (
            " (in test code: a warning, as test fixtures hold made-up values that look like"
            " secrets; if this value is real, rotate it)"
        )
        level = Level.WARNING
    return make(
        hit.rule,
        message,
        path=hit.path,
        line=hit.line,
        end_line=hit.end_line,
        evidence=f"{digest}|{nth}",
        level=level,
    )


def _not_scanned(f: ChangedFile, make: MakeFinding) -> Finding:
    why = not_read_reason(f, as_text=False)
    return make(
        RULE_NOT_SCANNED,
        f"{f.path} was not scanned for secrets: {why}.",
        path=f.path,
        evidence=f.kind.value,
    )


def _submodule(f: ChangedFile, make: MakeFinding) -> Finding:
    what = {FileStatus.ADDED: "added", FileStatus.RENAMED: f"moved from {f.old_path}"}
    how = what.get(f.status, "pointed at another commit")
    return make(
        RULE_SUBMODULE,
        f"Submodule {f.path} was {how}; the gate does not read another repository's files.",
        path=f.path,
        evidence=f"{f.status.value}|{f.old_path or ''}",
    )


#: a part of an env file's name that makes it an example: ``.env.example.complete``,
#: ``.env.sample.local``, ``.env.production.example.bak`` (a copy of an example)
_EXAMPLE_PART = re.compile(r"(?:example|sample|template|tmpl|tpl|dist|defaults?)s?", re.IGNORECASE)


def _is_env_file(path: str) -> bool:
    """A real env file: named ``.env``, ``.env.*`` or ``*.env``, and no part of its name
    after the ``env`` says it is an example (the secrets rules still read an example's
    added lines for tokens of known formats, like any other file)."""
    if not match_any(path, ENV_FILES) or match_any(path, ENV_TEMPLATES):
        return False
    name = path.rsplit("/", 1)[-1]
    parts = re.split(r"[._-]", name[name.lower().find("env") + 3 :])
    return not any(_EXAMPLE_PART.fullmatch(part) for part in parts)


#: values that switch or size something and cannot be a credential: a flag, a port, a
#: count (a short number only under a name that does not say it is a secret, e.g. a PIN)
_FLAG = re.compile(r"(?:true|false|yes|no|on|off)", re.IGNORECASE)
_SMALL_NUMBER = re.compile(r"-?\d{1,5}")
_SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASS|PWD|PIN|CRED|AUTH|PRIVATE", re.IGNORECASE)


#: prefixes frontend build tools embed in the client bundle by design, so a value under
#: them is public whatever it is: Vite, Next.js, Create React App, Vue CLI, Nuxt, Expo,
#: Gatsby, Storybook, SvelteKit and Astro (``PUBLIC_``). A token of a named format under
#: such a name is still found by the scanner's own rules.
PUBLIC_ENV_PREFIXES = (
    "VITE_", "NEXT_PUBLIC_", "REACT_APP_", "VUE_APP_", "NUXT_PUBLIC_", "EXPO_PUBLIC_",
    "GATSBY_", "STORYBOOK_", "PUBLIC_",
)  # fmt: skip
#: a template action (Jinja ``{{ secret(16) }}``, Go ``{{ .Base }}``, ``{% if %}``): the
#: value is filled in when the file is rendered, so the committed text holds none
_TEMPLATE_ACTION = re.compile(r"\{\{[^{}]*\}\}|\{%[^%]*%\}")


def _inert(name: str, value: str) -> bool:
    """True for a value no one could use as a credential (``DEBUG=false``, ``PORT=5432``),
    a public build setting (``VITE_THEME=dark``) or a template placeholder
    (``SECRET_KEY={{ secret(16) }}``); a literal next to a placeholder still counts."""
    if name.upper().startswith(PUBLIC_ENV_PREFIXES):
        return True
    if _TEMPLATE_ACTION.search(value):
        # what is left once rendered away is judged as the value
        value = _TEMPLATE_ACTION.sub("", value).strip()
        if not re.search(r"[A-Za-z0-9]", value):
            return True
    if _FLAG.fullmatch(value):
        return True
    return _SMALL_NUMBER.fullmatch(value) is not None and not _SECRET_NAME.search(name)


#: an enum-like setting (``wrapper``, ``info``, ``us-east``): a lower-case word or a few
#: joined, short and plain (low entropy), as a template documents an option's choice
_SETTING_WORD = re.compile(r"[a-z]{2,16}(?:[-_][a-z0-9]{1,16}){0,3}")
#: bits per character above which a lower-case "word" may be a generated string
_WORD_ENTROPY = 3.6


def _setting_word(name: str, value: str) -> bool:
    """A plain word under a name that does not say secret: no credential, once the file
    is a long-standing committed one (see :func:`_env_findings`)."""
    return (
        _SETTING_WORD.fullmatch(value) is not None
        and entropy(value) < _WORD_ENTROPY
        and not _SECRET_NAME.search(name)
    )


def _env_findings(f: ChangedFile, text: str, part: Part, make: MakeFinding) -> list[Finding]:
    """One finding per .env file whose added lines give variables values that could be
    credentials (flags and small numbers cannot: see :func:`_inert`). A file that was
    committed at base already (AppFlowy-Cloud's ``deploy.env``, the template self-hosters
    copy) is judged by what the PR adds to it: a new option set to a plain word
    (``SMTP_TLS_KIND=wrapper``) is a setting and a URL to a local or compose host with a
    default password (``postgres://postgres:postgres@localhost/app``, svix's
    ``development.env``) a development default, while a password, a token, another URL or
    any value under a secret's name still counts; a newly committed env file is judged
    whole."""
    added = f.added_lines()
    settled = f.status is FileStatus.MODIFIED
    # a file with template actions is a template a setup tool renders for each install:
    # its literals are defaults, like an .env.example's, unless the name says secret
    template = _TEMPLATE_ACTION.search(text) is not None
    names: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _ENV_LINE.match(line)
        if n not in added or m is None or line.lstrip().startswith("#"):
            continue
        value = m.group(2).split(" #", 1)[0].strip().strip("\"'")
        if template and not _SECRET_NAME.search(m.group(1)):
            continue
        if settled and (_setting_word(m.group(1), value) or development_dsn(value)):
            continue
        if value and not _inert(m.group(1), value):
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
