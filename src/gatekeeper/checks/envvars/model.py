"""What every scanner of the env-vars check produces: one read of one variable."""

from __future__ import annotations

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

    @property
    def dynamic(self) -> bool:
        """True when the name is built at run time and cannot be checked."""
        return not self.name

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its alternatives."""
        return (self.name, *self.aliases)
