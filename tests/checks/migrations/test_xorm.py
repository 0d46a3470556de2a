"""xorm's versioned Go steps on real git repositories with release tags: an edit of a step
a release shipped blocks, of one merged since the newest release warns, and a new step
appended to the list is no rewrite (cases/xorm.yml has the untagged cases)."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, gohits, gomig, goxorm
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

STEP = """package migrations

import (
\t"context"
\t"encoding/json"

\t"xorm.io/xorm"
)

func splitLegalMenu(ctx context.Context, x *xorm.Engine) error {
\tgeneral := &SiteInfo{Type: "general"}
\tif _, err := x.Context(ctx).Get(general); err != nil {
\t\treturn err
\t}
\tlogin := &SiteInfo{Type: "login"}
\tif _, err := x.Context(ctx).Get(login); err != nil {
\t\treturn err
\t}
\tsettings := &SiteGeneral{}
\tif err := json.Unmarshal([]byte(login.Content), settings); err != nil {
\t\treturn err
\t}
\t_, err := x.Context(ctx).Insert(&SiteInfo{Type: "legal", Content: settings.Legal})
\treturn err
}
"""
FIXED = STEP.replace("[]byte(login.Content)", "[]byte(general.Content)")
LIST = """package migrations

var migrations = []Migration{
\tNewMigration("v1.0.0", "split the legal menu", splitLegalMenu, true),
%s}
"""
NEXT = """package migrations

import (
\t"context"

\t"xorm.io/xorm"
)

type aiConversation struct {
\tID string `xorm:"not null pk VARCHAR(36) id"`
}

func addAIConversation(ctx context.Context, x *xorm.Engine) error {
\treturn x.Context(ctx).Sync(new(aiConversation))
}
"""
ENTRY = '\tNewMigration("v1.1.0", "add ai conversations", addAIConversation, false),\n'


def _history(git_repo: Any, *, tag_after_step: bool, head: dict[str, str]) -> list[Finding]:
    git_repo.commit({"internal/migrations/migrations.go": LIST % "", "README.md": "answer\n"})
    git_repo.git("tag", "v0.9.0")
    base = git_repo.commit({"internal/migrations/v1.go": STEP})
    if tag_after_step:
        git_repo.git("tag", "v1.0.0")
    head_sha = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head_sha) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    return [f for f in found if f.rule.endswith(("rewritten", "unrecognised"))]


def test_an_edited_step_a_release_shipped_blocks(git_repo: Any) -> None:
    found = _history(git_repo, tag_after_step=True, head={"internal/migrations/v1.go": FIXED})
    assert [(f.rule, f.level) for f in found] == [("history-rewritten", Level.ERROR)]
    assert "function splitLegalMenu" in found[0].message
    assert "new step at the end of the list" in found[0].message


def test_an_edited_step_no_release_shipped_yet_warns(git_repo: Any) -> None:
    found = _history(git_repo, tag_after_step=False, head={"internal/migrations/v1.go": FIXED})
    assert [(f.rule, f.level) for f in found] == [("history-rewritten", Level.WARNING)]
    assert "since the newest release (v0.9.0)" in found[0].message


def test_a_new_step_appended_after_a_release_is_no_rewrite(git_repo: Any) -> None:
    head = {"internal/migrations/migrations.go": LIST % ENTRY, "internal/migrations/v2.go": NEXT}
    assert _history(git_repo, tag_after_step=True, head=head) == []


def test_a_shipped_step_edited_with_a_new_step_that_backfills_it_warns(git_repo: Any) -> None:
    edited = STEP.replace("Content: settings.Legal}", "Content: settings.Legal, LegalLocked: true}")
    backfill = NEXT.replace("aiConversation", "legalLocked").replace("AIConversation", "Locked")
    head = {"internal/migrations/v1.go": edited, "internal/migrations/v2.go": backfill}
    found = _history(git_repo, tag_after_step=True, head=head)
    assert [(f.rule, f.level) for f in found] == [("history-rewritten", Level.WARNING)]
    assert "adds internal/migrations/v2.go" in found[0].message


def test_a_consistent_rename_of_local_names_is_the_same_behaviour() -> None:
    renamed = STEP.replace("settings", "generalSettings")
    assert goxorm.same_behaviour(STEP, renamed)
    assert not goxorm.same_behaviour(STEP, FIXED)  # one use of login became general
    # an exported field is a column to xorm: no rename
    assert not goxorm.same_behaviour(STEP, STEP.replace("Legal", "LegalText"))


def test_log_lines_and_error_wording_are_the_same_behaviour() -> None:
    line = '\tlog.Infof("splitting the legal menu of %s", general.Type)\n'
    logged = STEP.replace("\tsettings := ", line + "\tsettings := ")
    worded = STEP.replace(
        "\t\treturn err\n\t}\n\tlogin",
        '\t\treturn fmt.Errorf("read general settings: %w", err)\n\t}\n\tlogin',
    )
    reworded = worded.replace("read general settings", "get the general settings")
    assert goxorm.same_behaviour(STEP, logged)
    assert goxorm.same_behaviour(worded, reworded)
    # what a failing step reports is no effect on a database that ran it
    assert goxorm.same_behaviour(STEP, worded)
    assert not goxorm.same_behaviour(STEP, STEP.replace('"legal"', '"legal_v2"'))


def test_lint_fixes_are_the_same_behaviour() -> None:
    # answer's golangci-lint passes: interface{} written any, an error check added, a
    # local type nothing used removed
    before = STEP.replace(
        "\tsettings := &SiteGeneral{}\n",
        "\ttype Legacy struct {\n\t\tID int\n\t}\n\tsettings := &SiteGeneral{}\n"
        "\textra := make(map[string]interface{})\n\t_ = extra\n",
    )
    after = before.replace("interface{}", "any").replace(
        "\ttype Legacy struct {\n\t\tID int\n\t}\n", ""
    )
    checked = after.replace(
        "\t_ = extra\n", "\t_ = extra\n\tif err != nil {\n\t\treturn err\n\t}\n"
    )
    assert goxorm.same_behaviour(before, after)
    assert goxorm.same_behaviour(before, checked)
    assert not goxorm.same_behaviour(before, after.replace("map[string]any", "map[string]int"))


def test_a_shipped_default_changed_with_a_new_step_setting_it_warns(git_repo: Any) -> None:
    # answer 7824797648: v3's default for rank.answer.accept fixed, and v9 sets it where v3 ran
    edited = STEP.replace('Type: "legal"', 'Type: "site.legal.mode"')
    fix = NEXT.replace(
        "return x.Context(ctx).Sync(new(aiConversation))",
        '_, err := x.Context(ctx).Update(&SiteInfo{Type: "site.legal.mode"})\n\treturn err',
    )
    head = {"internal/migrations/v1.go": edited, "internal/migrations/v2.go": fix}
    found = _history(git_repo, tag_after_step=True, head=head)
    assert [(f.rule, f.level) for f in found] == [("history-rewritten", Level.WARNING)]
    assert "(site.legal.mode)" in found[0].message
    # the same edit with an unrelated new step still blocks
    head = {"internal/migrations/v1.go": edited, "internal/migrations/v2.go": NEXT}
    assert [f.level for f in _history_again(git_repo, head)] == [Level.ERROR]


def _history_again(git_repo: Any, head: dict[str, str]) -> list[Finding]:
    """The history findings of ``head`` committed on the repository's tagged release."""
    git_repo.git("checkout", "-q", "v1.0.0")
    head_sha = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, "v1.0.0", head_sha) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    return [f for f in found if f.rule.endswith("rewritten")]


