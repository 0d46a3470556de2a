"""Attacks on round 24's changes: families of variable names, documentation read from
prose instructions, commented compose entries and Dockerfile comments, and backfills sized
by their table.

Each relaxation lets something pass that used to block, and each case shows a pull
request cannot use it to carry an undocumented variable or an unsafe migration past the
gate. The strengthenings (a computed name, a whole-table backfill) blocked nothing before:
their cases fail on the code before this round.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"


def test_computing_the_middle_of_a_name_does_not_hide_the_variable(
    attack: AttackFactory,
) -> None:
    # before, a name built around a computed part was only a note nobody reads
    head = {
        "src/pay.js": (
            "for (const kind of kinds) {\n"
            "  keys[kind] = process.env['PAYMENT_' + kind + '_SECRET_KEY'];\n"
            "}\n"
        )
    }
    assert_blocked(attack(ENV, {"README.md": "x\n"}, head).judge(), "env-vars/undocumented")


def test_a_documented_family_does_not_document_its_neighbours(attack: AttackFactory) -> None:
    # LDAP_<ID>_URL is documented; the PR's LDAP_*_PASSWORD is another family
    base = {"docs/ldap.md": "Each server reads `LDAP_<ID>_URL`.\n"}
    head = {"src/ldap.ts": "const pw = process.env[`LDAP_${id}_PASSWORD`];\n"}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_name_shown_in_prose_without_an_instruction_documents_nothing(
    attack: AttackFactory,
) -> None:
    head = {
        "app/settings.py": "import os\nKEY = os.environ['BILLING_API_KEY']\n",
        "docs/notes.md": "The server reads BILLING_API_KEY=... from somewhere.\n",
    }
    assert_blocked(attack(ENV, {"README.md": "x\n"}, head).judge(), "env-vars/undocumented")


def test_a_commented_entry_in_a_test_compose_file_documents_nothing(
    attack: AttackFactory,
) -> None:
    head = {
        "app/settings.py": "import os\nKEY = os.environ['BILLING_API_KEY']\n",
        "tests/e2e/docker-compose.yml": (
            "services:\n  app:\n    environment:\n      # - BILLING_API_KEY=test\n"
        ),
    }
    assert_blocked(attack(ENV, {"README.md": "x\n"}, head).judge(), "env-vars/undocumented")


def test_a_dockerfile_comment_must_name_the_arg_right_above_it(attack: AttackFactory) -> None:
    head = {
        "Dockerfile": (
            "FROM python:3.12\n"
            "# Pass --build-arg RELEASE_CHANNEL=beta to build the beta.\n"
            "\n"
            "ARG RELEASE_CHANNEL\n"
            "# the signing key\n"
            "ARG SIGNING_KEY\n"
        )
    }
    verdict = attack(ENV, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    blocked = " ".join(r.finding.message for r in verdict.results if r.blocking)
    assert "RELEASE_CHANNEL" in blocked and "SIGNING_KEY" in blocked


def test_a_where_that_bounds_nothing_is_still_a_whole_table_backfill(
    attack: AttackFactory,
) -> None:
    # before, any backfill beside a schema change was a warning, whatever the table
    head = {
        "migrations/0002_kind.up.sql": (
            "ALTER TABLE events ADD COLUMN kind text;\n"
            "UPDATE events SET kind = 'page' WHERE kind IS NULL;\n"
        ),
        "migrations/0002_kind.down.sql": "ALTER TABLE events DROP COLUMN kind;\n",
    }
    base = {
        "migrations/0001_events.up.sql": "CREATE TABLE events (id bigint);\n",
        "migrations/0001_events.down.sql": "DROP TABLE events;\n",
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/backfill-in-migration")


def test_a_compose_file_below_the_root_provides_nothing(attack: AttackFactory) -> None:
    # the shipped stack is the root compose file; a test stack sets what its tests need
    head = {
        "app/settings.py": "import os\nKEY = os.environ['BILLING_API_KEY']\n",
        "tests/e2e/docker-compose.yml": (
            "services:\n  app:\n    environment:\n      - BILLING_API_KEY=test-key\n"
        ),
    }
    assert_blocked(attack(ENV, {"README.md": "x\n"}, head).judge(), "env-vars/undocumented")


def test_bringing_django_safemigrate_in_does_not_relax_the_prs_own_drop(
    attack: AttackFactory,
) -> None:
    # the marker counts only where the base already used the tool
    base = {
        "projects/models.py": "class Project:\n    legacy = 1\n    name = 2\n",
        "projects/migrations/0001_initial.py": (
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
            "    operations = []\n"
        ),
    }
    head = {
        "requirements.txt": "django-safemigrate==5.1\n",
        "projects/models.py": "class Project:\n    name = 2\n",
        "projects/migrations/0002_drop_legacy.py": (
            "from django.db import migrations\nfrom django_safemigrate import Safe\n\n\n"
            "class Migration(migrations.Migration):\n    safe = Safe.after_deploy()\n"
            "    dependencies = [('projects', '0001_initial')]\n"
            "    operations = [migrations.RemoveField(model_name='project', name='legacy')]\n"
        ),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-column")


def test_a_subquery_where_does_not_bound_a_whole_table_backfill(attack: AttackFactory) -> None:
    # the statement's own WHERE is what bounds it; one inside its subquery bounds nothing
    head = {
        "migrations/0002_kind.up.sql": (
            "ALTER TABLE events ADD COLUMN kind text;\n"
            "UPDATE events SET kind = (SELECT name FROM kinds WHERE kinds.id = events.kind_id);\n"
        ),
        "migrations/0002_kind.down.sql": "ALTER TABLE events DROP COLUMN kind;\n",
    }
    base = {
        "migrations/0001_events.up.sql": "CREATE TABLE events (id bigint, kind_id int);\n",
        "migrations/0001_events.down.sql": "DROP TABLE events;\n",
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/backfill-in-migration")


XORM_STEP = """package migrations

import (
\t"context"

\t"xorm.io/xorm"
)

func splitLegalMenu(ctx context.Context, x *xorm.Engine) error {
\t_, err := x.Context(ctx).Insert(&SiteInfo{Type: "legal", Content: "{}"})
\treturn err
}
"""
XORM_NEXT = """package migrations

import (
\t"context"

\t"xorm.io/xorm"
)

// LegalLocked is taken care of here
func addNothing(ctx context.Context, x *xorm.Engine) error {
\treturn nil
}
"""


def test_a_do_nothing_xorm_step_naming_the_edit_in_a_comment_relieves_nothing(
    attack: AttackFactory,
) -> None:
    # editing a shipped step blocks; a new step may relieve it only by what its code does
    edited = XORM_STEP.replace('Content: "{}"}', 'Content: "{}", LegalLocked: true}')
    case = attack(
        MIGRATIONS,
        {"internal/migrations/v1.go": XORM_STEP},
        {"internal/migrations/v1.go": edited, "internal/migrations/v2.go": XORM_NEXT},
    )
    case.repo.git("tag", "v1.0.0", case.base)
    assert_blocked(case.judge(), "migrations/history-rewritten")
