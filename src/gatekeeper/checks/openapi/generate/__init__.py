"""API documents generated from code (FastAPI, Django REST framework, django-ninja, ...).

Services that never commit a spec still have an API contract: the policy's
``openapi.generate`` names a built-in generator or a command, the gate generates the
document at base and at head (as the pull request's code, through ``gatekeeper.sandbox``)
and compares the two exactly as it compares committed specs. Modules: :mod:`.config` (the
setting), :mod:`.produce` (one side, run as PR code), :mod:`.cache` (documents by tree
hash), :mod:`.sources` (findings moved to the code), :mod:`.compare` (both sides through
the check), and ``child.py`` (the built-in generators, run by the application's Python).
"""

from __future__ import annotations

from gatekeeper.checks.openapi.generate.config import OFF, SCHEMA
from gatekeeper.model import Level

#: the generator's own rules: (level, summary, remedy)
RULES: dict[str, tuple[Level, str, str]] = {
    "generate-failed": (
        Level.ERROR,
        "The API document could not be generated from the pull request's code (the "
        "generator failed, ran past its time limit, or printed no OpenAPI document).",
        "Run the generator locally on the branch (the finding shows its last output), fix "
        "the application or its imports, and push again.",
    ),
    "generate-base-failed": (
        Level.WARNING,
        "The API document could not be generated at the base commit, so the API was not "
        "compared; an error when the pull request changed what the environment is "
        "installed from.",
        "Fix the generator on the base branch (or the environment it runs in) and run the "
        "gate again; until then a person must review the API change.",
    ),
}

__all__ = ["OFF", "RULES", "SCHEMA"]
