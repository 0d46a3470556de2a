"""Whether code of a diesel project still reads a column a migration drops.

A column's name is often a common word (``checksum``, ``downloads``) that API types,
a frontend, tests and snapshots use for other things, so "the word appears in the code"
blocks the contract step of every expand-contract plan (crates.io's drops of
``versions.checksum``, ``users.gh_avatar``, ``crates.downloads``). In a project whose
``diesel.toml`` (read at base) names a ``print_schema`` file, what can read the column is
known, and it is read at base, where the old code runs during the deploy:

- Rust: ``table::column`` (also through ``columns::`` or ``dsl::``), ``table::all_columns``,
  a ``use`` bringing the table's columns into scope (``table::dsl::*``) in a file that
  names the column, a struct deriving a diesel trait for the table (``table_name``, or
  the name diesel infers) with a field for the column (or ``column_name`` naming it),
  a ``QueryableByName`` struct with such a field, a ``table!`` block declaring it outside
  the print_schema file, and SQL in string literals (sqlparse.py);
- ``.sql`` files that are not migrations (query files a ``include_str!`` loads);
- JavaScript and TypeScript in a package whose nearest ``package.json`` depends on no
  database client: a frontend, which reaches the database only through the API;
- any other code file (a second backend language): the word, as before.

The print_schema file itself is left out at base (it declares every column; what loads
every declared column, ``all_columns``, is looked for above) and judged at head, where it
must no longer declare the column: new code loading the table whole would select it.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections import Counter

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.migrations import detect, sqlparse
from gatekeeper.checks.migrations.rusttext import RustText

#: diesel's derives that map a struct's fields to a table's columns
_DERIVES = frozenset(
    {"Queryable", "Selectable", "Insertable", "AsChangeset", "QueryableByName",
     "Identifiable", "HasQuery"}
)  # fmt: skip
_JS = (".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
#: a dependency through which JavaScript can reach a database (a driver, an ORM, a
#: query builder, PostgREST's client), by words of its package name
_DB_CLIENT = re.compile(
    r"sql|postgres|^pg$|^pg-|/pg$|prisma|knex|sequelize|typeorm|drizzle|kysely|mikro-orm|"
    r"supabase|postgrest|objection|slonik|bookshelf|database|mongo|redis|pglite|zapatos|"
    r"pgtyped|tedious|oracledb|mssql|libsql|neon",
    re.IGNORECASE,
)
#: stop reading after this much code (then the column counts as read: fail closed)
_LIMIT = 64 * 1024 * 1024


def schema_files(changes: ChangeSet) -> tuple[str, ...]:
    """The print_schema files the ``diesel.toml`` files at base name (``file = ...``,
    also under ``[print_schema.<name>]``), relative to each ``diesel.toml``."""

    def read() -> tuple[str, ...]:
        found: list[str] = []
        for config in changes.base_paths(["diesel.toml", "**/diesel.toml"]):
            try:
                data = tomllib.loads(changes.text_at_base(config) or "")
            except tomllib.TOMLDecodeError:
                continue
            section = data.get("print_schema")
            if not isinstance(section, dict):
                continue
            parts = [section, *(v for v in section.values() if isinstance(v, dict))]
            for part in parts:
                if isinstance(file := part.get("file"), str) and file:
                    path = posixpath.normpath(posixpath.join(posixpath.dirname(config), file))
                    found.append(path)
        return tuple(sorted(set(found)))

    return changes.fact("migrations.diesel-schema-files", read)


def only_removes(changes: ChangeSet, path: str) -> bool:
    """Whether the change of ``path`` only takes text out of it: no token at head that
    the base did not have as often (a regenerated print_schema file after a drop)."""
    base, head = changes.text_at_base(path), changes.text_at_head(path)
    if base is None or head is None:
        return False
    return not (Counter(_tokens(head)) - Counter(_tokens(base)))


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\s\w]", text)


def only_schema_changed(
    changes: ChangeSet, own: set[str], code_paths: tuple[str, ...], tests: tuple[str, ...]
) -> bool:
    """Whether every changed file is a migration (``own``), outside ``code_paths``, test
    code, or a print_schema file the change only takes declarations out of."""
    generated = set(schema_files(changes))
    return all(
        f.path in own
        or not match_any(f.path, code_paths)
        or match_any(f.path, tests)
        or (f.path in generated and only_removes(changes, f.path))
        for f in changes
    )


def declares(text: str, table: str, column: str) -> bool:
    """Whether a diesel ``table!`` block for ``table`` in ``text`` declares ``column``
    (``column -> Type``, or a field whose ``sql_name`` is the column)."""
    head = re.compile(rf"(?<![\w.])(?:\w+\.)?{re.escape(table)}\s*(?:\([^)]*\))?\s*\{{", re.I)
    for found in head.finditer(text):
        body = _braced(text, found.end() - 1)
        if re.search(rf"\b{re.escape(column)}\s*->", body, re.I) or re.search(
            rf'sql_name\s*=\s*"{re.escape(column)}"', body, re.I
        ):
            return True
    return False


def _braced(text: str, start: int) -> str:
    """The text inside the braces opening at ``start`` (to the end when unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i]
    return text[start + 1 :]


