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


#: the literal sides of a family of names: upper-case words joined by underscores
_FAMILY_SIDE = re.compile(r"[A-Z][A-Z0-9_]*")
#: the literal start of a family with no literal end: two words or more and a trailing
#: underscore (``TA_MIG_SKIP_``), so that it names one setting per instance on its own
_FAMILY_PREFIX = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+_")
#: the fewest letters and digits such a start has: ``DB_X_`` is any variable of a database
_FAMILY_PREFIX_CHARS = 5
#: prefixes a build tool exposes any variable under (``NEXT_PUBLIC_`` + key): a read of
#: one of them and a computed rest is a generic accessor, not one family of settings
GENERIC_PREFIXES = frozenset(
    (
        "NEXT_PUBLIC_",
        "REACT_APP_",
        "NUXT_ENV_",
        "NUXT_PUBLIC_",
        "VUE_APP_",
        "EXPO_PUBLIC_",
        "REDWOOD_ENV_",
        "SANITY_STUDIO_",
    )
)
#: what stands for the varying part in a family's name
FAMILY_MARK = "*"


def family(prefix: str, suffix: str) -> str | None:
    """``HD_AUTH_OIDC_*_ISSUER`` for a name built as ``HD_AUTH_OIDC_`` + something + ``_ISSUER``
    (one setting per provider, per instance...), which docs write with a placeholder
    (``HD_AUTH_OIDC_$NAME_ISSUER``) or an example; None when either side is not a word
    boundary. With no literal end, ``TA_MIG_SKIP_*`` (one per version) only when the start
    is a family's own (:func:`is_family_prefix`): ``APP_`` + key alone is a generic
    accessor, not a family of one setting."""
    if not suffix and is_family_prefix(prefix):
        return f"{prefix}{FAMILY_MARK}"
    if not (prefix.endswith("_") and suffix.startswith("_") and len(suffix) > 1):
        return None
    if not (_FAMILY_SIDE.fullmatch(prefix) and _FAMILY_SIDE.fullmatch(suffix.lstrip("_"))):
        return None
    return f"{prefix}{FAMILY_MARK}{suffix}"


def is_family_prefix(prefix: str) -> bool:
    """Whether ``prefix`` + something computed is a family of names on its own: two
    upper-case words or more, a trailing underscore, enough letters, and not a build
    tool's public prefix (``TA_MIG_SKIP_`` yes; ``X_``, ``APP_``, ``NEXT_PUBLIC_`` no)."""
    return (
        _FAMILY_PREFIX.fullmatch(prefix) is not None
        and len(prefix.replace("_", "")) >= _FAMILY_PREFIX_CHARS
        and prefix not in GENERIC_PREFIXES
    )


def family_pattern(name: str) -> re.Pattern[str] | None:
    """The names a family stands for (its mark one or more name characters), or None for a
    plain name."""
    if FAMILY_MARK not in name:
        return None
    prefix, _, suffix = name.partition(FAMILY_MARK)
    return re.compile(rf"{re.escape(prefix)}[A-Za-z0-9_]+{re.escape(suffix)}")


@functools.lru_cache(maxsize=1)
def _newlines(text: str) -> array[int]:
    return array("q", (m.start() for m in re.finditer("\n", text)))


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``. The newlines of the last text asked
    about are indexed once: counting them again for every match made a file with many
    matches quadratic."""
    return bisect.bisect_left(_newlines(text), offset) + 1
