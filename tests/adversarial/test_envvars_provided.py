"""Attacks on the env-vars check's notion of a variable the repository provides itself
(provided.py) or a platform sets (platforms.py): a PR that starts reading a real setting
and dresses it up as plumbing must still be blocked for the missing documentation."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
READ = "import os\nKEY = os.environ['PAYMENT_API_KEY']\n"
JS_READ = "export const key = process.env.PAYMENT_API_KEY;\n"
GO_READ = 'package pay\nimport "os"\nfunc key() string { return os.Getenv("PAYMENT_API_KEY") }\n'

#: each "sets" the variable only from the user's own setting, in a test, or to nothing
ATTACKS = {
    "own-read-written-back": {
        "app/pay.py": READ,
        "app/boot.py": "import os\n"
        "os.environ['PAYMENT_API_KEY'] = os.environ.get('PAYMENT_API_KEY', '')\n",
    },
    "own-read-through-a-local": {
        "app/pay.py": READ,
        "app/boot.py": "import os, subprocess\nk = os.getenv('PAYMENT_API_KEY')\n"
        "stripped = k.strip()\nchild_env = {'PAYMENT_API_KEY': stripped}\n"
        "subprocess.run(['w'], env=child_env)\n",
    },
    "set-in-a-conftest": {
        "app/pay.py": READ,
        "conftest.py": "import os\nos.environ.setdefault('PAYMENT_API_KEY', 'sk_test_123')\n",
    },
    "set-in-a-test-module": {
        "app/pay.py": READ,
        "app/tests/test_pay.py": "import os\nos.environ['PAYMENT_API_KEY'] = 'sk_test_123'\n",
    },
    "empty-default": {
        "app/pay.py": READ,
        "app/boot.py": "import os\nos.environ.setdefault('PAYMENT_API_KEY', '')\n",
    },
    "template-passes-it-through": {
        "app/pay.py": READ,
        "deploy/templates/app/env.jinja": "PAYMENT_API_KEY=${PAYMENT_API_KEY}\n",
    },
    "js-writes-its-own-read-back": {
        "web/pay.ts": JS_READ,
        "web/boot.ts": "process.env.PAYMENT_API_KEY = process.env.PAYMENT_API_KEY || '';\n",
    },
    "js-test-sets-it": {
        "web/pay.ts": JS_READ,
        "web/pay.test.ts": "process.env.PAYMENT_API_KEY = 'sk_test_123';\n",
    },
    "go-writes-its-own-read-back": {
        "pay/key.go": GO_READ,
        "pay/boot.go": 'package pay\nimport "os"\nfunc init() {\n'
        '\tv := os.Getenv("PAYMENT_API_KEY")\n\tos.Setenv("PAYMENT_API_KEY", v)\n}\n',
    },
    "go-test-sets-it": {
        "pay/key.go": GO_READ,
        "pay/key_test.go": 'package pay\nimport "os"\n'
        'func init() { os.Setenv("PAYMENT_API_KEY", "x") }\n',
    },
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_setting_dressed_up_as_plumbing_is_still_undocumented(
    attack: AttackFactory, name: str
) -> None:
    verdict = attack(POLICY, {"README.md": "x\n"}, ATTACKS[name]).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "PAYMENT_API_KEY is read here" in text_of(verdict)
    assert "PAYMENT_API_KEY is set by the repository itself" not in text_of(verdict)


def test_a_platform_prefix_does_not_excuse_an_applications_own_token(
    attack: AttackFactory,
) -> None:
    """Vercel, Heroku, Fly and Bitbucket set some VERCEL_*... names; the token an
    application uses for their API is its own setting and needs documentation."""
    head = {
        "app/deploy.py": "import os\nA = os.environ['VERCEL_API_TOKEN']\n"
        "B = os.environ['HEROKU_API_KEY']\nC = os.environ['FLY_API_TOKEN']\n"
        "D = os.environ['BITBUCKET_APP_PASSWORD']\n",
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    text = text_of(verdict)
    for name in ("VERCEL_API_TOKEN", "HEROKU_API_KEY", "FLY_API_TOKEN", "BITBUCKET_APP_PASSWORD"):
        assert f"{name} is read here" in text


def test_a_real_setter_passes_and_is_named_in_the_details(attack: AttackFactory) -> None:
    """The control: the same read, set by shipped code for the process it starts, passes,
    and the details say where it is set so a reviewer can judge it."""
    head = {
        "app/pay.py": READ,
        "app/worker.py": "import os, subprocess\ndef start(run):\n"
        "    subprocess.run(['w'], env={**os.environ, 'PAYMENT_API_KEY': run.key})\n",
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert verdict.met, text_of(verdict)
    assert "PAYMENT_API_KEY is set by the repository itself (app/worker.py:3" in text_of(verdict)


def test_codespaces_names_do_not_excuse_look_alike_settings(attack: AttackFactory) -> None:
    """GitHub Codespaces sets CODESPACE_NAME; a PR reading its own CODESPACE_API_TOKEN or
    CODESPACE_SECRET_KEY beside it still needs documentation for those."""
    head = {
        "config/initializers/dev.rb": "HOST = ENV['CODESPACE_NAME']\n"
        "TOKEN = ENV['CODESPACE_API_TOKEN']\nKEY = ENV['CODESPACE_SECRET_KEY']\n",
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    text = text_of(verdict)
    assert "CODESPACE_API_TOKEN is read here" in text
    assert "CODESPACE_SECRET_KEY is read here" in text
    assert "CODESPACE_NAME is read here" not in text
