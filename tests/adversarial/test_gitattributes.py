"""The PR's ``.gitattributes`` cannot change how the gate reads the diff.

``binary``, ``-diff``, a ``diff=`` driver with a textconv or an external command, ``eol``
and encoding conversions, written by the head commit (or sitting in the runner's global,
system or ``info/attributes`` files): every changed file is still read by its content, and
the verdict stays blocked by the rule the payload breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.conftest import Attack, AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nextends: [strict]\n"
CLEAN = "def add(a, b):\n    return a + b\n"
# assembled at run time, so no file of this repository holds a whole token
TOKEN = "ghp_" + "Q7xL4pZ8wR1mK2nB5vC9dF3gH6jT0y1rOsGK"
PAYLOAD = (
    "import os\nimport subprocess\n\n\n"
    "def run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n\n"
    f'GITHUB = "{TOKEN}"\nURL = os.environ["PAYMENTS_WEBHOOK_URL"]\n'
)
#: what the payload must still trip, whatever the attributes say
PAYLOAD_RULES = ("security/bandit-b602", "security/secret-github-token", "env-vars/undocumented")


def _attack(attack: AttackFactory, head: dict[str, str | bytes | None]) -> Attack:
    return attack(POLICY, {"src/app.py": CLEAN}, {"src/app.py": CLEAN + PAYLOAD, **head})


@pytest.mark.parametrize(
    "attributes",
    [
        "*.py binary\n",
        "src/app.py -diff\n",
        "* -diff -text\n",
        "*.py diff=python text eol=crlf\n",
        "*.py linguist-generated=true linguist-vendored=true -merge\n",
    ],
    ids=["binary", "minus-diff", "everything-minus-diff", "eol", "linguist"],
)
def test_attributes_the_pr_adds_leave_the_payload_blocked(
    attack: AttackFactory, attributes: str
) -> None:
    case = _attack(attack, {".gitattributes": attributes})
    assert_blocked(case.judge(), *PAYLOAD_RULES)


def test_a_working_tree_encoding_the_pr_sets_does_not_hide_the_file(
    attack: AttackFactory,
) -> None:
    # on disk UTF-16 (NUL bytes everywhere), in the commit UTF-8: the gate reads the commit
    case = attack(
        POLICY,
        {"src/app.py": CLEAN},
        {
            ".gitattributes": "*.py working-tree-encoding=UTF-16LE\n",
            "src/app.py": (CLEAN + PAYLOAD).encode("utf-16-le"),
        },
    )
    assert_blocked(case.judge(), *PAYLOAD_RULES)


def test_a_nested_gitattributes_is_ignored_too(attack: AttackFactory) -> None:
    case = _attack(attack, {"src/.gitattributes": "app.py binary\n"})
    assert_blocked(case.judge(), *PAYLOAD_RULES)


@pytest.mark.parametrize(
    ("driver", "config"),
    [
        ("hide", ("diff.hide.textconv", "true")),  # the file would read as empty
        ("ext", ("diff.ext.command", "true")),  # an external diff that prints nothing
        ("bin", ("diff.bin.binary", "true")),  # a driver that calls the file binary
    ],
)
def test_a_diff_driver_named_by_the_pr_is_not_used(
    attack: AttackFactory, driver: str, config: tuple[str, str]
) -> None:
    case = _attack(attack, {".gitattributes": f"*.py diff={driver}\n"})
    case.repo.git("config", *config)  # a driver the runner happens to define
    assert_blocked(case.judge(), *PAYLOAD_RULES)


def test_global_and_system_attribute_files_do_not_apply(
    attack: AttackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "git").mkdir(parents=True)
    (xdg / "git" / "attributes").write_text("*.py binary\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    case = _attack(attack, {})
    assert_blocked(case.judge(), *PAYLOAD_RULES)


def test_info_attributes_cannot_hide_lines_either(attack: AttackFactory) -> None:
    # $GIT_DIR/info/attributes is the runner's, and git 2.39 always reads it: the content
    # check catches the "binary" text file and counts every line of it as added
    case = _attack(attack, {})
    info = case.repo.root / ".git" / "info"
    info.mkdir(exist_ok=True)
    (info / "attributes").write_text("*.py -diff\n")
    assert_blocked(case.judge(), *PAYLOAD_RULES)


def test_worktree_mode_reads_the_files_on_disk_by_content(attack: AttackFactory) -> None:
    case = attack(POLICY, {"src/app.py": CLEAN}, {})
    case.repo.write({".gitattributes": "*.py binary\n", "src/app.py": CLEAN + PAYLOAD})
    assert_blocked(case.judge(mode="worktree", head=None), *PAYLOAD_RULES)


def test_index_mode_reads_the_staged_files_by_content(attack: AttackFactory) -> None:
    case = attack(POLICY, {"src/app.py": CLEAN}, {})
    case.repo.write({".gitattributes": "*.py -diff\n", "src/app.py": CLEAN + PAYLOAD})
    case.repo.git("add", "-A")
    assert_blocked(case.judge(mode="index", head=None), *PAYLOAD_RULES)


# --- what must not block ------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4


def test_a_plain_binary_image_is_not_scanned_as_code(attack: AttackFactory) -> None:
    case = attack(
        POLICY,
        {"src/app.py": CLEAN, ".gitattributes": "*.png binary\n"},
        {"assets/logo.png": PNG, "src/app.py": CLEAN + "\n\ndef sub(a, b):\n    return a - b\n"},
    )
    verdict = case.judge()
    assert verdict.met, blocking_rules(verdict)
    assert not [r for r in verdict.results if "not-scanned" in r.finding.rule]


def test_a_base_minus_diff_on_minified_code_is_read_line_by_line(attack: AttackFactory) -> None:
    bundle = "".join(f"var a{i}=function(){{return {i}}};\n" for i in range(40))
    case = attack(
        POLICY,
        {".gitattributes": "*.min.js -diff\n", "web/app.min.js": bundle},
        {"web/app.min.js": bundle + "var late=function(){return 41};\n"},
    )
    verdict = case.judge()
    assert verdict.met, blocking_rules(verdict)
    from gatekeeper.changes.build import changeset_from_git

    with changeset_from_git(case.repo.root, case.base, case.head) as changes:
        assert changes.added_lines("web/app.min.js") == {41}  # only the new line, by content


def test_an_attribute_source_in_the_runner_environment_is_not_used(
    attack: AttackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _attack(attack, {".gitattributes": "*.py binary\n"})
    # git 2.40+ would read attributes from this tree: the PR's head
    monkeypatch.setenv("GIT_ATTR_SOURCE", case.head)
    assert_blocked(case.judge(), *PAYLOAD_RULES)
