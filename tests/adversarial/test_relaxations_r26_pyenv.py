"""Attacks on round 26's families of names with a literal start only (``TA_MIG_SKIP_`` +
a computed version): read in Python, JavaScript and Go, documented by the family written
with a placeholder (``TA_MIG_SKIP_<version>``, ``TA_MIG_SKIP_*``) or by an example.

Also, a Rust macro that reads each setting it declares from the variable of its
upper-cased name (vaultwarden's ``make_config!``) makes each entry a read.

The one relaxation is on the documentation's side: a document may now write such a family
with its placeholder last. Each case shows a pull request cannot use it, nor the limits of
what counts as a family, to carry an undocumented variable past the gate. The
strengthenings (a family read, a name assembled by ``.format`` or ``%``, a macro's
setting) blocked nothing before: their cases fail on the code before this round.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
BASE = {"README.md": "x\n"}


def test_a_name_assembled_by_format_or_percent_is_still_read(attack: AttackFactory) -> None:
    # before, both were names computed at run time: a note nobody reads
    head = {
        "app/settings.py": (
            "import os\n"
            "TOKEN = os.environ['X_{}'.format('SECRET_TOKEN')]\n"
            "HOOK = os.getenv('X_%s' % 'WEBHOOK_URL')\n"
        )
    }
    verdict = attack(ENV, BASE, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "X_SECRET_TOKEN" in text_of(verdict) and "X_WEBHOOK_URL" in text_of(verdict)


def test_a_family_of_settings_cannot_hide_behind_a_local_variable(attack: AttackFactory) -> None:
    head = {
        "app/startup.py": (
            "import os\n"
            "def skip(version):\n"
            "    name = 'RELEASE_SKIP_%s' % version.upper()\n"
            "    return bool(os.environ.get(name))\n"
            "SKIP = skip(read_version())\n"
        )
    }
    assert_blocked(attack(ENV, BASE, head).judge(), "env-vars/undocumented")


def test_a_one_letter_prefix_is_still_reported(attack: AttackFactory) -> None:
    # too generic to judge as a family, but never silently accepted: the note names the read
    head = {"app/pick.py": "import os\nVALUE = os.environ.get(f'X_{key}')\n"}
    verdict = attack(ENV, BASE, head).judge()
    assert blocking_rules(verdict) == []
    assert any(r.finding.rule == "dynamic-name" for o in verdict.outcomes for r in o.results)


def test_a_prefix_family_in_the_docs_does_not_document_plain_names(
    attack: AttackFactory,
) -> None:
    # the docs describe one family; the PR reads a literal name that only starts the same
    base = {"docs/flags.md": "Each flag reads `FEATURE_FLAG_<NAME>`.\n"}
    head = {**base, "app/flags.py": "import os\nKEY = os.environ['FEATURE_FLAG_SIGNING_KEY']\n"}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_longer_family_in_the_docs_does_not_cover_a_shorter_one(attack: AttackFactory) -> None:
    base = {"docs/upgrade.md": "Set `TA_MIG_SKIP_<version>` to skip a version's migrations.\n"}
    head = {**base, "app/startup.py": "import os\nRUN = os.environ.get(f'TA_MIG_{step}')\n"}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_the_prefix_alone_as_a_name_does_not_document_the_family(attack: AttackFactory) -> None:
    # TA_MIG_SKIP and TA_MIG_SKIPPED are names of their own, no example of TA_MIG_SKIP_*
    base = {".env.example": "TA_MIG_SKIP=1\nTA_MIG_SKIPPED=0\n"}
    head = {**base, "app/startup.py": "import os\nS = os.environ.get('TA_MIG_SKIP_' + v)\n"}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_one_word_family_in_the_docs_documents_nothing(attack: AttackFactory) -> None:
    # ``APP_*`` would cover every setting of the application
    base = {"docs/config.md": "All `APP_*` variables are passed to the worker.\n"}
    head = {**base, "app/settings.py": "import os\nKEY = os.environ['APP_SIGNING_KEY']\n"}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


SETTINGS_MACRO = (
    "macro_rules! make_config {\n"
    "    ($( $name:ident : $ty:ident, $default:expr; )+) => {\n"
    "        $( let $name = get_env(pastey::paste!(stringify!([<$name:upper>]))); )+\n"
    "    };\n"
    "}\n"
)


def test_a_setting_declared_in_a_settings_macro_is_a_read(attack: AttackFactory) -> None:
    # before, an entry of vaultwarden's make_config! read nothing the gate saw
    base = {
        ".env.template": "# DATA_FOLDER=data\n",
        "src/config.rs": f"{SETTINGS_MACRO}make_config! {{\n    data_folder: String, 1;\n}}\n",
    }
    head = {
        **base,
        "src/config.rs": (
            f"{SETTINGS_MACRO}make_config! {{\n"
            "    data_folder: String, 1;\n"
            "    admin_token: String, 2;\n"
            "}\n"
        ),
    }
    verdict = attack(ENV, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "ADMIN_TOKEN" in text_of(verdict)
