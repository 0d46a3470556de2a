"""The env-vars check's rule catalog and configuration schema."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.docs import DEFAULT_DOCS
from gatekeeper.checks.envvars.sides import TEST_FILES
from gatekeeper.checks.interface import rule_catalog
from gatekeeper.model import Level, Rule

RULES = rule_catalog(
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
        "external-docs-missing",
        Level.WARNING,
        "A folder of external documentation the policy names cannot be read",
        remedy="Check the documentation repository out into that folder before the gate"
        " runs (actions/checkout with `repository:` and `path:`), or fix"
        " `checks.env-vars.external_docs`.",
        description="Variables are judged without that documentation: one documented"
        " only there is reported as undocumented (the gate fails closed).",
    ),
    Rule(
        "unread-language",
        Level.WARNING,
        "A changed source file in a language the check has no reader for touches the"
        " environment; its reads were not checked",
        remedy="Read the listed lines by hand: document each variable they start reading"
        " (.env.example or the configuration table in the docs), or list it in"
        " `checks.env-vars.allow` if the platform provides it; leave files that read no"
        " variable out with `checks.env-vars.exclude`, or set"
        " `checks.env-vars.rules.unread-language` to off.",
        description="The check reads Python, JavaScript/TypeScript, Go, Rust, Ruby, Java,"
        " Kotlin, PHP, shell, Elixir, C#, C/C++, Scala, Swift, Dart, Lua, Perl, Groovy and"
        " container and CI files; a file in another language (F#, Clojure, Haskell,"
        " PowerShell...) is not scanned, and without this warning the gate's silence would"
        ' read as "no new variables". It fires only when an added line names the'
        " environment next to an UPPER_SNAKE_CASE name; it never blocks.",
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
CONFIG_SCHEMA: dict[str, Any] = {
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
        "framework_vars": {
            "type": "boolean",
            "default": True,
            "description": "Variables a framework defines and documents itself (Rails'"
            " RAILS_MAX_THREADS, Django's DJANGO_SETTINGS_MODULE, Node's NODE_OPTIONS...)"
            " need no documentation in a repository built on it, as its base shows"
            " (Gemfile with rails, manage.py, package.json); false judges them too.",
        },
        "platform_vars": {
            "type": "boolean",
            "default": True,
            "description": "Variables a CI system or hosting platform sets itself (GitLab's"
            " CI_COMMIT_SHA, Azure's BUILD_SOURCEVERSION, Vercel's VERCEL_GIT_COMMIT_REF,"
            " Heroku's DYNO...; platforms.py lists them with their sources) need no"
            " documentation; false judges them too (`allow` adds names).",
        },
        "provided_vars": {
            "type": "boolean",
            "default": True,
            "description": "Variables the repository itself sets for a process it starts"
            " (os.environ[...] = v, a subprocess's env={...}, os.Setenv, process.env.X = v,"
            " an installer's env template; provided.py) need no documentation; test files"
            " and values read from the same variable never count. False judges them too.",
        },
        "external_docs": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": [],
            "description": "Folders on disk (absolute, or relative to the repository's"
            " root directory) holding documentation kept in another repository, e.g. a"
            " second actions/checkout of the docs site with `path:`. Every file there"
            " whose name makes it documentation (Markdown, reST, AsciiDoc, env example"
            " files...) counts like the repository's own docs; symbolic links are never"
            " followed, and a missing folder is a warning (variables are then judged"
            " without it).",
        },
        "tests": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(TEST_FILES),
            "description": "Globs of test files: what they read is test set-up, not"
            " configuration to document (set [] to judge them too).",
        },
    },
}
