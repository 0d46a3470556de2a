"""The result of comparing two schemas: what differs, keyword by keyword."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class ListDiff:
    """allOf/anyOf/oneOf/prefixItems: branches added, removed, and matched-but-changed."""

    added: list[tuple[int, Any]] = field(default_factory=list)
    removed: list[tuple[int, Any]] = field(default_factory=list)
    modified: list[tuple[str, SchemaDiff]] = field(default_factory=list)


@dataclass(eq=False)
class MapDiff:
    """patternProperties / dependentSchemas / properties: by key."""

    added: dict[str, Any] = field(default_factory=dict)
    removed: dict[str, Any] = field(default_factory=dict)
    modified: dict[str, SchemaDiff] = field(default_factory=dict)


@dataclass(eq=False)
class SchemaDiff:
    """What differs between two schemas (resolved objects kept in ``base``/``rev``)."""

    base: dict[str, Any]
    rev: dict[str, Any]
    values: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    types: tuple[list[str], list[str]] | None = None
    nullable: tuple[bool, bool] | None = None
    enum: tuple[list[Any] | None, list[Any] | None] | None = None
    required: tuple[list[str], list[str]] | None = None  # (added, removed)
    properties: MapDiff | None = None
    children: dict[str, SchemaDiff] = field(default_factory=dict)
    children_added: list[str] = field(default_factory=list)
    children_removed: list[str] = field(default_factory=list)
    lists: dict[str, ListDiff] = field(default_factory=dict)
    maps: dict[str, MapDiff] = field(default_factory=dict)
    dependent_required: tuple[list[str], list[str], list[str]] | None = None
    discriminator: tuple[Any, Any] | None = None
    extensible_enum: tuple[list[Any], list[Any]] | None = None
    #: the ``$ref`` (head side) this pair of schemas was reached by: a named component
    ref: str | None = None

    def empty(self) -> bool:
        """True when nothing differs."""
        return not (
            self.values or self.types or self.nullable or self.enum or self.required
            or self.properties or self.children or self.children_added or self.children_removed
            or self.lists or self.maps or self.dependent_required or self.discriminator
            or self.extensible_enum
        )  # fmt: skip
