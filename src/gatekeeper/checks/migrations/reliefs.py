"""What relieves a safety hit of a drop or rename, and what refuses a relief.

A hit the safety review found (safetyhits.py) keeps its rule's level unless something
shows that no running code or no user's data meets it:

- :func:`data_relief`: a drop on a table no release has shipped (unshipped.py), of a
  leftover the migration then creates (leftover.py), or of a materialized view it
  recreates (mviews.py) is a warning;
- :class:`Reliefs`: the deploy order. A drop whose readers the PR removes is the contract
  step of an expand-contract plan when the PR changes nothing but migrations; a drop or
  rename is a warning when no code at head reads the name and the application is stopped
  before it migrates (``deploy: stop-first``); a drop is one when django-safemigrate runs
  the migration only after the deploy (:func:`after_deploy`);
- :func:`refused`: a drop after a copy stays an error when the policy says
  ``drop_after_copy: false``.
"""

from __future__ import annotations

import dataclasses
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import (
    dieselread,
    leftover,
    mviews,
    prcreated,
    prismaread,
    review,
    scratch,
    unshipped,
)
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.model import Finding, Level

#: what old code breaks on while it runs beside the new schema: relieved, for the
#: names no code at head reads, where the application is stopped before it migrates
STOP_FIRST_RULES = frozenset({"drop-column", "drop-table", "rename-column", "rename-table"})
#: what a migration held back until after the deploy makes safe: a drop, once no code reads
#: the name (a rename is not: the new code would read the new name before it exists)
AFTER_DEPLOY_RULES = frozenset({"drop-column", "drop-table"})
#: why no old code meets the schema of a drop whose readers the PR removes
_STOPPED = "the application is stopped before it migrates (checks.migrations.deploy: stop-first)"
_AFTER_THE_DEPLOY = (
    "the migration runs only after that code is deployed (django-safemigrate's Safe.after_deploy())"
)
#: django-safemigrate's declaration that a migration runs after the code is deployed
_AFTER_DEPLOY = re.compile(r"(?m)^[ \t]+safe[ \t]*=[ \t]*Safe\.after_deploy\b")


class Reliefs:
    """The deploy-order reliefs of one migration's hits: expand-contract, stop-first and
    after-deploy. Whether the PR changes nothing but migrations is asked once, and only
    when a hit names a target."""

    def __init__(
        self,
        check: BaseCheck,
        changes: ChangeSet,
        m: Migration,
        changed: list[Migration],
        code_paths: tuple[str, ...],
        *,
        stop_first: bool,
        after_deploy: bool,
    ) -> None:
        self._check = check
        self._changes = changes
        self._m = m
        self._changed = changed
        self._code_paths = code_paths
        self._stop_first = stop_first
        self._after_deploy = after_deploy
        self._contract: bool | None = None
        self._schema_contract: bool | None = None

    def finding(self, hit: Hit) -> Finding | None:
        """The relieved finding of ``hit``, or None when nothing relieves it."""
        if not hit.target:
            return None
        changes, code_paths = self._changes, self._code_paths
        if self._contract is None:
            self._contract = review.no_code_changed(changes, self._changed, code_paths)
        # (a table or column the change creates, yet fills with stored values, holds data)
        if self._diesel_column(hit):
            if self._diesel_contract(hit) and not prcreated.filled(changes, self._m, hit.target):
                return self._expand_contract(hit)
        elif (
            self._contract
            and not still_read(changes, hit, code_paths)
            and not prcreated.filled(changes, self._m, hit.target)
        ):
            return self._expand_contract(hit)
        if (
            hit.rule in STOP_FIRST_RULES
            and self._stop_first
            and not still_read(changes, hit, code_paths, at_head=True)
        ):
            return self._unread(hit, _STOPPED)
        if (
            hit.rule in AFTER_DEPLOY_RULES
            and self._after_deploy
            and not still_read(changes, hit, code_paths, at_head=True)
        ):
            return self._unread(hit, _AFTER_THE_DEPLOY)
        return None

    def _diesel_column(self, hit: Hit) -> bool:
        """A column drop in a project whose ``diesel.toml`` at base names a print_schema
        file: who reads the column is judged by dieselread.py."""
        return (
            hit.rule == "drop-column"
            and len(hit.target) >= 2
            and bool(dieselread.schema_files(self._changes))
        )

    def _diesel_contract(self, hit: Hit) -> bool:
        """The contract step in a diesel project: the PR changes nothing but migrations,
        files outside the code and print_schema files it only takes declarations out of;
        no print_schema file declares the column at head, and no code reads it at base."""
        changes = self._changes
        if self._schema_contract is None:
            own = {p for m in self._changed for p in (m.path, m.down_path) if p}
            self._schema_contract = dieselread.only_schema_changed(
                changes, own, self._code_paths, review.TEST_FILES
            )
        table, column = hit.target[-2].rsplit(".", 1)[-1], hit.target[-1]
        return (
            self._schema_contract
            and not dieselread.declared_at_head(changes, table, column)
            and not dieselread.reader(changes, table, column, self._code_paths)
        )

    def _unread(self, hit: Hit, why: str) -> Finding:
        """A drop or rename whose readers the PR removes, where ``why`` says no old code
        meets the new schema: the application is stopped before it migrates (``deploy:
        stop-first``), or django-safemigrate runs the migration after the deploy."""
        return self._check.finding(
            hit.rule,
            f"{hit.message} No code at head reads {hit.target[-1]!r} any more, and {why}, "
            "so no running code meets the new schema (a warning).",
            path=self._m.path,
            line=hit.line,
            evidence=hit.evidence,
            level=Level.WARNING,
        )

    def _expand_contract(self, hit: Hit) -> Finding:
        what = ".".join(hit.target)
        return self._check.finding(
            "expand-contract",
            f"{hit.message} Recognised as an expand-contract step: the PR changes only "
            f"migrations and the code no longer mentions {hit.target[-1]!r}.",
            path=self._m.path,
            line=hit.line,
            evidence=f"{hit.rule}:{what}",
        )


