"""What the scanners could not read cannot pass.

A coding line is decoded the way Python decodes it, large files are scanned, a symlink is
read as the file it leads to inside the repository and blocks when it leads outside, a
file nothing can read blocks under every preset with a message that names it and says
what to do, and a new submodule is at least a warning naming it.
"""

from __future__ import annotations

import os

import pytest

from tests.adversarial.conftest import Attack, AttackFactory, assert_blocked, blocking_rules

STRICT = "version: 1\nextends: [strict]\n"
BASE = {"src/app.py": "def add(a, b):\n    return a + b\n"}
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
TOKEN = "ghp_" + "Hn4Rt7Yb2Kx9Pw5Lm8Qz3Vc6Sd1Fg01zZxnw"  # assembled: no whole token in the repo


def _message(verdict: object, rule: str) -> str:
    results = [r for r in verdict.results if r.finding.qualified_rule == rule]  # type: ignore[attr-defined]
    assert results, f"no {rule} finding"
    return str(results[0].finding.message)


def _with_link(
    attack: AttackFactory, files: dict[str, str | bytes], links: dict[str, str]
) -> Attack:
    """Base BASE, head ``files`` plus symlinks ``links`` (path -> target), committed."""
    case = attack(STRICT, BASE, files)
    for path, target in links.items():
        full = case.repo.root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, full)
    case.head = case.repo.commit({}, "the links")
    return case


def test_a_coding_line_and_one_latin1_byte_do_not_hide_the_code(attack: AttackFactory) -> None:
    code = b"# -*- coding: latin-1 -*-\n# r\xe9sum\xe9 of the report\n" + SHELL.encode()
    verdict = attack(STRICT, BASE, {"src/report.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b602")


def test_a_cp037_coding_line_does_not_hide_an_ascii_token(attack: AttackFactory) -> None:
    # Python would decode the rest as EBCDIC; the token is committed byte for byte all the same
    data = b"# coding: cp037\n\xff\n" + f'TOKEN = "{TOKEN}"\n'.encode()
    verdict = attack(STRICT, BASE, {"src/vault.py": data}).judge()
    assert_blocked(verdict, "security/secret-github-token")


def test_code_moved_to_a_script_without_extension_is_still_scanned(
    attack: AttackFactory,
) -> None:
    verdict = attack(STRICT, BASE, {"bin/deploy": "#!/usr/bin/env python3\n" + SHELL}).judge()
    assert_blocked(verdict, "security/bandit-b602")


@pytest.mark.parametrize("preset", ["recommended", "strict", "agents"])
def test_python_nothing_can_decode_blocks_under_every_preset(
    attack: AttackFactory, preset: str
) -> None:
    code = b"# r\xe9sum\xe9, no coding line\n" + SHELL.encode()
    policy = f"version: 1\nextends: [{preset}]\n"
    verdict = attack(policy, BASE, {"src/report.py": code}).judge()
    assert_blocked(verdict, "security/python-not-scanned")
    message = _message(verdict, "security/python-not-scanned")
    assert "src/report.py" in message and "coding line" in message


def test_a_python_file_over_the_old_limit_is_scanned(attack: AttackFactory) -> None:
    filler = "".join(f"VALUE_{i} = {i}\n" for i in range(70_000))  # about 1.2 MB
    verdict = attack(STRICT, BASE, {"src/big.py": SHELL + filler}).judge()
    assert_blocked(verdict, "security/bandit-b602")


def test_a_python_file_over_what_the_gate_reads_blocks(attack: AttackFactory) -> None:
    filler = "# " + "x" * 1000 + "\n"
    huge = SHELL + filler * 10_600  # just over 10 MB
    verdict = attack(STRICT, BASE, {"src/huge.py": huge}).judge()
    assert_blocked(verdict, "security/python-not-scanned", "security/secrets-not-scanned")
    assert "src/huge.py" in _message(verdict, "security/python-not-scanned")


def test_a_binary_python_file_blocks(attack: AttackFactory) -> None:
    verdict = attack(STRICT, BASE, {"src/blob.py": b"\0\0" + SHELL.encode()}).judge()
    assert_blocked(verdict, "security/python-not-scanned")
    assert "binary" in _message(verdict, "security/python-not-scanned")


def test_a_python_symlink_is_read_as_the_text_file_it_points_to(attack: AttackFactory) -> None:
    case = _with_link(attack, {"docs/snippet.txt": SHELL}, {"src/tool.py": "../docs/snippet.txt"})
    assert_blocked(case.judge(), "security/bandit-b602")


def test_a_symlink_through_a_symlinked_directory_is_followed(attack: AttackFactory) -> None:
    case = _with_link(
        attack,
        {"vendor/lib/impl.txt": SHELL},
        {"src/lib": "../vendor/lib", "src/tool.py": "lib/impl.txt"},
    )
    assert_blocked(case.judge(), "security/bandit-b602")


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../outside.py"])
def test_a_symlink_leading_outside_the_repository_blocks(
    attack: AttackFactory, target: str
) -> None:
    verdict = _with_link(attack, {}, {"src/tool.py": target}).judge()
    assert_blocked(verdict, "security/secrets-not-scanned", "security/python-not-scanned")
    assert "outside the repository" in _message(verdict, "security/python-not-scanned")
    assert "root:" not in "\n".join(r.finding.message for r in verdict.results)  # never read


def test_a_loop_of_symlinks_blocks(attack: AttackFactory) -> None:
    links = {"src/tool.py": "loop.py", "src/loop.py": "tool.py"}
    assert_blocked(_with_link(attack, {}, links).judge(), "security/python-not-scanned")


def test_a_long_symlink_chain_is_not_followed_forever(attack: AttackFactory) -> None:
    links = {f"src/l{i}.py": f"l{i + 1}.py" for i in range(12)}
    verdict = _with_link(attack, {"src/l12.py": SHELL}, links).judge()
    assert_blocked(verdict, "security/python-not-scanned")


def test_a_new_submodule_is_a_warning_naming_it(attack: AttackFactory) -> None:
    case = attack(STRICT, BASE, {})
    sha = case.repo.git("rev-parse", "HEAD").strip()
    case.repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/payments")
    case.repo.git("commit", "-q", "-m", "add a submodule")
    case.head = case.repo.git("rev-parse", "HEAD").strip()
    verdict = case.judge()
    (result,) = [r for r in verdict.results if r.finding.rule == "submodule-changed"]
    assert "vendor/payments" in result.finding.message and result.severity.value == "warn"


# --- what must not block ------------------------------------------------------------------


def test_a_latin1_file_with_a_coding_line_and_clean_code_passes(attack: AttackFactory) -> None:
    code = b"# -*- coding: latin-1 -*-\n# r\xe9sum\xe9\n\n\ndef sub(a, b):\n    return a - b\n"
    verdict = attack(STRICT, BASE, {"src/report.py": code}).judge()
    assert verdict.met, blocking_rules(verdict)


def test_a_symlink_to_clean_code_in_the_repository_passes(attack: AttackFactory) -> None:
    verdict = _with_link(attack, {}, {"src/alias.py": "app.py"}).judge()
    assert verdict.met, blocking_rules(verdict)


def test_a_binary_image_is_not_scanned_and_passes(attack: AttackFactory) -> None:
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 8
    verdict = attack(STRICT, BASE, {"assets/logo.png": png}).judge()
    assert verdict.met, blocking_rules(verdict)
