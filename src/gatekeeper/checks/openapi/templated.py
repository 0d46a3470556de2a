"""A spec the head cannot load: pre-existing breakage, a template, or a new failure.

Two cases are not the pull request's doing. A spec that failed to load at base in the
same way was already broken, so the head's failure is reported as pre-existing (as
oasdiff would: it can only diff what both sides parse). A file holding template actions
(Go ``{{ .X }}``, Jinja ``{% if %}``, Helm) is rendered before anyone reads it as
OpenAPI, so while it was never a loadable spec the gate says it cannot compare it, as a
warning naming the file. Fail-closed: when the base version loaded as OpenAPI, a head
that no longer loads blocks, template markers or not, so adding ``{{`` to a real spec
cannot hide a breaking change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gatekeeper.checks.interface import BaseCheck, CheckContext
from gatekeeper.checks.openapi.load import SpecError
from gatekeeper.model import Finding

#: the failures of a file that was read: the only ones a template can cause
_PARSE_RULES = ("spec-invalid-syntax", "spec-not-openapi")
#: a template action: Go/Helm ``{{ … }}`` (trim markers allowed), Jinja ``{% … %}``
_ACTION = re.compile(rb"\{\{-?\s*[^{}\n]*?\s*-?\}\}|\{%-?\s*[^%\n]*?\s*-?%\}")


def template_line(data: bytes | None) -> int | None:
    """The 1-based line of the first template action in ``data``, or None."""
    if not data:
        return None
    found = _ACTION.search(data)
    return data.count(b"\n", 0, found.start()) + 1 if found else None


def unloadable(
    check: BaseCheck,
    ctx: CheckContext,
    path: str,
    base_error: Callable[[], SpecError | None] | None,
    exc: SpecError,
) -> list[Finding]:
    """Findings for a head spec that raised ``exc`` while loading; ``base_error`` says
    why the base version does not load (None: it loads), and is None without a base."""
    changes = ctx.changes
    failure = check.finding(
        exc.rule, exc.message, path=exc.path, line=exc.line, evidence=exc.message
    )
    base_exc = base_error() if base_error is not None else None
    base_loaded = base_error is not None and base_exc is None
    # only a file that was read and failed to parse can be a template: one refused as
    # unreadable (too large, binary) is never read whole to be sniffed
    parsed = exc.path == path and exc.rule in _PARSE_RULES
    marker = template_line(changes.bytes_at_head(path)) if parsed else None
    if marker is not None and not base_loaded:
        if changes.get(path) is None:
            return []  # an untouched template: nothing of it changed
        message = (
            f"{path} is a template (a template action at line {marker}), not an OpenAPI "
            f"document until rendered ({exc.message} at line {exc.line or '?'}); the gate "
            "cannot compare its base and head, so review its API changes by hand"
        )
        return [check.finding("spec-template", message, path=path, line=marker, evidence=path)]
    if base_exc is not None and base_exc.rule == exc.rule:
        # broken the same way at base: pre-existing, not this change's doing
        ctx.mark_existing_at_base(
            [check.finding(exc.rule, base_exc.message, path=exc.path, evidence=base_exc.message)]
        )
    elif marker is not None:
        failure = check.finding(
            exc.rule,
            f"{exc.message}; the base version was a valid OpenAPI document, and template "
            "markers do not excuse a spec that no longer loads",
            path=exc.path,
            line=exc.line,
            evidence=exc.message,
        )
    return [failure]