def after_deploy(changes: ChangeSet, text: str) -> bool:
    """Whether a Django migration declares ``safe = Safe.after_deploy()`` in a project that
    used django-safemigrate before the change (its deploy then runs such migrations only
    after the new code is out; a PR cannot bring the tool in to relax its own drop)."""
    if not _AFTER_DEPLOY.search(text):
        return False
    return bool(changes.base_files_containing(["django_safemigrate"], ("*.py",)))


def still_read(
    changes: ChangeSet, hit: Hit, code_paths: tuple[str, ...], *, at_head: bool = False
) -> bool:
    """Whether code reads a dropped name: a word of it, or for a table the ActiveRecord
    model class Rails maps to it (a model names no table), or a Prisma model still
    declaring it (its client selects every declared field: prismaread.py)."""
    if prismaread.declares(changes, hit.target, at_head=at_head):
        return True
    name = hit.target[-1]
    model = review.model_class(name) if len(hit.target) == 1 else ""
    return review.still_used(changes, [name], code_paths, at_head=at_head, model=model)


def refused(hit: Hit) -> Hit:
    """A drop after a copy, as the policy wants it: an error all the same."""
    message = f"{hit.message} The policy blocks it all the same (drop_after_copy: false)."
    return dataclasses.replace(hit, level=None, message=message, relaxed="")


def data_relief(changes: ChangeSet, m: Migration, hit: Hit) -> Hit:
    """``hit``, a warning when the drop loses no user's data: a drop on a table no release
    has shipped or of a column none has (unshipped.py), of a leftover the migration then
    creates (leftover.py), of a materialized view it recreates (mviews.py), of a table
    named as scratch space (scratch.py) or of what an earlier migration of the same change
    created (prcreated.py)."""
    if hit.rule not in unshipped.DATA_RULES or hit.level is Level.WARNING or not hit.target:
        return hit
    if hit.rule == "drop-table" and leftover.leftover(changes, m, hit.target[0], hit.line):
        return dataclasses.replace(
            hit,
            level=Level.WARNING,
            message=f"{hit.message} No merged migration of the folder creates or names "
            f"{hit.target[0]}, and this one creates it next: the drop only clears a "
            "leftover (a warning).",
        )
    if hit.rule == "drop-table" and mviews.recreated_view(changes, m, hit.target[0], hit.line):
        return dataclasses.replace(
            hit,
            level=Level.WARNING,
            message=f"{hit.message} It is a materialized view writing to another table, "
            "which the merged migrations created and this one creates again: no rows are "
            "lost, only inserts between the two statements miss it (a warning).",
        )
    if hit.rule == "drop-table" and (word := scratch.scratch_word(hit.target[0])):
        return dataclasses.replace(
            hit,
            level=Level.WARNING,
            message=f"{hit.message} Its name ('{word}') marks it as scratch space, whose rows "
            "only live while a job runs: no stored data is lost (a warning; make sure no "
            "code still reads it).",
        )
    made = prcreated.creator(changes, m, hit.target)
    if made is not None:
        return dataclasses.replace(
            hit,
            level=Level.WARNING,
            message=f"{hit.message} {made}, new in this change too, created it and no merged "
            "migration did: no database holds a value there yet (a warning).",
        )
    found = unshipped.unshipped_since(changes, m, hit.target[0])
    if found is not None:
        tag, path = found
        return dataclasses.replace(
            hit,
            level=Level.WARNING,
            message=f"{hit.message} No released database holds it: {hit.target[0]} was "
            f"created by {path}, merged since the newest release ({tag}).",
        )
    if hit.rule != "drop-column" or len(hit.target) != 2:
        return hit
    added = unshipped.unshipped_column_since(changes, m, *hit.target)
    if added is None:
        return hit
    tag, path = added
    return dataclasses.replace(
        hit,
        level=Level.WARNING,
        message=f"{hit.message} No released database holds it: {path}, merged since the "
        f"newest release ({tag}), added {hit.target[1]} and no released migration names it.",
    )
