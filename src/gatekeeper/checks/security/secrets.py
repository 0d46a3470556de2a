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
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

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
)
from gatekeeper.checks.security.secret_ds import (
    RULE_OTHER,
    Engine,
    detect_secrets,
    detect_secrets_engine,
)
from gatekeeper.checks.security.secret_envfile import (
    RULE_ENV,
    env_findings,
    is_env_file,
)
from gatekeeper.checks.security.secret_formats import (
    DEFAULT_ALLOWLIST,
    FORMATS,
    GENERIC,
    NOT_SECRET_SHAPES,
    PRAGMAS,
    entropy,
    is_placeholder,
    local_reference,
    looks_random,
    names_an_identifier,
    names_tokenizer_or_token_count,
    namespaced_key,
    redact,
    spelled_identifier,
    symbolic_constant,
)
from gatekeeper.checks.security.secret_hits import Hit, ScanOptions, overlaps
from gatekeeper.checks.security.secret_marks import Pragmas, git_lines, scan_view
from gatekeeper.checks.security.secret_python import SourceRegions, python_regions
from gatekeeper.checks.security.secret_rust import rust_test_lines
from gatekeeper.checks.security.secret_unquoted import (
    base64_text,
    reads_unquoted,
    reference_parts,
    unquoted_assignments,
)
from gatekeeper.checks.security.secret_urls import (
    credential_free_url,
    default_login,
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
RULE_GENERIC = "secret-high-entropy"
RULE_NOT_SCANNED = "secrets-not-scanned"
RULE_SUBMODULE = "submodule-changed"

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
        "`if TESTING:` flag as test code; in Rust, `#[cfg(test)]` items and `#[test]` "
        "functions are test code. "
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


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """Secrets in the added lines of every changed text file, and committed .env files."""
    # the scan reports every secret, pragma or not; markers are judged below (who wrote them)
    opts = ScanOptions(
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
    with detect_secrets_engine(opts) as engine:
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
    opts: ScanOptions,
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
    regions = _regions(f.path, text, hits, opts)
    for numbered in _numbered(hits):
        finding = _to_finding(numbered, part, make, _where_in(where, regions, numbered[0]))
        found = judge.review(finding, numbered[0], lines)
        if found is not None:
            findings.append(found)
    if is_env_file(f.path):
        findings += env_findings(f, text, part, make)
    return findings, f.added_count


def _regions(path: str, text: str, hits: Sequence[Hit], opts: ScanOptions) -> SourceRegions | None:
    """Docstrings and ``if TESTING:`` blocks of a Python file, ``#[cfg(test)]`` items and
    ``#[test]`` functions of a Rust file, read only when a generic hit may sit in one (an
    empty ``test_files``, as ``strict`` sets, looks for none)."""
    if not opts.tests or not any(h.rule == RULE_GENERIC for h in hits):
        return None
    if path.endswith((".py", ".pyi")):
        return python_regions(text)
    if path.endswith(".rs"):
        return SourceRegions(testing=rust_test_lines(text))
    return None


def _where_in(where: _Where, regions: SourceRegions | None, hit: Hit) -> _Where:
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
    opts: ScanOptions,
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
            theirs += detect_secrets(path, run, lo, (added, opts, first), engine)
        named = [(h.line, h.value) for h in theirs]
        hits += first + theirs + [h for h in later if not overlaps(h.line, h.value, named)]
    unique = {(h.line, h.rule, h.value): h for h in hits}
    return [unique[k] for k in sorted(unique)]


#: a Go build constraint that compiles the file only into a test build (``//go:build
#: e2etest``, ``integration``, ``e2e && !race``): seed data for end-to-end tests
_GO_TEST_BUILD = re.compile(r"^//go:build\s+[^\n]*\b(?:\w*test\w*|e2e|integration)\b")


def is_test_code(path: str, lines: Sequence[str], opts: ScanOptions) -> bool:
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
    opts: ScanOptions,
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
            if _generic_secret(name, value, opts) and not overlaps(n, value, found):
                yield Hit(path, n, n, RULE_GENERIC, f"value of {name}", value, was_bare)


#: a shell parameter expansion with a fallback (``${SECRETS_PATH:-/secrets}``): the
#: variable is read where it runs; only the fallback is written here
_EXPANSION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=?+](?P<fallback>[^{}]*)\}")


def _generic_secret(name: str, value: str, opts: ScanOptions) -> bool:
    """Whether the generic rule reports ``value``, assigned to ``name`` (quoted or not);
    a shell expansion's fallback is judged alone."""
    if (expansion := _EXPANSION.fullmatch(value)) is not None:
        value = expansion.group("fallback")
        if not value:
            return False
    if names_an_identifier(name):
        return False  # ``credentialId``: a credential's id, not the credential
    if names_tokenizer_or_token_count(name):
        return False  # ``HUGGINGFACE_TOKENIZER = "Salesforce/..."``: a model's name, a count
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


def _is_secret_like(value: str, opts: ScanOptions) -> bool:
    if any(p.fullmatch(value) for p in (*opts.allow, *NOT_SECRET_SHAPES)) or is_placeholder(value):
        return False
    if local_reference(value) or credential_free_url(value):
        return False  # a pointer into the document, an address with no credential in it
    return entropy(value) >= opts.min_entropy and looks_random(value)


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
