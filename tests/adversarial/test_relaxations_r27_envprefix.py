"""Attacks on round 27's relaxations of the env-vars check for two config libraries.

django-environ: ``env.prefix = "OPENCVE_"`` on an ``Env`` makes ``env.str("X")`` read
``OPENCVE_X`` (opencve), so the prefixed name documents the read. Only that instance
attribute is a prefix: a class attribute is reset by ``Env.__init__``, a keyword of
``Env(...)`` is a casting scheme, a prefix on another library's object or one computed at
run time changes nothing, so documenting the prefixed name documents none of these.

viper: a YAML config sample documents a key it shows commented out, nested by its column
(openmeter's ``# featureSwitches:`` / ``#   maxLinesPerCollectedInvoice: 0`` under
``billing:``). The same leaf under another mapping, text of a block scalar, a sample that
does not parse, or a YAML file that is no sample documents nothing.

The code before this round blocked every case here but the keyword one (it took
``Env(prefix=...)`` for a prefix, as environs's is) and blocked the honest control too;
the cases that pass now and failed before are in tests/checks/envvars (cases.yml,
test_viper_keys.py).
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
DOC = {".env.example": "APP_WEB_URL=https://example.org\n"}


@pytest.mark.parametrize(
    "settings",
    [
        "import environ\nenviron.Env.prefix = 'APP_'\nenv = environ.Env()\n"
        "U = env.str('WEB_URL')\n",
        "import environ\nenv = environ.Env(prefix='APP_')\nU = env.str('WEB_URL')\n",
        "import environ\nimport os\nenv = environ.Env()\nenv.prefix = os.environ['P']\n"
        "U = env.str('WEB_URL')\n",
        "import environ\nfrom environs import Env\nenv = Env()\nenv.prefix = 'APP_'\n"
        "U = env.str('WEB_URL')\n",
        "import environ\nenv = environ.Env()\nother = environ.Env()\nother.prefix = 'APP_'\n"
        "U = env.str('WEB_URL')\n",
    ],
    ids=["class-attribute", "keyword", "computed", "environs-object", "another-object"],
)
def test_a_prefix_django_environ_does_not_apply_documents_nothing(
    attack: AttackFactory, settings: str
) -> None:
    verdict = attack(POLICY, {"README.md": "x\n"}, {"settings.py": settings, **DOC}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "WEB_URL" in text_of(verdict)


SETUP = (
    'package config\n\nimport (\n\t"strings"\n\n\t"github.com/spf13/viper"\n)\n\n'
    'func Init() {{\n\tviper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))\n'
    "\tviper.AutomaticEnv()\n{new}}}\n"
)
NEW = '\tviper.SetDefault("billing.switches.maxLines", 0)\n'


@pytest.mark.parametrize(
    ("where", "sample"),
    [
        ("config.example.yaml", "billing:\n  a: 1\nother:\n  # switches:\n  #   maxLines: 0\n"),
        ("config.example.yaml", "billing:\n  # switches:\n  #   limits:\n  #     maxLines: 0\n"),
        ("config.example.yaml", "billing:\n  notes: |\n    # switches:\n    #   maxLines: 0\n"),
        ("config.example.yaml", "billing:\n  # switches:\n  #   maxLines: 0\n  bad: [\n"),
        ("deploy/values.yaml", "billing:\n  # switches:\n  #   maxLines: 0\n"),
        ("tests/config.example.yaml", "billing:\n  # switches:\n  #   maxLines: 0\n"),
    ],
    ids=["other-parent", "deeper", "block-scalar", "malformed", "not-a-sample", "tests"],
)
def test_a_commented_out_key_elsewhere_documents_nothing(
    attack: AttackFactory, where: str, sample: str
) -> None:
    base = {"pkg/config/config.go": SETUP.format(new=""), "README.md": "x\n"}
    head = {"pkg/config/config.go": SETUP.format(new=NEW), where: sample}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "BILLING_SWITCHES_MAXLINES" in text_of(verdict)


def test_the_honest_commented_out_key_passes(attack: AttackFactory) -> None:
    # the control: the attacks above fail for their own reason, not the setup's
    base = {"pkg/config/config.go": SETUP.format(new=""), "README.md": "x\n"}
    sample = "billing:\n  a: 1\n  # switches:\n  #   # how many\n  #   maxLines: 0\n"
    head = {"pkg/config/config.go": SETUP.format(new=NEW), "config.example.yaml": sample}
    assert "BILLING_SWITCHES_MAXLINES" not in text_of(attack(POLICY, base, head).judge())
