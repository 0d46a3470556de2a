"""Catalog queries for a PostgreSQL schema snapshot: one query per kind of fact.

Only user schemas are read (not pg_catalog, information_schema, or toast); every
row becomes one fact, so two snapshots compare as sets.
"""

from __future__ import annotations

_USER_NS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'"

QUERIES: tuple[tuple[str, str], ...] = (
    (
        "table",
        "SELECT n.nspname || '.' || c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('r', 'p') AND {_USER_NS}",
    ),
    (
        "column",
        "SELECT n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
        "CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END, "
        "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        f"WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped "
        f"AND {_USER_NS}",
    ),
    (
        "index",
        "SELECT schemaname || '.' || tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    ),
    (
        "constraint",
        "SELECT n.nspname || '.' || c.relname, con.conname, pg_get_constraintdef(con.oid) "
        "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER_NS}",
    ),
    (
        "enum",
        "SELECT n.nspname || '.' || t.typname, "
        "string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_type t "
        "JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE {_USER_NS} GROUP BY 1",
    ),
    (
        "sequence",
        "SELECT n.nspname || '.' || c.relname FROM pg_class c "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND {_USER_NS}",
    ),
    (
        "view",
        "SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid) FROM pg_class c "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') "
        f"AND {_USER_NS}",
    ),
    (
        "function",
        "SELECT n.nspname || '.' || p.proname, pg_get_function_identity_arguments(p.oid) "
        f"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {_USER_NS}",
    ),
    (
        "trigger",
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal",
    ),
    (
        "extension",
        "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'",
    ),
    (
        "schema",
        f"SELECT n.nspname FROM pg_namespace n WHERE {_USER_NS}",
    ),
)
