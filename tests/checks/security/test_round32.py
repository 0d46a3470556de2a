"""Round 32's security false blocks, each with a case that fires and one that must not:
bandit findings matched on the flagged node (a reformatted line keeps its old finding;
a new copy, or one moved in from another file, is still new), a tokenizer's name that
holds the word "token" without naming a secret, and a note in angle brackets left in an
env template instead of a key."""

from __future__ import annotations

from gatekeeper.model import Level

from .helpers import rules, run_part, where

API_BASE = (
    "import os\n\nimport uvicorn\n\n\ndef serve(app):\n    uvicorn.run(\n        app,\n"
    '        host=os.getenv("HTTP_API_HOST", "0.0.0.0"),\n'
    '        port=int(os.getenv("HTTP_API_PORT", 8000)),\n    )\n'
)
# cognee 82e35374d0: the same call, its arguments joined onto one line
API_JOINED = (
    "import os\n\nimport uvicorn\n\n\ndef serve(app):\n    uvicorn.run(\n        app,\n"
    '        host=os.getenv("HTTP_API_HOST", "0.0.0.0"), '
    'port=int(os.getenv("HTTP_API_PORT", 8000))\n'
    "    )\n"
)


def test_a_finding_on_a_rewrapped_line_is_not_new() -> None:
    assert run_part("bandit", {"api/client.py": API_BASE}, {"api/client.py": API_JOINED}) == []


def test_a_second_copy_on_a_rewrapped_line_is_still_new() -> None:
    head = API_JOINED.replace(
        "    )\n", '    )\n\n\ndef admin(app):\n    uvicorn.run(app, host="0.0.0.0")\n'
    )
    found = run_part("bandit", {"api/client.py": API_BASE}, {"api/client.py": head})
    assert rules(found) == ["bandit-b104"] and where(found) == [("api/client.py", 14)]


def test_a_finding_moved_in_from_another_file_is_new_there() -> None:
    # the old one leaves other.py in the same change: it does not cancel the new one
    other = 'HOST = "0.0.0.0"\n'
    base = {"api/client.py": "X = 1\n", "api/other.py": other}
    head = {"api/client.py": 'X = 1\nBIND = "0.0.0.0"\n', "api/other.py": "HOST = None\n"}
    assert rules(run_part("bandit", base, head)) == ["bandit-b104"]


def _secrets(text: str) -> list[str]:
    return rules(run_part("secrets", {"README.md": "x\n"}, {".env.template": text}))


def test_a_tokenizers_model_name_is_no_secret() -> None:
    assert _secrets('HUGGINGFACE_TOKENIZER="Salesforce/SFR-Embedding-Mistral"\n') == []


def test_a_token_under_a_name_that_also_says_tokenizer_is_still_a_secret() -> None:
    assert _secrets('TOKENIZER_API_TOKEN="q8Zt3LxV9mKp2RwN7cYb4HfJ"\n') == ["secret-high-entropy"]


def test_a_note_in_angle_brackets_is_no_secret() -> None:
    assert _secrets('LLM_API_KEY="<<go-get-one-yourself"\n') == []


def test_a_random_value_behind_angle_brackets_is_still_a_secret() -> None:
    assert _secrets('LLM_API_KEY="<<q8Zt3LxV9mKp2RwN7cYb4HfJ"\n') == ["secret-high-entropy"]


KUZU = (
    "class RemoteKuzuAdapter(KuzuAdapter):\n    def __init__(self, url):\n"
    '        super().__init__("/tmp/kuzu_remote")\n        self.url = url\n'
)


def test_a_fixed_temporary_path_warns_under_the_default() -> None:
    # cognee 4eb71ccaf4: a dummy path handed to a parent class that never opens it
    (found,) = run_part("bandit", {}, {"adapter.py": KUZU})
    assert found.rule == "bandit-b108" and found.level is Level.WARNING
    assert "checks.security.bandit.tmp_paths" in found.message


def test_a_fixed_temporary_path_blocks_when_the_policy_says_so() -> None:
    (found,) = run_part("bandit", {}, {"adapter.py": KUZU}, {"tmp_paths": False})
    assert found.rule == "bandit-b108" and found.level is Level.ERROR
