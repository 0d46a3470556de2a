"""Attacks on round 25's changes for a Rust workspace (AppFlowy-Cloud): reads through
helpers, a root ``deploy.env`` the docs name read as documentation, an env file committed
at base judged by the values a PR adds, and PostgreSQL triggers split where they end.

Each relaxation lets something pass that used to block, and each case shows a pull
request cannot use it to carry an undocumented variable, a committed credential or an
unsafe migration past the gate. The strengthening (reads through helpers) blocked nothing
before: its cases fail on the code before this round.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
SECURITY = "version: 1\nchecks:\n  security: {bandit: false, dependencies: false}\n"
MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
CRATE = {"Cargo.toml": '[workspace]\nmembers = ["libs/infra", "services/worker"]\n'}


def test_a_setting_read_through_a_shared_crates_helper_is_a_read(attack: AttackFactory) -> None:
    # the helper lives in libs/infra, out of the diff; before, the gate saw no read at all
    base = {**CRATE, "README.md": "x\n"}
    head = {
        **base,
        "services/worker/src/config.rs": (
            "use infra::env_util::get_env_var;\n"
            "pub fn limit() -> u64 {\n"
            '    get_env_var("WORKER_MAX_IMPORT_FILE_SIZE", "1000").parse().unwrap()\n'
            "}\n"
        ),
    }
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_helper_named_for_nothing_still_reads_what_it_passes_on(attack: AttackFactory) -> None:
    # no "env" in its name: the file's own helper is known by what its body does
    base = {**CRATE, "README.md": "x\n"}
    head = {
        **base,
        "services/worker/src/keys.rs": (
            "fn setting(key: &str) -> String { std::env::var(key).unwrap_or_default() }\n"
            'pub fn azure_key() -> String { setting("AZURE_OPENAI_API_KEY") }\n'
        ),
    }
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_root_env_file_no_document_names_documents_nothing(attack: AttackFactory) -> None:
    # a stray prod.env (or a committed .env) is no template; a mention in code is no doc
    base = {**CRATE, "README.md": "Copy `.env` and edit it.\n"}
    head = {
        **base,
        "prod.env": "AZURE_OPENAI_API_KEY=\n",
        ".env": "AZURE_OPENAI_API_KEY=\n",
        "services/worker/src/keys.rs": (
            "// the values live in prod.env\n"
            'pub fn key() -> String { std::env::var("AZURE_OPENAI_API_KEY").unwrap() }\n'
        ),
    }
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_password_added_to_a_long_standing_env_template_still_blocks(
    attack: AttackFactory,
) -> None:
    base = {"deploy.env": "SMTP_HOST=smtp.example.com\nSMTP_PASSWORD=email_sender_password\n"}
    head = {"deploy.env": base["deploy.env"] + "SMTP_TLS_KIND=wrapper\nSMTP_PASS2=hunter\n"}
    assert_blocked(attack(SECURITY, base, head).judge(), "security/env-file-committed")


def test_a_random_word_under_a_plain_name_still_blocks(attack: AttackFactory) -> None:
    # lower-case letters only, but as random as a generated key: no option's choice
    base = {"deploy.env": "SMTP_HOST=smtp.example.com\n"}
    head = {"deploy.env": base["deploy.env"] + "APP_SEED=qwhxzkvbnmrtplsd\n"}
    assert_blocked(attack(SECURITY, base, head).judge(), "security/env-file-committed")


def test_a_newly_committed_env_file_of_plain_words_still_blocks(attack: AttackFactory) -> None:
    head = {"deploy.env": "SMTP_TLS_KIND=wrapper\nRUST_LOG=info\n"}
    assert_blocked(
        attack(SECURITY, {"README.md": "x\n"}, head).judge(), "security/env-file-committed"
    )


SQLX = {
    "Cargo.toml": (
        '[package]\nname = "server"\n\n[dependencies]\n'
        'sqlx = { version = "0.8", features = ["postgres", "runtime-tokio"] }\n'
    ),
    "src/lib.rs": 'sqlx::migrate!("./migrations").run(&pool).await?;\n',
    "src/user.rs": "pub struct User { pub email: String, pub verified_at: i64 }\n",
    "migrations/20240101000000_users.sql": (
        "create table users (id bigint primary key, email text, verified_at timestamp);\n"
    ),
}
TRIGGERED = (
    "create table names (name text primary key);\n"
    "create trigger stamp before update on names\nfor each row\nexecute function stamp();\n"
    "insert into names (name)\nselect email from users;\n"
)
PATH = "migrations/20240202000000_names.sql"


def test_a_drop_added_after_a_trigger_of_a_merged_migration_blocks(
    attack: AttackFactory,
) -> None:
    # two steps: the migration merged benign, then an edit appends the drop after the
    # trigger, which no longer swallows what follows it
    base = {**SQLX, PATH: TRIGGERED}
    head = {**base, PATH: TRIGGERED + "alter table users drop column verified_at;\n"}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-column")


def test_an_edit_turning_an_untouched_statement_into_a_drop_blocks(
    attack: AttackFactory,
) -> None:
    # only the second line of a statement is changed: the statement is judged whole
    before = TRIGGERED + "alter table users\n  add column nickname text;\n"
    base = {**SQLX, PATH: before}
    head = {**base, PATH: before.replace("add column nickname text", "drop column verified_at")}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-column")
