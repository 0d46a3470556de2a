"""detect-secrets' line plugins as the secrets part's second engine (no network).

Its keyword plugin is replaced by ours (with an entropy floor and an allowlist), and what
one of our formats already reports is not reported twice.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from gatekeeper.checks.security.common import tool
from gatekeeper.checks.security.secret_formats import (
    NOT_SECRET_SHAPES,
    github_issued,
    is_placeholder,
    jwt_issued,
    local_url_password,
    looks_random,
)
from gatekeeper.checks.security.secret_hits import Hit, ScanOptions, overlaps

RULE_OTHER = "secret-detected"

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
#: detect-secrets types whose pattern is a keyword and a value of no format of its own:
#: IBM Cloud IAM's prefix may be empty, so any ``password: "<44 characters>"`` is one
#: (supavisor's test fixtures ``sbp_1122…0000``). Such a hit is our generic rule's: a
#: warning in test code and documentation, an error elsewhere
_DS_KEYWORD_SHAPED = {"IBM Cloud IAM Key": "secret-high-entropy"}
#: detect-secrets types whose pattern is a short prefix and letters, which names in code
#: also match (``AP`` + a hex digit: btcpayserver's class ``APDUVaultTransport``): a hit
#: counts only when its value mixes characters as generated tokens do
_DS_NAME_SHAPED = ("Artifactory Credentials",)
#: detect-secrets types dropped: it flags a private-key header alone (documentation);
#: our format requires key material after the header
_DS_DROP = ("Private Key",)
_DS_LOCK = threading.Lock()  # detect-secrets keeps its settings in a process-wide global
#: a GitHub token as detect-secrets finds one, underscores in its body included
_GH_IN_LINE = re.compile(r"\bgh[opsur]_[A-Za-z0-9_]{36,251}")


def _placeholder_password(value: str) -> bool:
    """The password of a ``user:pass@host`` URL that documents or tests URL handling: a
    plain word (``pass``, ``bar``) or a placeholder shape, never a generated credential."""
    return (value.isalpha() and len(value) < 20) or any(
        p.fullmatch(value) for p in NOT_SECRET_SHAPES
    )


Engine = Callable[[list[tuple[int, str]], str], list[Any]]


@contextlib.contextmanager
def detect_secrets_engine(opts: ScanOptions) -> Iterator[Engine]:
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


def detect_secrets(
    path: str,
    window: Sequence[str],
    first: int,
    ctx: tuple[frozenset[int], ScanOptions, list[Hit]],
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
        if secret.type == "JSON Web Token" and not jwt_issued(value):
            continue
        if secret.type in _DS_NAME_SHAPED and not looks_random(value.strip(" =:\"'")):
            continue  # a word or a CamelCase name the pattern's prefix happens to start
        if secret.type == "Basic Auth Credentials" and _placeholder_password(value):
            continue
        if overlaps(line, value, seen):
            continue
        if secret.type == "Basic Auth Credentials" and local_url_password(
            window[secret.line_number - 1], value
        ):
            continue
        rule = _DS_OURS.get(secret.type) or _DS_KEYWORD_SHAPED.get(secret.type, RULE_OTHER)
        kind = str(secret.type)
        if secret.type in _DS_KEYWORD_SHAPED:
            kind = f"Value under a secret's name (matched detect-secrets' {kind} pattern)"
        hits.append(Hit(path, line, line, rule, kind, value))
    return hits
