"""Operations compared by the URL they are served at, when a spec moves its path prefix.

A Swagger 2.0 spec may write its prefix in every path (``/api/v1/crops`` under ``basePath:
""``) or once (``/crops`` under ``basePath: /api/v1``); an OpenAPI 3 spec in each path or in
its ``servers`` URL. Growstuff's e88be9efc8 moves ``/api/v1`` from its paths into
``basePath``: every client calls the same URLs as before. Compared path key by path key,
the move read as every endpoint removed and the base path changed.

When each side serves under one prefix, the prefixes differ, and the served URLs (prefix
joined to path) match more operations across the two sides than the written paths do,
both specs are compared keyed by served URL: an operation is then compared with the one
a client reaches at the same URL, so a breaking change made in the same pull request is
still found, and the base-path rule, which says every URL moved, holds its tongue when
they did not. Where the written paths match as many operations (a real move of the
prefix), nothing changes: the base-path rule reports the move. The validation problems the
base already had are matched to the head's under the head's written paths, so an old
problem of ``/api/v1/crops`` is not new as ``/crops``.
"""

from __future__ import annotations

import dataclasses

from gatekeeper.checks.openapi.model import Spec, path_key
from gatekeeper.checks.openapi.rules.endpoints import served_prefixes
from gatekeeper.checks.openapi.validate import Invalid


def _prefix(spec: Spec) -> str | None:
    found = served_prefixes(spec.root)
    return next(iter(found)) if len(found) == 1 else None


def _join(prefix: str, key: str) -> str:
    if key.startswith("webhook:") or prefix == "/":
        return key
    return path_key(prefix.rstrip("/") + key)


def _rekeyed(spec: Spec, prefix: str) -> Spec:
    return dataclasses.replace(
        spec,
        operations={(_join(prefix, k), m): op for (k, m), op in spec.operations.items()},
        paths={_join(prefix, k): p for k, p in spec.paths.items()},
        path_nodes={_join(prefix, k): n for k, n in spec.path_nodes.items()},
    )


def align(base: Spec, rev: Spec) -> tuple[Spec, Spec, bool]:
    """``base`` and ``rev`` keyed by served URL when that matches more of their
    operations than their written paths do (module docstring), and whether they were."""
    old, new = _prefix(base), _prefix(rev)
    if old is None or new is None or old == new:
        return base, rev, False
    as_written = len(set(base.operations) & set(rev.operations))
    served_base, served_rev = _rekeyed(base, old), _rekeyed(rev, new)
    as_served = len(set(served_base.operations) & set(served_rev.operations))
    if as_served <= as_written:
        return base, rev, False
    return served_base, served_rev, True


def moved_paths(base: Spec, rev: Spec) -> dict[str, str]:
    """Each written path of ``base`` -> the written path of ``rev`` served at the same URL,
    when :func:`align` keys the two by served URL; else empty."""
    served_base, served_rev, alike = align(base, rev)
    if not alike:
        return {}
    return {
        served_base.paths[k]: served_rev.paths[k]
        for k in served_base.paths.keys() & served_rev.paths.keys()
        if served_base.paths[k] != served_rev.paths[k]
    }


def repointed(problem: Invalid, moved: dict[str, str]) -> Invalid:
    """``problem`` with its pointer under the head's written path. A pointer names its
    path as written after ``/paths/``, so the longest moved path it starts with is its
    own (``/api/v1/crops/{id}`` before ``/api/v1/crops``)."""
    for old in sorted(moved, key=len, reverse=True):
        at = f"/paths/{old}"
        if problem.pointer == at or problem.pointer.startswith(f"{at}/"):
            pointer = f"/paths/{moved[old]}" + problem.pointer[len(at) :]
            return dataclasses.replace(problem, pointer=pointer)
    return problem
