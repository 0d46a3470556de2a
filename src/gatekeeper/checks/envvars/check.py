"""The ``env-vars`` check: compare the variables a change starts reading with the docs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from gatekeeper.changes import ChangedFile, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.envvars.docs import DEFAULT_DOCS, Documentation, parse_doc
from gatekeeper.checks.envvars.python_reads import EnvRead, python_reads
from gatekeeper.checks.envvars.text_reads import is_minified, scanner_for
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.checks.yamlbound import AliasBomb
from gatekeeper.model import Finding, Level, Rule

#: variables every platform sets; nobody documents them
PLATFORM_VARS = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "PWD",
    "OLDPWD",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TERM",
    "TMPDIR",
    "TEMP",
    "TMP",
    "TZ",
    "HOSTNAME",
    "CI",
    "GITHUB_*",
    "RUNNER_*",
    "ACTIONS_*",
    "PYTHON*",
    "VIRTUAL_ENV",
    "NODE_ENV",
    "DEBUG",
    "EDITOR",
    "PAGER",
    "DISPLAY",
    "XDG_*",
    "SSH_AUTH_SOCK",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "JAVA_HOME",
    "GOPATH",
    "GOROOT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "KUBERNETES_SERVICE_*",
    "PORT",
    "GITHUB_TOKEN",
)


@dataclass(frozen=True, slots=True)
class _Located:
    path: str
    read: EnvRead


class EnvVarsCheck(BaseCheck):
    """Every environment variable the change starts reading is documented somewhere."""

    id: ClassVar[str] = "env-vars"
    title: ClassVar[str] = "Environment variables"
    description: ClassVar[str] = __doc__ or ""
    rules: ClassVar[Any] = rule_catalog(
        Rule(
            "undocumented",
            Level.ERROR,
            "A newly read environment variable is documented nowhere",
            remedy="Add it to .env.example (with a safe example value) or to the configuration"
            " table in the docs, or list it in `checks.env-vars.allow` if the platform provides"
            " it.",
            description="Whoever deploys the change must know the variable exists; an"
            " undocumented setting is found in production, by its absence.",
        ),
        Rule(
            "dynamic-name",
            Level.INFO,
            "A variable name is built at run time and cannot be checked",
            remedy="Prefer literal names, or document the family of names.",
        ),
        Rule(
            "documented-unused",
            Level.INFO,
            "A documented variable is no longer read by the changed code",
            remedy="If nothing else reads it, remove it from the docs.",
        ),
        Rule(
            "secret-in-example",
            Level.WARNING,
            "An example value in a documentation file looks like a real secret",
            remedy="Replace it with a placeholder and rotate the secret.",
        ),
        Rule(
            "malformed-doc-line",
            Level.WARNING,
            "A line of an env documentation file is not KEY=value",
            remedy="Fix or comment the line; it documents nothing as it is.",
        ),
        Rule(
            "parsed-textually",
            Level.INFO,
            "A file could not be parsed; its reads were found by a textual scan",
            remedy="Fix the syntax error so every read form is seen.",
        ),
        Rule(
            "skipped-minified",
            Level.INFO,
            "A minified bundle was not scanned",
            remedy="Exclude generated bundles with `checks.env-vars.exclude`; review their sources"
            " instead.",
        ),
    )
    config_schema: ClassVar[Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "docs": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(DEFAULT_DOCS),
                "description": "Globs of files whose contents count as documentation.",
            },
            "allow": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Variable-name globs that need no documentation.",
            },
            "report_dynamic": {"type": "boolean", "default": True},
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """When a changed file can read variables or documents them."""
        docs = tuple(ctx.config.get("docs", DEFAULT_DOCS))
        return any(
            f.is_text
            and (
                f.path.endswith(".py")
                or match_any(f.path, docs)
                or scanner_for(f.path, "") is not None
                or f.path.endswith((".yml", ".yaml"))
                or "." not in f.path
            )
            for f in ctx.changes
        )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Reads at head minus reads at base, each checked against the documentation."""
        notes: list[Finding] = []
        head = self._reads(ctx, at_head=True, notes=notes)
        base = self._reads(ctx, at_head=False, notes=[])
        docs = self._documentation(ctx)
        yield from notes
        allow = (*PLATFORM_VARS, *ctx.config.get("allow", ()))
        base_names = {loc.read.name for loc in base}
        base_upper = {n.upper() for n in base_names}
        reported: set[str] = set()
        new = 0
        for loc in head:
            read = loc.read
            if read.dynamic:
                if ctx.config.get("report_dynamic", True) and read.how:
                    yield self._dynamic(loc)
                continue
            known = (
                read.name.upper() in base_upper
                if read.case_insensitive
                else (read.name in base_names)
            )
            if known or read.name in reported or match_any(read.name, allow):
                continue
            reported.add(read.name)
            new += 1
            if read.described or docs.find(read.name, case_insensitive=read.case_insensitive):
                continue
            yield self._undocumented(loc, docs)
        yield from self._unused(head, base, docs)
        yield from self._doc_problems(ctx, docs)
        ctx.set_summary(
            f"{new} new variable{'s' if new != 1 else ''} read" if new else "no new variables read"
        )

    def _reads(self, ctx: CheckContext, *, at_head: bool, notes: list[Finding]) -> list[_Located]:
        out: list[_Located] = []
        for f in ctx.changes:
            if not f.is_text or (at_head and f.status is FileStatus.DELETED):
                continue
            if not at_head and f.status is FileStatus.ADDED:
                continue
            path = f.path if at_head else (f.old_path or f.path)
            text = ctx.changes.text_at_head(path) if at_head else ctx.changes.text_at_base(path)
            if text is None:
                continue
            out += [_Located(f.path, r) for r in self._scan(f, path, text, notes)]
        return out

    def _scan(self, f: ChangedFile, path: str, text: str, notes: list[Finding]) -> list[EnvRead]:
        if path.endswith((".py", ".pyi")):
            reads, parsed = python_reads(text)
            if not parsed:
                notes.append(
                    self.finding(
                        "parsed-textually",
                        f"{f.path} has a syntax error; its environment reads"
                        " were found by a textual scan, which can miss some forms.",
                        path=f.path,
                        evidence=f.path,
                    )
                )
            return reads
        scanner = scanner_for(path, text)
        if scanner is None:
            return []
        if is_minified(text):
            notes.append(
                self.finding(
                    "skipped-minified",
                    f"{f.path} looks minified and was not scanned for environment reads.",
                    path=f.path,
                    evidence=f.path,
                )
            )
            return []
        try:
            return scanner(text)
        except AliasBomb as exc:  # what was not read cannot be called clean: the check errs
            line = f":{exc.line}" if exc.line else ""
            raise CheckError(f"{f.path}{line}: {exc.message}") from None

    def _documentation(self, ctx: CheckContext) -> Documentation:
        doc = Documentation()
        globs = tuple(ctx.config.get("docs", DEFAULT_DOCS))
        for path in ctx.changes.head_paths(globs):
            text = ctx.changes.text_at_head(path)
            if text is not None:
                parse_doc(path, text, doc)
        return doc

    def _undocumented(self, loc: _Located, docs: Documentation) -> Finding:
        name = loc.read.name
        similar = docs.same_but_case(name)
        hint = f" ({similar} is documented, but names are case-sensitive)" if similar else ""
        return self.finding(
            "undocumented",
            f"{name} is read here ({loc.read.how}) but documented nowhere{hint}.",
            path=loc.path,
            line=loc.read.line,
            evidence=name,
        )

    def _dynamic(self, loc: _Located) -> Finding:
        return self.finding(
            "dynamic-name",
            f"An environment variable whose name is computed at run time is read"
            f" here ({loc.read.how}); it cannot be checked against the docs.",
            path=loc.path,
            line=loc.read.line,
            evidence=f"{loc.read.how}:{loc.read.line}",
        )

    def _unused(
        self, head: list[_Located], base: list[_Located], docs: Documentation
    ) -> Iterator[Finding]:
        still = {loc.read.name for loc in head}
        gone = sorted({loc.read.name for loc in base if loc.read.name} - still)
        for name in gone:
            where = docs.find(name)
            if where:
                yield self.finding(
                    "documented-unused",
                    f"The change removes the reads of {name}, which is"
                    f" still documented in {where[0]}; remove it there if nothing else reads it.",
                    path=where[0],
                    line=where[1],
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
