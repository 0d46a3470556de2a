"""Generated documents through the check: each side generated, then compared like a spec.

The two documents are handed to :func:`gatekeeper.checks.openapi.runner.run_spec` as a
one-file change set, so the engine, rules, grouping, changelog, validation and line
mapping are those of committed specs; findings that land in the document are then moved
to the code that made it (:mod:`.sources`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from gatekeeper.changes import ChangedFile, ChangeSet, FileStatus
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError
from gatekeeper.checks.openapi.generate.cache import Cache
from gatekeeper.checks.openapi.generate.config import Generator, generators
from gatekeeper.checks.openapi.generate.produce import GenerateFailed, Produced, produce
from gatekeeper.checks.openapi.generate.sources import relocate
from gatekeeper.model import Finding, Level

if TYPE_CHECKING:
    from gatekeeper.checks.openapi.runner import Tally

#: files the job's environment is usually installed from: a pull request that changes
#: them may be why the base commit no longer generates in this environment
MANIFESTS = (
    "**/requirements*.txt", "**/requirements/**", "**/constraints*.txt", "**/pyproject.toml",
    "**/setup.py", "**/setup.cfg", "**/Pipfile", "**/Pipfile.lock", "**/poetry.lock",
    "**/uv.lock", "**/pdm.lock", "**/environment.yml", "**/*.pth", "**/sitecustomize.py",
)  # fmt: skip


def generation_applies(ctx: CheckContext) -> bool:
    """Whether any generator's inputs changed (cheap: no code runs)."""
    return any(ctx.changes.matching(g.inputs) for g in generators(ctx.config))


def generated_findings(
    check: BaseCheck, ctx: CheckContext, tally: Tally
) -> tuple[list[Finding], list[str]]:
    """Findings of every generated document, and one summary line for each."""
    gens = generators(ctx.config)
    names = [g.name for g in gens]
    if len(set(names)) != len(names):
        raise CheckError("two `generate` entries share a name; give each its own `name:`")
    found: list[Finding] = []
    lines: list[str] = []
    due = [g for g in gens if ctx.changes.matching(g.inputs)]
    lines += [f"`{g.name}`: not generated (the change touches none of its `inputs`)"
              for g in gens if g not in due]  # fmt: skip
    cache: Cache | None = None
    if any(g.cache for g in due):
        cache, why = Cache.open(ctx.changes)
        if why:
            ctx.add_details(f"Generated API documents are not cached: {why}.\n")
    for gen in due:
        ctx.check_time()
        more, line = _one(check, ctx, gen, tally, cache)
        found += more
        lines.append(line)
    return found, lines


def _one(
    check: BaseCheck, ctx: CheckContext, gen: Generator, tally: Tally, cache: Cache | None
) -> tuple[list[Finding], str]:
    changes = ctx.changes
    scratch = ctx.scratch / "generate"
    base: Produced | None = None
    base_failed: GenerateFailed | None = None
    if not _absent_at_base(changes, gen):
        try:
            base = produce(
                gen, changes, changes.base, scratch=scratch, remaining=ctx.remaining(), cache=cache
            )
        except GenerateFailed as exc:
            base_failed = exc
    ctx.check_time()
    try:
        head = produce(
            gen, changes, changes.head, scratch=scratch, remaining=ctx.remaining(), cache=cache
        )
    except GenerateFailed as exc:
        found = [_head_failed(check, gen, exc)]
        if base_failed is not None:
            found.append(_base_failed(check, ctx, gen, base_failed))
        return found, f"`{gen.name}`: the generator failed at head"
    if base_failed is not None:
        return [_base_failed(check, ctx, gen, base_failed)], (
            f"`{gen.name}`: not compared (the base commit could not generate it)"
        )
    from gatekeeper.checks.openapi.runner import run_spec

    sub = replace(ctx, changes=_documents(changes, gen.name, base, head), paths=(), exclude=())
    # not compared with a release: that would need generating it from the tagged code
    findings = run_spec(check, sub, gen.name, tally, releases=False)
    moved = relocate(
        findings, gen.name, head.document.decode("utf-8"), head.sources, _Lines(changes)
    )
    return moved, f"`{gen.name}` generated from code ({_how(base, head)})"