def test_the_branches_for_one_database_are_found() -> None:
    step = (
        'package v1_20\n\nimport "xorm.io/xorm"\n\n'
        "func FixIndex(x *xorm.Engine) error {\n"  # 5
        "\tif setting.Database.Type.IsSQLite3() {\n"  # 6
        '\t\t_, err := x.Exec("DROP INDEX a")\n'
        "\t\treturn err\n"
        "\t}\n"  # 9
        "\tif !setting.Database.Type.IsMySQL() {\n"  # 10: a negation says nothing
        "\t\treturn nil\n"
        "\t}\n"
        "\tswitch x.Dialect().URI().DBType {\n"  # 13
        "\tcase schemas.POSTGRES:\n"  # 14
        '\t\t_, err := x.Exec("DROP INDEX CONCURRENTLY b")\n'
        "\t\treturn err\n"
        "\tcase schemas.MYSQL, schemas.TIDB:\n"  # 17: several: judged as before
        "\t\treturn nil\n"
        "\t}\n"
        "\treturn nil\n}\n"
    )
    go = gomig.read(step)
    assert go is not None and go.library == gomig.XORM
    assert gohits.dialect_branches(go) == [(6, 9, "sqlite"), (14, 16, "postgres")]


def test_a_new_step_naming_the_change_only_in_a_comment_does_not_relieve_it(
    git_repo: Any,
) -> None:
    # an agent adding a do-nothing step whose comment repeats the edited name gets nothing
    edited = STEP.replace("Content: settings.Legal}", "Content: settings.Legal, LegalLocked: true}")
    dummy = NEXT.replace(
        "func addAIConversation", "// LegalLocked is handled\nfunc addAIConversation"
    )
    head = {"internal/migrations/v1.go": edited, "internal/migrations/v2.go": dummy}
    found = _history(git_repo, tag_after_step=True, head=head)
    assert [(f.rule, f.level) for f in found] == [("history-rewritten", Level.ERROR)]