def declared_at_head(changes: ChangeSet, table: str, column: str) -> str:
    """The print_schema file that still declares the column at head, or ''."""
    for path in schema_files(changes):
        if declares(changes.text_at_head(path) or "", table, column):
            return path
    return ""


def reader(changes: ChangeSet, table: str, column: str, code_paths: tuple[str, ...]) -> str:
    """The first file at base that reads ``table.column`` (see the module's list), or ''
    when none does. A search that runs out of budget names the file it stopped at."""
    generated = set(schema_files(changes))
    found = changes.base_files_containing([column], ["*"])
    named = set(found) if found is not None else None
    sql_files = _loaded_sql(changes, code_paths, named)
    paths = sorted(set(changes.base_paths(code_paths)) | set(sql_files))
    budget = _LIMIT
    for path in paths:
        if path in generated or (named is not None and path not in named):
            continue
        text = changes.text_at_base(path)
        if text is None or detect.classify(path, text) is not None:
            continue  # migrations name the columns they create
        budget -= len(text)
        if budget < 0 or _reads(changes, path, text, table, column):
            return path
    return ""


def _loaded_sql(
    changes: ChangeSet, code_paths: tuple[str, ...], named: set[str] | None
) -> list[str]:
    """The ``.sql`` files at base (among ``named``, those holding the column's name,
    when known) that code loads: those whose name some code file mentions
    (``include_str!("update_metadata.sql")``). A script run by hand once (a backfill
    beside the migrations) reads nothing while the application runs."""
    out = []
    for path in changes.base_paths(["**/*.sql", "*.sql"]):
        if named is not None and path not in named:
            continue
        stem = posixpath.basename(path).removesuffix(".sql")
        found = changes.base_files_containing([stem], review_pathspecs(code_paths))
        if found is None or any(p != path for p in found):
            out.append(path)
    return out


def review_pathspecs(code_paths: tuple[str, ...]) -> list[str]:
    """Globs as the tree search takes them (``**/*.rs`` -> ``*.rs``)."""
    return sorted({g.removeprefix("**/").replace("**", "*") for g in code_paths})


def _reads(changes: ChangeSet, path: str, text: str, table: str, column: str) -> bool:
    word = re.compile(rf"\b{re.escape(column)}\b", re.IGNORECASE)
    if not word.search(text):
        return False
    if path.endswith(".rs"):
        return rust_reads(text, table, column)
    if path.endswith(".sql"):
        return sqlparse.reads(text, table, column)
    return not (path.endswith(_JS) and _frontend(changes, path))


def rust_reads(text: str, table: str, column: str) -> bool:
    """Whether Rust ``text`` reads ``table.column`` through diesel or SQL it holds."""
    rust = RustText.read(text)
    t, c = re.escape(table), re.escape(column)
    code = rust.code
    if re.search(rf"\b{t}\s*::\s*(?:(?:columns|dsl)\s*::\s*)?(?:{c}|all_columns)\b", code, re.I):
        return True
    word = re.compile(rf"\b{c}\b", re.IGNORECASE)
    if word.search(code) and _imports_columns(code, t, c):
        return True
    if _struct_reads(code, table, column):
        return True
    if "table!" in code and declares(code, table, column):
        return True
    return any(
        _string_reads(text, table, column, sql_call=rust.in_sql_call(i))
        for i, text in enumerate(rust.strings)
        if word.search(text)
    )


def _string_reads(text: str, table: str, column: str, *, sql_call: bool) -> bool:
    """A string literal naming the column: SQL that reads it (an expression given to a
    call that runs SQL, a text that parses as statements, or one that opens like a
    statement but does not parse: a ``format!`` template); prose (a log line, a JSON
    key) does not."""
    if sql_call:
        return sqlparse.fragment_reads(text, table, column)
    parsed = sqlparse.statements(text)
    if parsed is not None:
        return sqlparse.reads(text, table, column)
    return _STATEMENT.match(text) is not None