def _how(base: Produced | None, head: Produced) -> str:
    def word(p: Produced) -> str:
        return "from the cache" if p.cached else "generated"

    at_base = "new at head" if base is None else f"base {word(base)}"
    return f"{at_base}, head {word(head)}"


def _documents(changes: ChangeSet, name: str, base: Produced | None, head: Produced) -> ChangeSet:
    """A change set of one file, the document, at base (when there was one) and head."""
    status = FileStatus.MODIFIED if base is not None else FileStatus.ADDED
    return ChangeSet(
        root=changes.root,
        base=changes.base,
        head=changes.head,
        files=(ChangedFile(name, status),),
        base_tree=_Documents({name: base.document} if base is not None else {}),
        head_tree=_Documents({name: head.document}),
    )


class _Documents:
    """A tree holding generated documents only."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        self.documents = documents

    def read(self, path: str) -> bytes | None:
        return self.documents.get(path)

    def paths(self) -> Iterator[str]:
        return iter(sorted(self.documents))


def _absent_at_base(changes: ChangeSet, gen: Generator) -> bool:
    """True when a built-in generator's module is not in the base commit: the API is new
    in this change (compared with nothing, like a new spec), not a broken base."""
    module = gen.app.partition(":")[0] if gen.app else gen.settings
    if gen.command or not module:
        return False
    rel = module.replace(".", "/")
    folders = [gen.cwd, *gen.pythonpath]
    for folder in folders:
        for suffix in (".py", "/__init__.py"):
            path = posixpath.normpath(posixpath.join(folder, rel + suffix))
            if changes.bytes_at_base(path) is not None:
                return False
    return True


class _Lines:
    """How many lines a file has at head (None when it is not a readable text file)."""

    def __init__(self, changes: ChangeSet) -> None:
        self.changes = changes
        self.known: dict[str, int | None] = {}

    def __call__(self, path: str) -> int | None:
        if path not in self.known:
            text = self.changes.text_at_head(path)
            self.known[path] = None if text is None else len(text.splitlines())
        return self.known[path]


def _tail(exc: GenerateFailed) -> str:
    return f"; last output:\n{exc.output}" if exc.output else " (no output)"


def _head_failed(check: BaseCheck, gen: Generator, exc: GenerateFailed) -> Finding:
    return check.finding(
        "generate-failed",
        f"`{gen.name}` could not be generated from the pull request's code: the generator "
        f"{exc.reason}{_tail(exc)}",
        path=gen.name,
        evidence=(gen.name, "head"),
    )


def _base_failed(
    check: BaseCheck, ctx: CheckContext, gen: Generator, exc: GenerateFailed
) -> Finding:
    manifests = [f.path for f in ctx.changes.matching(MANIFESTS)]
    level = Level.WARNING
    blame = (
        " This is the base branch's breakage, not this pull request's: fix the generator on "
        "the base branch (or the environment it runs in) and run the gate again; until "
        "then a person must review the API change."
    )
    if manifests:
        level = Level.ERROR
        shown = ", ".join(manifests[:5]) + (" ..." if len(manifests) > 5 else "")
        blame = (
            f" This pull request changes {shown}, which the environment may be installed "
            "from, so it may be the cause: it blocks until the base generates again or a "
            "person waives it."
        )
    return check.finding(
        "generate-base-failed",
        f"`{gen.name}` could not be generated at the base commit {ctx.changes.base[:12]}: "
        f"the generator {exc.reason}, so the API was not compared.{blame}{_tail(exc)}",
        path=gen.name,
        evidence=(gen.name, "base"),
        level=level,
    )
