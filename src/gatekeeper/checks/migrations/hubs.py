"""Hub tables: the entities many other tables point at (``users``, ``accounts``, ``families``).

precedent.py's ``often_indexed`` takes a table the merged migrations came back to index
five times as one that keeps growing, the way an events or positions table does. On a
table of users, accounts or organizations the same sign says something else: nearly every
feature adds a table that points at it (``user_id``) and, with it, a query by user that
wants an index, so a Rails app's ``users`` collects index migrations while it grows with
the customers, a few rows a day, not with the traffic. What tells such a table apart is
read from the same merged history: how many other tables reference it. A table that
:data:`MANY_REFERRERS` or more other tables reference (by a foreign key, or in Rails by a
``<name>_id`` column, ``t.references``, ``add_reference``) is a hub, and indexing it often
no longer presumes it large; the name and the concurrent-index precedent still do (a team
that indexed it CONCURRENTLY said itself that it is large).

Read at base, once per run and chain: a pull request that adds tables pointing at a table
cannot make it a hub (and removing references only leaves the presumption standing). The
chain's merged migrations are read as text, each with the readers of every framework
(their forms do not overlap): SQL ``CREATE TABLE t (... REFERENCES u ...)`` and ``ALTER
TABLE t ... REFERENCES u`` (Prisma's and diesel's folders, SQL strings of any migration),
Rails ``create_table``/``change_table`` blocks and ``add_reference``/``add_foreign_key``/
``add_column :t, :u_id`` (plus ``db/schema.rb`` or ``db/structure.sql`` beside the
folder, which keep the references of migrations squashed away), Django ``ForeignKey``/
``OneToOneField`` in ``CreateModel``/``AddField``, Alembic ``sa.ForeignKey("u.id")`` and
``op.create_foreign_key``, Laravel ``->on('u')``/``->constrained()`` and Ecto
``references(:u)``. For an Alembic chain, the SQLAlchemy models' foreign keys count too
(hubmodels.py): a squashed history keeps few of its references. For a Django chain, the
migrations of the apps beside it count too (``<project>/*/migrations/*.py``): the models
that point at an app's central model (pretalx's ``event.Event``) live in the other apps.

The same count answers tables.py's name presumption: a table named for events or activity
that many other tables reference is an entity (a conference, a calendar entry), not a
record of traffic.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, hubmodels, reindexed, sqltext, static
from gatekeeper.checks.migrations.detect import ALEMBIC, DJANGO, ECTO, RAILS, Migration

#: other tables that must reference a table for it to count as a hub
MANY_REFERRERS = 10
#: merged files read per chain, at most
MAX_FILES = 400
#: bytes of one block (a table's definition) searched for references, at most
_BLOCK = 20_000

_NAME = r"[\w\"`.\[\]]{1,200}"
#: what opens a table's block: every reference until the next one belongs to it
_OWNER = re.compile(
    r"\bcreate\s+(?:unlogged\s+|temporary\s+|temp\s+)?table\s+(?:if\s+not\s+exists\s+)?"
    r"(?P<sql>" + _NAME + r")"
    r"|\balter\s+table\s+(?:only\s+)?(?:if\s+exists\s+)?(?:only\s+)?(?P<alter>" + _NAME + r")"
    r"|\b(?:create_table|change_table)\s*\(?\s*[:\"'](?P<rails>\w{1,200})"
    r"|\b(?:CreateModel|AddField|AlterField)\(\s*(?:name|model_name)\s*=\s*[\"'](?P<django>\w{1,200})"
    r"|\bop\.(?:create_table|add_column|batch_alter_table)\(\s*[\"'](?P<alembic>\w{1,200})"
    r"|\bSchema::(?:create|table)\(\s*[\"'](?P<laravel>\w{1,200})"
    r"|\b(?:create|alter)(?:_if_not_exists)?\s+table\(\s*[:\"](?P<ecto>\w{1,200})",
    re.IGNORECASE,
)
#: a reference inside a block: the referenced table (or, ``*_id``, its singular name)
_REFERENCE = re.compile(
    r"\breferences\s+(?P<sql>" + _NAME + r")"
    r"|\bt\.(?:references|belongs_to)\s*\(?\s*[:\"'](?P<rails>\w{1,200})"
    r"|\bt\.\w{1,30}\s*\(?\s*[:\"'](?P<rails_id>\w{1,200})_id[\"']?"
    r"|\b(?:ForeignKey|OneToOneField)\((?:[^()]{0,300}?\bto\s*=\s*)?\s*[\"'](?:\w+\.)?(?P<django>\w{1,200})[\"']"
    r"|\bto\s*=\s*settings\.(?P<django_user>AUTH_USER_MODEL)\b"
    r"|\bForeignKeyConstraint\(\s*\[[^\]]{0,300}\]\s*,\s*\[\s*[\"'](?:\w+\.)?(?P<alembic_fkc>\w{1,200})\.\w+[\"']"
    r"|\bsa\.ForeignKey\(\s*[\"'](?:\w+\.)?(?P<alembic>\w{1,200})\.\w+[\"']"
    r"|->on\(\s*[\"'](?P<laravel>\w{1,200})"
    r"|->constrained\(\s*[\"'](?P<constrained>\w{1,200})"
    r"|\bforeignId\(\s*[\"'](?P<laravel_id>\w{1,200})_id[\"']\s*\)\s*->constrained\(\s*\)"
    r"|\breferences\(\s*[:\"](?P<ecto>\w{1,200})",
    re.IGNORECASE,
)
#: references that name their table themselves, outside any block
_STANDALONE = re.compile(
    r"\badd_(?:reference|belongs_to)\s*\(?\s*[:\"'](?P<src>\w{1,200})[\"']?\s*,\s*[:\"'](?P<ref>\w{1,200})"
    r"|\badd_foreign_key\s*\(?\s*[:\"'](?P<fsrc>\w{1,200})[\"']?\s*,\s*[:\"'](?P<fref>\w{1,200})"
    r"|\badd_column\s*\(?\s*[:\"'](?P<csrc>\w{1,200})[\"']?\s*,\s*[:\"'](?P<cref>\w{1,200})_id[\"']?"
    r"|\bcreate_foreign_key\(\s*[^,()]{0,200},\s*[\"'](?P<asrc>\w{1,200})[\"']\s*,\s*[\"'](?P<aref>\w{1,200})",
)
#: a column of a Rails schema dump's CREATE TABLE that points at a table by convention
_SQL_ID_COLUMN = re.compile(r"^[ \t]*\"?(?P<ref>\w{1,200}?)_id\"?\s+\w", re.MULTILINE)

Referrers = dict[str, frozenset[str]]


def referrers(changes: ChangeSet, m: Migration) -> Referrers:
    """Referenced name (lower-cased, as written: ``users``, or ``user`` for ``user_id``) ->
    the other tables of ``m``'s merged chain that reference it; read once per run and
    chain, under the names the PR gives the files."""
    key = f"hub-referrers:{m.framework}:{m.directory}"
    return changes.fact(key, lambda: _read(changes.renames_undone_at_base(), m))


def count(found: Mapping[str, frozenset[str]], table: str, formers: Iterable[str] = ()) -> int:
    """How many other tables reference ``table`` (by any of the names it is written as,
    and under ``formers``, the names it had before a merged migration renamed it)."""
    names = [reindexed.bare(table), *formers]
    own = {form for name in names for form in _forms(name)}
    sources: set[str] = set()
    for form in own:
        sources |= found.get(form, frozenset())
    return len(sources - own)


def hubs(
    changes: ChangeSet,
    m: Migration,
    tables: Iterable[str],
    formers: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, int]:
    """Of ``tables``, those :data:`MANY_REFERRERS` or more other tables reference ->
    how many do; ``formers``: table -> its names before merged renames (precedent.py)."""
    wanted = list(tables)
    if not wanted:
        return {}
    found = referrers(changes, m)
    before = formers or {}
    counts = {t: count(found, t, before.get(t, frozenset())) for t in wanted}
    return {t: n for t, n in counts.items() if n >= MANY_REFERRERS}


def _forms(name: str) -> set[str]:
    """The names a reference may use for table ``name``: itself and its singular
    (``users``/``user``, ``entries``/``entry``, ``statuses``/``status``)."""
    out = {name}
    if name.endswith("ies"):
        out.add(name[:-3] + "y")
    if name.endswith("es"):
        out.add(name[:-2])
    if name.endswith("s") and not name.endswith("ss"):
        out.add(name[:-1])
    return out


def _read(changes: ChangeSet, m: Migration) -> Referrers:
    pairs: set[tuple[str, str]] = set()
    rails = m.framework == RAILS
    for text in _texts(changes, m):
        pairs |= pairs_in(text, rails=rails)
    if m.framework == ALEMBIC:
        pairs |= hubmodels.pairs(changes, m.directory)
    out: dict[str, set[str]] = {}
    for source, target in pairs:
        if source and target and source != target:
            out.setdefault(target, set()).add(source)
    return {k: frozenset(v) for k, v in out.items()}


def _texts(changes: ChangeSet, m: Migration) -> list[str]:
    """The merged migrations of ``m``'s chain (SQL files: their up side), and for Rails the
    schema dump beside its folder."""
    texts: list[str] = []
    if m.framework == RAILS:
        db = posixpath.dirname(m.directory)
        for name in ("schema.rb", "structure.sql"):
            text = changes.text_at_base(posixpath.join(db, name) if db else name)
            if text is not None:
                texts.append(text)
    if m.framework == ECTO or not (m.is_sql or m.framework in reindexed.FRAMEWORKS):
        pattern = f"{m.directory}/*" if m.directory not in ("", ".") else "*"
        paths = [p for p in changes.base_paths((pattern,)) if posixpath.dirname(p) == m.directory]
        texts += [t for p in paths[:MAX_FILES] if (t := changes.text_at_base(p)) is not None]
        return texts
    read: set[str] = set()
    for member in detect.chain(changes, m, at_base=True)[:MAX_FILES]:
        read.add(member.path)
        if member.is_sql:
            sides = static.sql_sides(changes, member, at_base=True)
            texts.append(sides.up if sides is not None else "")
        elif (text := changes.text_at_base(member.path)) is not None:
            texts.append(text)
    if m.framework == DJANGO:
        texts += _django_apps(changes, m, read, MAX_FILES - len(read))
    return texts


def _django_apps(changes: ChangeSet, m: Migration, read: set[str], room: int) -> list[str]:
    """The merged migrations of the Django apps beside ``m``'s (``<project>/*/migrations``)
    that declare a relation, at most ``room`` of them, skipping those in ``read``."""
    project = posixpath.dirname(posixpath.dirname(m.directory))
    if room <= 0 or not project:
        return []
    pattern = f"{project}/*/migrations/*.py"
    found = changes.base_files_containing(("ForeignKey", "OneToOneField"), [pattern]) or []
    paths = [
        p
        for p in sorted(found)
        if p not in read
        and posixpath.dirname(p).endswith("/migrations")
        and posixpath.dirname(posixpath.dirname(posixpath.dirname(p))) == project
    ]
    return [t for p in paths[:room] if (t := changes.text_at_base(p)) is not None]


def pairs_in(text: str, *, rails: bool = False) -> set[tuple[str, str]]:
    """(referencing table, referenced name) pairs one merged file declares; ``rails``: a
    ``<name>_id`` column of a table in its SQL (``structure.sql``) counts as a reference."""
    text = sqltext.strip_comments(text) if not rails else text
    pairs: set[tuple[str, str]] = set()
    owners = list(_OWNER.finditer(text))
    for i, owner in enumerate(owners):
        end = owners[i + 1].start() if i + 1 < len(owners) else len(text)
        block = text[owner.end() : min(end, owner.end() + _BLOCK)]
        source = reindexed.bare(next(g for g in owner.groups() if g))
        sql_owner = bool(owner.group("sql") or owner.group("alter"))
        if sql_owner:
            block = block.split(";", 1)[0]
        for ref in _REFERENCE.finditer(block):
            kind = ref.lastgroup or ""
            if sql_owner != (kind == "sql"):
                continue  # a SQL block holds SQL references, a DSL block DSL ones
            if kind.startswith("rails") and not rails:
                continue
            target = "user" if kind == "django_user" else reindexed.bare(ref.group(kind))
            pairs.add((source, target))
        if rails and owner.group("sql"):
            pairs |= {(source, c.group("ref").lower()) for c in _SQL_ID_COLUMN.finditer(block)}
    for ref in _STANDALONE.finditer(text):
        src = ref.group("src") or ref.group("fsrc") or ref.group("csrc") or ref.group("asrc")
        target = ref.group("ref") or ref.group("fref") or ref.group("cref") or ref.group("aref")
        if (ref.group("asrc") or rails) and src and target:
            pairs.add((src.lower(), target.lower()))
    return pairs
