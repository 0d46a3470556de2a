"""An edit of a merged Rails migration dressed as a RuboCop reformat (railsedits.py reads
``limit:`` as ``limit: limit``, ``'x'`` as ``"x"`` and ``/x/`` as ``"x"``) still blocks
when what runs changes behind the new spelling."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
PATH = "db/migrate/20191119020643_upgrade_cms.rb"


def _migration(body: str) -> str:
    return f"class UpgradeCms < ActiveRecord::Migration[5.2]\n  def change\n{body}  end\nend\n"


MERGED = _migration(
    "    limit = 16_777_215\n    add_column :pages, :content, :text, limit: limit\n"
    "    execute('UPDATE pages SET kind = ' + 'cms:text')\n"
)
RULE = "migrations/history-rewritten"


def test_a_shorthand_over_a_changed_local_is_a_rewrite(attack: AttackFactory) -> None:
    head = {
        PATH: _migration(
            "    limit = 255\n    add_column(:pages, :content, :text, limit:)\n"
            '    execute("UPDATE pages SET kind = " + "cms:text")\n'
        )
    }
    assert_blocked(attack(POLICY, {PATH: MERGED}, head).judge(), RULE)


def test_an_interpolation_in_the_new_quotes_is_a_rewrite(attack: AttackFactory) -> None:
    head = {
        PATH: _migration(
            "    limit = 16_777_215\n    add_column(:pages, :content, :text, limit:)\n"
            '    execute("UPDATE pages SET kind = " + "#{ENV.fetch(\'KIND\')}")\n'
        )
    }
    assert_blocked(attack(POLICY, {PATH: MERGED}, head).judge(), RULE)


def test_control_the_reformat_alone_does_not_block(attack: AttackFactory) -> None:
    head = {
        PATH: _migration(
            "    limit = 16_777_215\n    add_column(:pages, :content, :text, limit:)\n"
            '    execute("UPDATE pages SET kind = " + "cms:text")\n'
        )
    }
    assert RULE not in blocking_rules(attack(POLICY, {PATH: MERGED}, head).judge())
