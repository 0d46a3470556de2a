"""Settings documented in a settings schema: a YAML or JSON file that describes each
setting and names the environment variable that sets it.

nautobot keeps its reference in ``nautobot/core/settings.yaml``, rendered into its docs::

    METRICS_EXPERIMENTAL_CACHING_DURATION:
      default: 0
      description: >-
        The number of seconds to cache Nautobot App metrics...
      environment_variable: "NAUTOBOT_METRICS_EXPERIMENTAL_CACHING_DURATION"

Such an entry documents the variable as well as a Markdown page would. A file counts when
it describes things (it has a ``description`` key) and names the variable as the value of
an ``environment_variable``-like key, not merely anywhere in its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from gatekeeper.changes import ChangeSet, FileStatus

#: where settings schemas live (git pathspecs: ``*`` crosses folders)
SCHEMA_FILES = ("*.yaml", "*.yml", "*.json")
#: files read at most, beyond the changed ones (a search names the candidates first)
MAX_FILES = 40
_KEY = r"""["']?(?:environment_variable|env_variable|env_var|envvar|environment_var)["']?"""
_DESCRIBES = re.compile(r"""(?:^|[{,])\s*["']?description["']?\s*:""", re.MULTILINE)


def schema_documented(
    changes: ChangeSet, names: Iterable[str], tick: Callable[[], None]
) -> dict[str, tuple[str, int]]:
    """Which of ``names`` a settings schema at head documents: name -> (path, line)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    touched = {p for f in changes for p in (f.path, f.old_path) if p}
    paths = [
        f.path
        for f in changes.matching(["**/*.yaml", "**/*.yml", "**/*.json"])
        if f.status is not FileStatus.DELETED
    ]
    untouched = changes.base_files_containing(wanted, SCHEMA_FILES) or []
    paths += [p for p in untouched if p not in touched][:MAX_FILES]
    alternatives = "|".join(map(re.escape, wanted))
    entry = re.compile(
        rf"""(?:^|[{{,])\s*{_KEY}\s*:\s*["']?({alternatives})["']?\s*(?=[,}}]|$)""",
        re.MULTILINE,
    )
    found: dict[str, tuple[str, int]] = {}
    for path in paths:
        tick()
        text = changes.text_at_head(path)
        if not text or not _DESCRIBES.search(text):
            continue
        for m in entry.finditer(text):
            found.setdefault(m.group(1), (path, text.count("\n", 0, m.start()) + 1))
    return found
