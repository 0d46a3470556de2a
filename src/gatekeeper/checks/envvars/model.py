"""What every scanner of the env-vars check produces: one read of one variable."""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EnvRead:
    """One place that reads an environment variable."""

    name: str  # "" when the name is computed at run time
    line: int
    how: str  # e.g. "os.environ[...]", "pydantic field", "maybe_set() -> os.environ"
    case_insensitive: bool = False
    described: bool = False  # a pydantic field with a description documents itself
    #: other names the same setting is also read from (pydantic ``AliasChoices``, a v1
    #: ``env=[...]`` list): any of them documented, or read at base, is enough
    aliases: tuple[str, ...] = ()
    #: the configuration keys (lower-case, dotted) the variable stands for, as viper's
    #: ``AutomaticEnv`` reads ``database.schema`` from ``APP_DATABASE_SCHEMA``: the key
    #: documented (a config sample, the docs) documents the variable too
    keys: tuple[str, ...] = ()

    @property
    def dynamic(self) -> bool:
        """True when the name is built at run time and cannot be checked."""
        return not self.name

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its alternatives."""
        return (self.name, *self.aliases)


@functools.lru_cache(maxsize=1)
def _newlines(text: str) -> array[int]:
    return array("q", (m.start() for m in re.finditer("\n", text)))


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``. The newlines of the last text asked
    about are indexed once: counting them again for every match made a file with many
    matches quadratic."""
    return bisect.bisect_left(_newlines(text), offset) + 1
