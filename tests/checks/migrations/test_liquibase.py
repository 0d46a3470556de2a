"""Liquibase changelogs: recognition, the changesets read from each format, and bad input
(a clear finding naming the file, never a traceback)."""

from __future__ import annotations

import pytest

from gatekeeper.checks.migrations import MigrationsCheck, detect, lbreview, liquibase
from gatekeeper.model import Finding
from gatekeeper.testing import changeset, context

XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
    '  <changeSet id="1" author="ann" dbms="postgresql" runInTransaction="false">\n'
    '    <dropColumn tableName="users" columnName="legacy"/>\n'
    "    <rollback>\n"
    '      <addColumn tableName="users"><column name="legacy" type="text"/></addColumn>\n'
    "    </rollback>\n"
    "  </changeSet>\n"
    '  <changeSet id="2" author="ann">\n'
    "    <sql>UPDATE users SET x = 1</sql>\n"
    "  </changeSet>\n"
    "</databaseChangeLog>\n"
)


def _run(head: dict[str, str | bytes], base: dict[str, str | bytes] | None = None) -> list[Finding]:
    ctx = context(changeset(base or {}, head), {"roundtrip": "off"})
    return list(MigrationsCheck().run(ctx))


def test_an_xml_changelog_is_read_changeset_by_changeset_with_lines() -> None:
    log = liquibase.parse("db/changelog.xml", XML)
    first, second = log.changesets
    assert (first.key, first.line, first.dbms, first.in_transaction) == (
        ("1", "ann"),
        3,
        ("postgresql",),
        False,
    )
    assert [(c.kind, c.line) for c in first.changes] == [("dropColumn", 4)]
    assert first.rollback and first.rollback_line == 5
    assert second.rollback is None and second.changes[0].sql == "UPDATE users SET x = 1"
    assert lbreview.data_only(second) and not lbreview.data_only(first)
    assert lbreview.dialect(first, "mysql") == "postgres"
    assert lbreview.dialect(second, "mysql") == "mysql"


def test_a_formatted_sql_changelog_keeps_rollbacks_and_attributes() -> None:
    text = (
        "--liquibase formatted sql\n"
        "--changeset ann:1 runInTransaction:false dbms:mysql\n"
        "CREATE INDEX i ON t (a);\n"
        "--rollback DROP INDEX i ON t;\n"
        "--changeset bob:2\n"
        "UPDATE t SET a = 1;\n"
        "--rollback not required\n"
    )
    one, two = liquibase.parse("x.sql", text).changesets
    assert (one.key, one.in_transaction, one.dbms) == (("1", "ann"), False, ("mysql",))
    assert one.rollback == "DROP INDEX i ON t;" and one.changes[0].sql_line == 3
    assert two.rollback == ""  # Liquibase's words for a rollback that does nothing


@pytest.mark.parametrize(
    ("path", "text", "framework"),
    [
        ("src/main/resources/db/changelog/1.xml", XML, "liquibase"),
        ("schema/2.yaml", "databaseChangeLog:\n  - changeSet: {id: a, author: b}\n", "liquibase"),
        ("x/3.json", '{"databaseChangeLog": [{"changeSet": {"id": "a"}}]}', "liquibase"),
        ("x/4.sql", "-- liquibase formatted sql\n--changeset a:1\nSELECT 1;\n", "liquibase"),
        # glue and look-alikes are not migrations
        ("db/master.xml", '<databaseChangeLog><include file="1.xml"/></databaseChangeLog>', None),
        ("pom.xml", "<project><databaseChangeLog/></project>", None),
        ("k8s/deploy.yaml", "kind: Deployment\n", None),
    ],
)
def test_changelogs_are_recognised_wherever_they_are(
    path: str, text: str, framework: str | None
) -> None:
    m = detect.classify(path, text)
    assert (m.framework if m else None) == framework


def test_a_malformed_xml_changelog_is_a_finding_naming_file_and_line() -> None:
    bad = XML.replace("</changeSet>\n  <changeSet", "\n  <changeSet", 1)
    (f,) = [f for f in _run({"db/changelog.xml": bad}) if f.rule == "syntax-error"]
    assert f.location is not None and f.location.path == "db/changelog.xml"
    assert f.location.start_line and "not well-formed XML" in f.message
    assert f.level.name == "ERROR"


def test_malformed_yaml_and_json_changelogs_are_findings() -> None:
    found = _run({
        "db/a.yaml": "databaseChangeLog:\n  - changeSet: {id: a\n",
        "db/b.json": '{"databaseChangeLog": [ {"changeSet": }]}',
        "db/c.yaml": "databaseChangeLog: 3\n",
    })  # fmt: skip
    assert sorted((f.location.path if f.location else "", f.rule) for f in found) == [
        ("db/a.yaml", "syntax-error"), ("db/b.json", "syntax-error"), ("db/c.yaml", "syntax-error")
    ]  # fmt: skip


def test_an_entity_bomb_is_refused_without_expanding() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + ']>\n<databaseChangeLog><changeSet id="1" author="x"><sql>&i;</sql></changeSet>'
        "</databaseChangeLog>\n"
    )
    with pytest.raises(liquibase.ChangelogError, match="refused"):
        liquibase.parse("db/bomb.xml", bomb)
    (f,) = _run({"db/bomb.xml": bomb})
    assert f.rule == "syntax-error" and "refused" in f.message


def test_an_external_entity_is_refused() -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<databaseChangeLog><changeSet id="1" author="x"><sql>&x;</sql></changeSet>'
        "</databaseChangeLog>\n"
    )
    with pytest.raises(liquibase.ChangelogError, match="refused"):
        liquibase.parse("db/x.xml", text)


def test_removing_a_merged_changeset_is_a_rewrite() -> None:
    base = {"db/changelog.xml": XML}
    head = {"db/changelog.xml": XML.replace('id="2"', 'id="3"')}
    found = _run(head, base)
    rewritten = [f for f in found if f.rule == "history-rewritten"]
    assert len(rewritten) == 1 and "removes changeset 2" in rewritten[0].message
