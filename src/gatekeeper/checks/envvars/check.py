"""The ``env-vars`` check: compare the variables a change starts reading with the docs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, ClassVar

from gatekeeper.changes import FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.envvars import gather, keymaps, rust_testmods, text_reads, unread
from gatekeeper.checks.envvars.deploydocs import is_compose
from gatekeeper.checks.envvars.docs import (
    DEFAULT_DOCS,
    Documentation,
)
from gatekeeper.checks.envvars.external import read_external
from gatekeeper.checks.envvars.frameworks import framework_vars
from gatekeeper.checks.envvars.model import FAMILY_MARK, EnvRead
from gatekeeper.checks.envvars.platforms import name_matcher, platform_vars
from gatekeeper.checks.envvars.provided import PROVIDER_FILES, provided
from gatekeeper.checks.envvars.rules import CONFIG_SCHEMA, RULES
from gatekeeper.checks.envvars.scanners import scanner_for
from gatekeeper.checks.envvars.schemadocs import schema_documented
from gatekeeper.checks.envvars.sides import (
    CI_FILES,
    CI_READ_FILES,
    EXTENSIONLESS_FILES,
    MAX_ELSEWHERE,
    MAX_SEARCHED,
    SCANNED_FILES,
    TEST_FILES,
    Known,
    Located,
    Side,
    extensionless,
)
from gatekeeper.checks.envvars.wellknown import PLATFORM_VARS
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError
from gatekeeper.checks.yamlbound import AliasBomb
from gatekeeper.model import Finding, Level

#: what the note of a scan that may have missed reads says (the rule is its key)
_PARTIAL_SCANS = {
    "parsed-textually": "{} has a syntax error; its environment reads were found by a textual"
    " scan, which can miss some forms.",
    "skipped-minified": "{} looks minified and was not scanned for environment reads.",
}


class EnvVarsCheck(BaseCheck):
    """Every environment variable the change starts reading is documented somewhere."""

    id: ClassVar[str] = "env-vars"
    title: ClassVar[str] = "Environment variables"
    description: ClassVar[str] = __doc__ or ""
    rules: ClassVar[Any] = RULES
    config_schema: ClassVar[Any] = CONFIG_SCHEMA

    def applies(self, ctx: CheckContext) -> bool:
        """When a changed file can read variables or documents them."""
        docs = tuple(ctx.config.get("docs", DEFAULT_DOCS))
        return any(
            f.is_text
            and (
                f.path.endswith(".py")
                or match_any(f.path, docs)
                or text_reads.scanner_for(f.path, "") is not None
                or unread.language_of(f.path) is not None
                or f.path.endswith((".yml", ".yaml"))
                or "." not in f.path
            )
            for f in ctx.changes
        )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Reads at head minus reads at base, each checked against the documentation."""
        notes: list[Finding] = []
        head_side = Side(ctx, at_head=True)
        base_side = Side(ctx, at_head=False, shared=head_side)
        head = self._keyed(ctx, self._reads(ctx, head_side, notes=notes))
        base = self._reads(ctx, base_side, notes=[])
        docs = gather.documentation(ctx)
        notes += self._external_docs(ctx, docs)
        yield from notes
        allow = name_matcher(
            (
                *PLATFORM_VARS,
                *self._framework_vars(ctx),
                *self._platform_vars(ctx),
                *ctx.config.get("allow", ()),
            )
        )
        known = Known(loc.read for loc in base)
        candidates = [
            loc
            for loc in head
            if not loc.read.dynamic and not known.has(loc.read) and not allow(loc.read.name)
        ]
        if any(loc.read.keys for loc in candidates):
            gather.config_samples(ctx, docs, {k for loc in candidates for k in loc.read.keys})
        lacking = [n for c in candidates if not _documented(c.read, docs) for n in c.read.names]
        gather.markdown_elsewhere(ctx, docs, lacking)
        app_reads = {n for c in candidates if not is_compose(c.path) for n in c.read.names}
        gather.deployments(ctx, docs, lacking, app_reads)
        # undocumented names first: for them the search decides whether there is a finding
        undocumented = {loc.read.name for loc in candidates if not _documented(loc.read, docs)}
        names = sorted(undocumented) + sorted({loc.read.name for loc in candidates} - undocumented)
        known.add(self._read_elsewhere_at_base(ctx, base_side, _with_keys(names, candidates)))
        plumbing = self._provided(ctx, head_side, sorted(undocumented - known.exact))
        plumbing |= self._in_schema(ctx, sorted(undocumented - known.exact - plumbing))
        reported: set[str] = set()
        new = 0
        # a workflow's secrets.X is a maintainer's chore (a warning): the application's own
        # read of the same name is judged first, so that warning cannot stand for it
        for loc in sorted(head, key=lambda loc: loc.read.how == text_reads.WORKFLOW_READ):
            read = loc.read
            if read.dynamic:
                if ctx.config.get("report_dynamic", True) and read.how:
                    yield self._dynamic(loc)
                continue
            if known.has(read) or read.name in reported or allow(read.name):
                continue
            reported.add(read.name)
            new += 1
            if read.name in plumbing or _documented(read, docs):
                continue
            yield self._undocumented(loc, docs)
        yield from self._unused(head, base, docs)
        yield from self._doc_problems(ctx, docs)
        yield from self._unread_languages(ctx)
        ctx.set_summary(
            f"{new} new variable{'s' if new != 1 else ''} read" if new else "no new variables read"
        )

    def _unread_languages(self, ctx: CheckContext) -> Iterator[Finding]:
        """``unread-language``: one warning naming the changed files, outside tests, in a
        language no reader handles whose added lines look like environment reads."""
        tests = tuple(ctx.config.get("tests", TEST_FILES))
        found = []
        for f in ctx.changes:
            if f.status is FileStatus.DELETED or not f.is_text or match_any(f.path, tests):
                continue
            if unread.language_of(f.path) is None:
                continue
            text = ctx.changes.text_at_head(f.path)
            hit = unread.unread_file(f.path, text or "", f.added_lines(), text_reads.is_minified)
            if hit is not None:
                found.append(hit)
        if found:
            yield self.finding(
                "unread-language",
                unread.message(found),
                path=found[0].path,
                line=found[0].line,
                evidence=",".join(f.path for f in found),
            )

    def _keyed(self, ctx: CheckContext, head: list[Located]) -> list[Located]:
        """``head`` with the configuration keys a Rust settings library maps each prefixed
        variable onto (keymaps.py: figment, config-rs), so that the key documented in a
        configuration template documents the variable. The repository is searched for
        the mappings at head only when a Rust file reads a variable."""
        if not any(loc.path.endswith(".rs") and not loc.read.dynamic for loc in head):
            return head
        found = ctx.changes.head_files_containing(list(keymaps.SEARCH_WORDS), ["*.rs"])
        paths = [p for p in found or () if not p.startswith(("tests/", "benches/"))]
        texts = (ctx.changes.text_at_head(p) or "" for p in paths[: keymaps.MAX_FILES])
        maps = keymaps.keymaps(texts)
        if not maps:
            return head
        out = []
        for loc in head:
            keys = keymaps.keys_of(loc.read.name, maps) if loc.read.name else ()
            fresh = tuple(k for k in keys if k not in loc.read.keys)
            read = dataclasses.replace(loc.read, keys=loc.read.keys + fresh) if fresh else None
            out.append(Located(loc.path, read) if read is not None else loc)
        return out

    def _framework_vars(self, ctx: CheckContext) -> tuple[str, ...]:
        """The variables the frameworks the base is built on define (frameworks.py)."""
        if not ctx.config.get("framework_vars", True):
            return ()
        names, found = framework_vars(ctx.changes.text_at_base)
        if found:
            ctx.add_details(
                f"env-vars: {', '.join(found)} at base: the framework's own variables"
                " (RAILS_ENV, DJANGO_SETTINGS_MODULE...) need no documentation here"
                " (checks.env-vars.framework_vars)."
            )
        return names

    def _platform_vars(self, ctx: CheckContext) -> tuple[str, ...]:
        """What CI systems and hosts set themselves (platforms.py), unless switched off."""
        return platform_vars() if ctx.config.get("platform_vars", True) else ()

    def _reads(self, ctx: CheckContext, side: Side, *, notes: list[Finding]) -> list[Located]:
        out: list[Located] = []
        at_head = side.at_head
        tests = tuple(ctx.config.get("tests", TEST_FILES))
        for f in ctx.changes:
            if not f.is_text or (at_head and f.status is FileStatus.DELETED):
                continue
            if match_any(f.path, tests) or (f.old_path and match_any(f.old_path, tests)):
                continue
            if match_any(f.path, CI_FILES) and not match_any(f.path, CI_READ_FILES):
                continue
            if not at_head and f.status is FileStatus.ADDED:
                continue
            path = f.path if at_head else (f.old_path or f.path)
            text = side.read(path)
            if text is None or rust_testmods.declared_for_tests(path, side.read):
                continue
            out += [Located(f.path, r) for r in self._scan(f.path, path, text, side, notes)]
        return out

    def _provided(self, ctx: CheckContext, side: Side, names: list[str]) -> set[str]:
        """Which of ``names`` the repository sets itself for the processes it starts
        (provided.py): the changed files at head, and the untouched files that name one.
        Test files never count: they set up their own environment."""
        if not names or not ctx.config.get("provided_vars", True):
            return set()
        tests = tuple(ctx.config.get("tests", TEST_FILES))
        paths = [f.path for f in ctx.changes if f.is_text and f.status is not FileStatus.DELETED]
        touched = {p for f in ctx.changes for p in (f.path, f.old_path) if p}
        untouched = ctx.changes.base_files_containing(names[:MAX_SEARCHED], PROVIDER_FILES)
        paths += [p for p in untouched or () if p not in touched][:MAX_ELSEWHERE]
        found: dict[str, str] = {}
        for path in paths:
            if match_any(path, tests):
                continue
            ctx.check_time()
            text = side.read(path)
            for hit in provided(path, text or "", names):
                found.setdefault(hit.name, f"{hit.path}:{hit.line}, {hit.how}")
        for name, where in sorted(found.items()):
            ctx.add_details(
                f"env-vars: {name} is set by the repository itself ({where}) for a process it"
                " starts: plumbing, not configuration to document."
            )
        return set(found)

    def _in_schema(self, ctx: CheckContext, names: list[str]) -> set[str]:
        """Which of ``names`` a settings schema documents (schemadocs.py)."""
        found = schema_documented(ctx.changes, names[:MAX_SEARCHED], ctx.check_time)
        for name, (path, line) in sorted(found.items()):
            ctx.add_details(f"env-vars: {name} is documented in the settings schema {path}:{line}.")
        return set(found)

    def _read_elsewhere_at_base(self, ctx: CheckContext, side: Side, names: list[str]) -> set[str]:
        """Which of ``names`` files the change did not touch already read at base.

        One search of the base commit for the names as words, then only the files that
        mention one are scanned: a variable the repository already reads is not new. A
        search for many names costs more than the repository's size justifies (git's
        fixed-string search slows down sharply past a few dozen), so only the first
        ``MAX_SEARCHED`` are looked for; the details say when names were left out."""
        if not names:
            return set()
        if len(names) > MAX_SEARCHED:
            ctx.add_details(
                f"env-vars: {len(names)} candidate variables; the base commit was searched"
                f" for the first {MAX_SEARCHED} (undocumented ones first), the others count as"
                " new unless a changed file read them at base."
            )
            names = names[:MAX_SEARCHED]
        touched = {p for f in ctx.changes for p in (f.path, f.old_path) if p}
        found: set[str] = set()
        # a family of names (``TA_MIG_SKIP_*``) is searched for by its literal start
        words = {n.partition(FAMILY_MARK)[0] for n in names}
        paths = ctx.changes.base_files_containing(words, SCANNED_FILES)
        if paths is not None:
            # scripts named without an extension are found apart (see EXTENSIONLESS_FILES);
            # only those with a shell's shebang are scanned (scanner_for reads it)
            scripts = ctx.changes.base_files_containing(words, EXTENSIONLESS_FILES) or []
            paths = sorted({*paths, *filter(extensionless, scripts)})
        if paths is None:
            ctx.add_details(
                "env-vars: the base commit could not be searched (a partial clone?), so a"
                " variable is new unless the changed files already read it at base."
            )
        tests = tuple(ctx.config.get("tests", TEST_FILES))
        others = [p for p in paths or () if p not in touched and not match_any(p, tests)]
        for path in others[:MAX_ELSEWHERE]:
            ctx.check_time()
            text = side.read(path)
            if text is not None:
                found |= {n for r in self._scan(path, path, text, side, []) for n in r.names}
        return found

    def _scan(
        self, shown: str, path: str, text: str, side: Side, notes: list[Finding]
    ) -> list[EnvRead]:
        scanner = scanner_for(path, text)
        if scanner is None:
            return []
        try:
            found = scanner(path, text, side)
        except AliasBomb as exc:  # what was not read cannot be called clean: the check errs
            line = f":{exc.line}" if exc.line else ""
            raise CheckError(f"{shown}{line}: {exc.message}") from None
        if found.note is not None:
            message = _PARTIAL_SCANS[found.note].format(shown)
            notes.append(self.finding(found.note, message, path=shown, evidence=shown))
        return found.reads

    def _external_docs(self, ctx: CheckContext, doc: Documentation) -> list[Finding]:
        """Add the documentation of ``external_docs`` folders; a warning per unusable one."""
        folders = list(ctx.config.get("external_docs", ()))
        if not folders:
            return []
        found = read_external(
            ctx.changes.root,
            folders,
            doc,
            max_bytes=ctx.changes.max_file_bytes,
            check_time=ctx.check_time,
            changed=frozenset(f.path for f in ctx.changes if f.status is not FileStatus.DELETED),
        )
        ctx.add_details(
            f"env-vars: {found.files} documentation file{'s' if found.files != 1 else ''}"
            f" read from checks.env-vars.external_docs ({', '.join(folders)})."
        )
        for line in found.skipped:
            ctx.add_details(f"env-vars: external documentation not read: {line}.")
        return [
            self.finding(
                "external-docs-missing",
                f"The external documentation folder {folder!r} cannot be read ({why}):"
                " the workflow must check the documentation repository out there before the"
                " gate runs; variables are judged without it.",
                evidence=folder,
            )
            for folder, why in found.unusable
        ]

    def _undocumented(self, loc: Located, docs: Documentation) -> Finding:
        name = loc.read.name
        similar = docs.same_but_case(name)
        hint = f" ({similar} is documented, but names are case-sensitive)" if similar else ""
        if loc.read.how == text_reads.WORKFLOW_READ:
            # the repository's own CI: its maintainers set the secret in the repository's
            # settings, and the workflow change already waits for one (gate/ci-changed);
            # nobody who deploys the product has anything to set
            return self.finding(
                "undocumented",
                f"{name} is a secret or variable the workflow now needs "
                f"({loc.read.how}), documented nowhere{hint}: a maintainer sets it in the "
                "repository's settings before the workflow runs (a warning).",
                path=loc.path,
                line=loc.read.line,
                evidence=name,
                level=Level.WARNING,
            )
        if FAMILY_MARK in name:
            # one setting per instance: the docs write it with a placeholder or an example
            prefix, _, suffix = name.partition(FAMILY_MARK)
            hint += (
                f" (a family of names, the part at {FAMILY_MARK} computed at run time: document"
                f" it with a placeholder, {prefix}$NAME{suffix}, or an example of it)"
            )
        if loc.read.keys:
            hint += f" (nor is its configuration key {loc.read.keys[0]} in a config sample)"
        return self.finding(
            "undocumented",
            f"{name} is read here ({loc.read.how}) but documented nowhere{hint}.",
            path=loc.path,
            line=loc.read.line,
            evidence=name,
        )

    def _dynamic(self, loc: Located) -> Finding:
        return self.finding(
            "dynamic-name",
            f"An environment variable whose name is computed at run time is read"
            f" here ({loc.read.how}); it cannot be checked against the docs.",
            path=loc.path,
            line=loc.read.line,
            evidence=f"{loc.read.how}:{loc.read.line}",
        )

    def _unused(
        self, head: list[Located], base: list[Located], docs: Documentation
    ) -> Iterator[Finding]:
        still = {loc.read.name for loc in head}
        gone = sorted({loc.read.name for loc in base if loc.read.name} - still)
        for name in gone:
            where = docs.find(name)
            if where:
                # a file outside the repository cannot carry an annotation: named only
                outside = where[0] in docs.outside
                yield self.finding(
                    "documented-unused",
                    f"The change removes the reads of {name}, which is"
                    f" still documented in {where[0]}; remove it there if nothing else reads it.",
                    path=None if outside else where[0],
                    line=None if outside else where[1],
                    evidence=name,
                )

    def _doc_problems(self, ctx: CheckContext, docs: Documentation) -> Iterator[Finding]:
        for problem in docs.problems:
            changed = ctx.changes.get(problem.path)
            if changed is None or problem.line not in changed.added_lines():
                continue  # only problems the change introduced
            yield self.finding(
                problem.rule,
                problem.message,
                path=problem.path,
                line=problem.line,
                evidence=problem.evidence,
            )


def _documented(read: EnvRead, docs: Documentation) -> bool:
    """Whether a read needs no finding: it documents itself (a pydantic field with a
    description), or one of its names (aliases too) is in the documentation, or the
    configuration key it stands for is (a config sample, a dotted key in the docs)."""
    return (
        read.described
        or any(docs.find(n, case_insensitive=read.case_insensitive) for n in read.names)
        or any(docs.find_key(k) for k in read.keys)
    )


def _with_keys(names: list[str], candidates: list[Located]) -> list[str]:
    """``names`` in order, each followed by the configuration keys it stands for: a file
    at base reading ``viper.GetString("database.schema")`` names the key, not the variable."""
    keys: dict[str, list[str]] = {}
    for loc in candidates:
        for key in loc.read.keys:
            if key not in keys.setdefault(loc.read.name, []):
                keys[loc.read.name].append(key)
    return [word for name in names for word in (name, *keys.get(name, ()))]
