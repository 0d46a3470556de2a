"""What a round trip needs to know: the check's settings and where it runs."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import postgres, variants
from gatekeeper.checks.migrations.roundtrip import Problem

#: the variable that names a PostgreSQL server for round trips when the policy does not
#: (a CI service whose password lives in the job's secrets, not in the policy)
URL_VARIABLE = "GATEKEEPER_DATABASE_URL"


@dataclass(frozen=True)
class Settings:
    """The round-trip part of the check's configuration."""

    configured: str
    url: str | None
    default: str
    max_bytes: int
    alembic: Mapping[str, Any] = field(default_factory=dict)
    django: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    pass_env: tuple[str, ...] = ()

    def postgres_here(self) -> bool:
        """True when a PostgreSQL round trip can be attempted: a server is given, or
        (``auto``, ``postgres``) the local binaries and the driver are there to start one."""
        if self.url:
            return True
        if self.configured not in ("auto", "postgres"):
            return False
        driver = importlib.util.find_spec("psycopg") is not None
        return driver and postgres.find_binaries() is not None

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> Settings:
        """From the check's validated policy block."""
        url = config.get("database_url") or os.environ.get(URL_VARIABLE) or None
        return cls(
            configured=str(config.get("roundtrip", "auto")),
            url=url,
            default=variants.from_policy(str(config.get("dialect", "postgres"))),
            max_bytes=int(config.get("roundtrip_max_bytes", 1_000_000)),
            alembic=dict(config.get("alembic") or {}),
            django=dict(config.get("django") or {}),
            environment=dict(config.get("environment", DEFAULT_ENVIRONMENT)),
            pass_env=tuple(config.get("pass_env", ())),
        )


@dataclass
class Outcome:
    """What the round trips found: problems with the engine they ran on, and notes
    (path, why) for chains no engine here can run."""

    problems: list[tuple[Problem, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: path -> the engine its chain was round-tripped on
    engines: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Where:
    """Where round trips run: the repository, a scratch folder, the time left."""

    changes: ChangeSet
    folder: Path
    remaining: Callable[[], float]
    tick: Callable[[], None]


#: variables set for the project's code by default: the name most settings read
DEFAULT_ENVIRONMENT = {"DATABASE_URL": "{url}"}