def _imports_columns(code: str, t: str, c: str) -> bool:
    """A ``use`` of the table's module bringing its columns (or this one) into scope."""
    for use in re.finditer(r"\buse\s+[^;]*;", code):
        for after in re.finditer(rf"\b{t}\s*::\s*(.*)", use.group(0), re.I | re.S):
            rest = after.group(1)
            if rest.lstrip().startswith(("*", "{", "dsl", "columns")) and (
                "*" in rest or re.search(rf"\b{c}\b", rest, re.I)
            ):
                return True
    return False


_STRUCT = re.compile(r"\bstruct\s+(\w+)\s*(?:<[^{;(]*>)?\s*(?:where[^{;]*)?([{(;])")


def _struct_reads(code: str, table: str, column: str) -> bool:
    """A struct deriving diesel's traits for ``table`` with a field for ``column``."""
    for found in _STRUCT.finditer(code):
        attrs = _attributes_before(code, found.start())
        derives = set(re.findall(r"\w+", " ".join(re.findall(r"derive\s*\(([^)]*)\)", attrs))))
        if not derives & _DERIVES:
            continue
        named = re.search(r"table_name\s*=\s*\"?((?:\w+\s*::\s*)*\w+)", attrs)
        mapped = re.split(r"\s*::\s*", named.group(1))[-1] if named else _inferred(found[1])
        by_name = "QueryableByName" in derives and not named
        if mapped.lower() != table.lower() and not by_name:
            continue
        if found[2] != "{":
            return found[2] == "("  # a tuple struct maps by position: it may read any column
        writes = bool(derives & {"Insertable", "AsChangeset"})
        if column.lower() in _fields(_braced(code, found.end() - 1), writes=writes):
            return True
    return False


def _attributes_before(code: str, start: int) -> str:
    """The text between the item before a struct and its ``struct`` keyword: its
    attributes (comments are already blanked)."""
    prefix = code[:start]
    return prefix[max(prefix.rfind(";"), prefix.rfind("}")) + 1 :]


def _inferred(struct: str) -> str:
    """The table diesel infers for a struct: its name in snake case, plus ``s``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", struct).lower() + "s"


def _fields(body: str, *, writes: bool) -> set[str]:
    """The columns a struct body maps: each field's name, or its ``column_name``; not a
    field loaded through a ``select_expression`` (it reads that expression instead),
    unless the struct also writes (``Insertable``, ``AsChangeset``), which ignores it."""
    out: set[str] = set()
    pending = ""
    computed = False
    for part in re.split(r"(#\[[^\]]*\]|,)", body):
        if part.startswith("#["):
            if named := re.search(r"column_name\s*=\s*\"?(\w+)", part):
                pending = named.group(1)
            computed = computed or ("select_expression" in part and not writes)
            continue
        if field := re.match(r"\s*(?:pub(?:\([^)]*\))?\s+)?(?:r#)?(\w+)\s*:", part):
            if not computed:
                out.add((pending or field.group(1)).lower())
            pending, computed = "", False
    return out


#: how a SQL statement opens (a string that does not parse but starts so is SQL)
_STATEMENT = re.compile(
    # one run of blanks, then an optional parenthesis and its own: two adjacent ``\s*``
    # split a long blank string every way before failing (quadratic)
    r"\s*(?:\(\s*)?(?:SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH|CREATE|ALTER|DROP|COPY)\b",
    re.IGNORECASE,
)


def _frontend(changes: ChangeSet, path: str) -> bool:
    """Whether a JavaScript/TypeScript file belongs to a package (its nearest
    ``package.json`` at base) that depends on no database client: it can only reach the
    database through the API, so it reads no column."""
    folder = posixpath.dirname(path)
    while True:
        manifest = posixpath.join(folder, "package.json") if folder else "package.json"
        text = changes.text_at_base(manifest)
        if text is not None:
            return not _has_db_client(text)
        if not folder:
            return False
        folder = posixpath.dirname(folder)


def _has_db_client(manifest: str) -> bool:
    try:
        data = json.loads(manifest)
    except ValueError:
        return True
    if not isinstance(data, dict):
        return True
    names: list[str] = []
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            names += [str(n) for n in section]
    return any(_DB_CLIENT.search(n) for n in names)
