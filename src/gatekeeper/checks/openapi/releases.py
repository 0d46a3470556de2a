"""What a release shipped: breaking changes to parts of the API no release has are warnings.

A client can only rely on what a release gave it. When the repository tags releases, the
newest tag the base commit descends from is the last API anyone outside could have
built against; the spec at that tag is compared with the head as well, and a breaking
change from base to head that the release-to-head comparison does not show (the same rule
on the same operation) concerns something added since the release and changed again
before the next one: a path, operation, parameter or field no released client ever saw.
Such a change is a warning. ``checks.openapi.history: merged`` keeps every change an
error (the migrations check has the same key and meaning).

Without tags (or in a shallow clone, which fetches none) nothing is known about releases
and every change is judged as today; a spec absent at the tag is judged the same way
(it may have been renamed since). A generated spec (``checks.openapi.generate``) is not
compared with a release: that would need generating it from the tagged code.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.git import is_shallow
from gatekeeper.changes.releases import newest_release
from gatekeeper.checks.interface import CheckContext
from gatekeeper.checks.openapi.engine import Change, Options, compare, load_spec
from gatekeeper.checks.openapi.load import MAX_SPEC_BYTES, SpecError
from gatekeeper.checks.openapi.model import Spec
from gatekeeper.errors import GitError
from gatekeeper.model import Level

NEVER_RELEASED = (
    " (never released: absent from {tag}, the newest release, so no released client "
    "relies on it; checks.openapi.history: merged blocks it)"
)

_REMOVAL_SUFFIX = re.compile(r"-(without-deprecation|before-sunset)$")


def judge(
    ctx: CheckContext, path: str, found: Sequence[Change], head: Spec, options: Options
) -> list[Change]:
    """``found`` (base to head) with each error no release has lowered to a warning: a new
    Change, so those lowered are the ones not in ``found``."""
    errors = [c for c in found if c.level is Level.ERROR]
    if not errors or ctx.config.get("history", "released") != "released":
        return list(found)
    changes = ctx.changes
    tag = newest_release(changes)
    if tag is None:
        why = "a shallow clone has no tags; fetch them" if _shallow(changes) else "none found"
        ctx.add_details(
            f"API spec `{path}`: no release tag reachable from base ({why}), so every "
            "breaking change counts as released."
        )
        return list(found)
    released = _spec_at(changes, tag, path, bool(ctx.config.get("allow_external_refs", False)))
    if released is None:
        ctx.add_details(
            f"API spec `{path}`: not readable at release {tag} (absent or renamed since), so "
            "every breaking change counts as released."
        )
        return list(found)
    ctx.check_time()
    try:
        against = compare(released, head, options)
    except RecursionError:
        return list(found)  # a release spec too deep to compare: judge as today
    since = {_subject(c) for c in against if c.level is Level.ERROR}
    out = [
        dataclasses.replace(
            c, level=Level.WARNING, message=c.message + NEVER_RELEASED.format(tag=tag)
        )
        if c.level is Level.ERROR and _subject(c) not in since
        else c
        for c in found
    ]
    lowered = sum(a is not b for a, b in zip(out, found, strict=True))
    if lowered:
        ctx.add_details(
            f"API spec `{path}` compared with release {tag} too: {lowered} "
            "breaking change(s) concern what no release has (warnings)."
        )
    return out


def _subject(c: Change) -> tuple[str, ...]:
    """What a change is about, as both comparisons name it.

    An operation removed is named by the operation (whether the release had deprecated it
    changes the rule's suffix, not what was removed); a parameter, property, media type or
    status removed by its evidence (its name and place); any other change by its rule on
    its operation, since its evidence may hold the old value, which the release and the
    base need not share (coarse, so an error stays an error when in doubt).
    """
    family = _REMOVAL_SUFFIX.sub("", c.rule)
    if family != c.rule:
        return (c.operation, family)
    if c.rule.endswith("-removed"):
        return (c.operation, c.rule, c.evidence)
    return (c.operation, c.rule)


def _shallow(changes: ChangeSet) -> bool:
    try:
        return is_shallow(changes.root)
    except GitError:
        return False


def _spec_at(changes: ChangeSet, tag: str, path: str, allow_external: bool) -> Spec | None:
    """The spec (and the files it pulls in) as tagged; None when it cannot be loaded.

    Files are read through the ChangeSet's own ``cat-file --batch`` process (one exchange
    each, no git process per file), one byte past the size limit at most: enough for the
    loader to refuse a file too large (``check_size``) without holding all of it.
    """

    @functools.cache
    def read(name: str) -> bytes | None:
        try:
            return changes.prefix_at(tag, name, MAX_SPEC_BYTES + 1)
        except (GitError, ValueError):
            return None

    if read(path) is None:
        return None
    try:
        return load_spec(path, read, allow_external=allow_external)
    except SpecError:
        return None
