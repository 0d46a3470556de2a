"""The bandit part: only findings the change introduced, thresholds, nosec, config at base."""

from __future__ import annotations

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.security import SecurityCheck
from gatekeeper.checks.security.bandit_scan import RULES
from gatekeeper.model import Level, plain_text

from .helpers import rules, run_part, where

SQL_OLD = 'def q(c, n):\n    return c.execute("SELECT * FROM t WHERE n = %s" % n)\n'
SQL_NEW = 'def r(c, n):\n    return c.execute(f"DELETE FROM t WHERE id = {n}")\n'
HEADER = "import sqlite3\n\n\n"


def test_a_new_sql_string_is_reported_with_its_cwe() -> None:
    found = run_part("bandit", {"db.py": HEADER + SQL_OLD}, {"db.py": HEADER + SQL_OLD + SQL_NEW})
    assert rules(found) == ["bandit-b608"]
    assert where(found) == [("db.py", 7)]
    assert "CWE-89" in found[0].message
    assert found[0].level is Level.ERROR


def test_a_finding_already_at_base_is_not_reported_even_when_it_moves() -> None:
    head = HEADER + "X = 1\nY = 2\n\n" + SQL_OLD
    assert run_part("bandit", {"db.py": HEADER + SQL_OLD}, {"db.py": head}) == []


def test_a_new_copy_of_an_old_finding_is_reported_once() -> None:
    from gatekeeper.testing import changeset, context

    copy = SQL_OLD.replace("def q", "def q2")
    ctx = context(
        changeset({"db.py": HEADER + SQL_OLD}, {"db.py": HEADER + SQL_OLD + copy}),
        {"secrets": False, "dependencies": False, "sensitive": False},
    )
    found = list(SecurityCheck().run(ctx))
    assert rules(found) == ["bandit-b608"]
    assert where(found) == [("db.py", 7)]  # the copy, on the added line
    assert "2 finding(s) at head at or above the thresholds, 1 new, 1 pre-existing" in plain_text(
        ctx.details
    )


def test_two_new_copies_have_distinct_fingerprints() -> None:
    head = HEADER + SQL_NEW + SQL_NEW.replace("def r", "def s")
    found = run_part("bandit", {"db.py": HEADER}, {"db.py": head})
    assert len(found) == 2 and found[0].fingerprint != found[1].fingerprint


def test_the_fingerprint_survives_a_line_move() -> None:
    one = run_part("bandit", {"db.py": HEADER}, {"db.py": HEADER + SQL_NEW})
    two = run_part("bandit", {"db.py": HEADER}, {"db.py": HEADER + "Z = 3\n" + SQL_NEW})
    assert one[0].fingerprint == two[0].fingerprint
    assert one[0].location != two[0].location


def test_a_renamed_file_is_compared_with_its_old_version() -> None:
    base = {"old/db.py": HEADER + SQL_OLD}
    head = {"new/db.py": HEADER + SQL_OLD}
    from gatekeeper.testing import changeset, context

    ctx = context(
        changeset(base, head, renames={"old/db.py": "new/db.py"}),
        {"secrets": False, "dependencies": False, "sensitive": False},
    )
    assert list(SecurityCheck().run(ctx)) == []
    head2 = {"new/db.py": HEADER + SQL_OLD + SQL_NEW}
    ctx = context(
        changeset(base, head2, renames={"old/db.py": "new/db.py"}),
        {"secrets": False, "dependencies": False, "sensitive": False},
    )
    assert [f.rule for f in SecurityCheck().run(ctx)] == ["bandit-b608"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (True, []),  # assert is low severity: under the default medium threshold
        ({"min_severity": "low"}, ["bandit-b101"]),
        ({"min_severity": "low", "min_confidence": "high"}, ["bandit-b101"]),
        ({"min_severity": "high"}, []),
    ],
)
def test_severity_and_confidence_thresholds(options: object, expected: list[str]) -> None:
    assert rules(run_part("bandit", {}, {"a.py": "assert 1\n"}, options)) == expected


NO_TIMEOUT = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def test_a_finding_bandit_is_unsure_of_warns_unless_the_policy_blocks_on_it() -> None:
    # B113 is medium severity but low confidence: bandit cannot see a session's timeout
    (found,) = run_part("bandit", {}, {"net.py": NO_TIMEOUT})
    assert found.rule == "bandit-b113" and found.level is Level.WARNING
    assert "checks.security.bandit.block_confidence" in found.message
    (strict,) = run_part("bandit", {}, {"net.py": NO_TIMEOUT}, {"block_confidence": "low"})
    assert strict.level is Level.ERROR
    # a finding bandit is sure of still blocks by default
    (sure,) = run_part("bandit", {}, {"db.py": HEADER + SQL_NEW})
    assert sure.level is Level.ERROR


def test_a_nosec_the_pr_wrote_is_reported_marked_unless_the_policy_trusts_it() -> None:
    code = HEADER + SQL_NEW.replace('{n}")', '{n}")  # nosec B608')
    (found,) = run_part("bandit", {}, {"db.py": code})
    assert found.rule == "bandit-b608" and found.level is Level.ERROR
    assert "suppressed in this PR by `# nosec B608` at db.py:5" in found.message
    assert "trust_pr_suppressions: true" in found.remedy
    assert run_part("bandit", {}, {"db.py": code}, {"trust_pr_suppressions": True}) == []
    # honour_nosec: false reads no marker at all: the plain finding
    (plain,) = run_part("bandit", {}, {"db.py": code}, {"honour_nosec": False})
    assert plain.rule == "bandit-b608" and "suppressed" not in plain.message


def test_a_nosec_the_base_had_is_honoured_and_one_for_another_test_is_not() -> None:
    code = HEADER + SQL_NEW.replace('{n}")', '{n}")  # nosec')
    head = "X = 1\n" + code + "\n\ndef more():\n    pass\n"
    assert run_part("bandit", {"db.py": code}, {"db.py": head}) == []
    other = HEADER + SQL_NEW.replace('{n}")', '{n}")  # nosec B101')
    (found,) = run_part("bandit", {}, {"db.py": other})
    assert "suppressed" not in found.message  # B101's nosec does not cover B608


def test_a_nosec_the_pr_wrote_passes_once_a_human_approves_the_latest_push() -> None:
    from gatekeeper.changes.pullrequest import PullRequest, Review

    code = HEADER + SQL_NEW.replace('{n}")', '{n}")  # nosec B608')
    approved = PullRequest(
        number=7,
        author="agent",
        head_sha="head",
        reviews=(Review("alice", "APPROVED", commit_id="head"),),
    )
    assert run_part("bandit", {}, {"db.py": code}, pr=approved) == []
    stale = PullRequest(
        number=7,
        author="agent",
        head_sha="head",
        reviews=(Review("alice", "APPROVED", commit_id="old"),),
    )
    assert rules(run_part("bandit", {}, {"db.py": code}, pr=stale)) == ["bandit-b608"]


def test_lone_carriage_returns_cannot_line_a_finding_up_with_a_base_nosec() -> None:
    # Python's parser ends a line at a lone CR, tokenize (and git) do not: the call below is
    # on Python's line 7, where the base has a nosec; git says the PR wrote it on line 5
    base = "import subprocess\n\n\nX = 1\nY = 2\nZ = 3\nQ = 4  # nosec\n"
    head = base.replace("Y = 2\n", "Y = 2\r\rsubprocess.call(X, shell=True)\n")
    found = run_part("bandit", {"r.py": base}, {"r.py": head})
    assert rules(found) == ["bandit-b602"] and "suppressed in this PR" in found[0].message


def test_skips_from_tool_bandit_are_read_at_base_not_head() -> None:
    cfg = '[tool.bandit]\nskips = ["B608"]\n'
    base = {"pyproject.toml": cfg, "db.py": HEADER}
    assert run_part("bandit", base, {**base, "db.py": HEADER + SQL_NEW}) == []
    # a PR cannot weaken the gate by adding the skip in its own pyproject.toml
    found = run_part(
        "bandit", {"db.py": HEADER}, {"pyproject.toml": cfg, "db.py": HEADER + SQL_NEW}
    )
    assert rules(found) == ["bandit-b608"]


def test_policy_skips_tests_and_exclude_dirs() -> None:
    head = {"db.py": HEADER + SQL_NEW, "tests/t.py": HEADER + SQL_NEW}
    assert where(run_part("bandit", {}, head, {"skips": ["B608"]})) == []
    assert where(run_part("bandit", {}, head, {"tests": ["B101"]})) == []
    base = {"pyproject.toml": '[tool.bandit]\nexclude_dirs = ["tests"]\n'}
    assert where(run_part("bandit", base, {**base, **head})) == [("db.py", 5)]


def test_a_file_with_a_syntax_error_is_reported_not_a_crash() -> None:
    found = run_part("bandit", {}, {"bad.py": "def f(:\n    pass\n", "ok.py": HEADER + SQL_NEW})
    assert sorted(rules(found)) == ["bandit-b608", "python-unparseable"]
    bad = next(f for f in found if f.rule == "python-unparseable")
    assert bad.level is Level.ERROR and "bad.py" in bad.message


def test_a_huge_minified_file_and_a_binary_file_are_reported_as_not_scanned() -> None:
    huge = "x=[" + ",".join(["1"] * 600_000) + "]\n"  # one line, about 1.2 MB
    options = {"max_file_bytes": 1_000_000}
    found = run_part("bandit", {}, {"min.py": huge, "blob.py": b"\x00\x01\x02"}, options)
    assert rules(found) == ["python-not-scanned", "python-not-scanned"]
    assert "binary" in found[0].message and "max_file_bytes" in found[1].message
    assert {f.level for f in found} == {Level.ERROR}


def test_a_file_over_the_old_one_megabyte_limit_is_scanned() -> None:
    big = HEADER + "".join(f"V{i} = {i}\n" for i in range(120_000)) + SQL_NEW  # 1.3 MB
    assert rules(run_part("bandit", {}, {"big.py": big})) == ["bandit-b608"]


def test_a_coding_line_lets_bandit_read_a_latin1_file() -> None:
    code = b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + (HEADER + SQL_NEW).encode()
    found = run_part("bandit", {}, {"db.py": code})
    assert rules(found) == ["bandit-b608"]
    undeclared = b"# caf\xe9\n" + (HEADER + SQL_NEW).encode()
    found = run_part("bandit", {}, {"db.py": undeclared})
    assert rules(found) == ["python-not-scanned"] and "coding line" in found[0].message


def test_invalid_base_pyproject_fails_closed_with_what_to_do() -> None:
    base = {"pyproject.toml": "[tool.bandit\nskips = 1\n"}
    with pytest.raises(CheckError, match="read_config"):
        run_part("bandit", base, {**base, "a.py": "x = 1\n"})
    assert run_part("bandit", base, {**base, "a.py": "x = 1\n"}, {"read_config": False}) == []


def test_bandit_rejecting_the_config_fails_closed() -> None:
    base = {"pyproject.toml": '[tool.bandit]\nskips = "B101"\ntests = 3\n'}
    with pytest.raises(CheckError, match=r"\[tool.bandit\] tests .* list of strings"):
        run_part("bandit", base, {**base, "a.py": "x = 1\n"})


def test_a_level_shorthand_changes_what_the_findings_propose() -> None:
    found = run_part("bandit", {}, {"db.py": HEADER + SQL_NEW}, "warn")
    assert [f.level for f in found] == [Level.WARNING]


def test_files_not_python_and_deleted_files_are_not_scanned() -> None:
    assert run_part("bandit", {"gone.py": HEADER + SQL_NEW}, {"x.txt": SQL_NEW}) == []


def test_every_bandit_rule_carries_a_cwe_and_a_security_severity() -> None:
    bandit_rules = [r for r in RULES if r.id.startswith("bandit-b")]
    assert len(bandit_rules) > 60
    for rule in bandit_rules:
        assert any(t.startswith("CWE-") for t in rule.tags), rule.id
        assert float(rule.security_severity) > 0
    assert SecurityCheck.rules["bandit-b608"].tags == ("security", "CWE-89")


def test_base_scans_only_what_fired_at_head_yet_matches_every_kind_of_test() -> None:
    # a blacklist call (B301), a plugin test (B608) and a blacklist import side by side
    old = "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n\n\n" + SQL_OLD
    new = old + "\n\ndef again(b):\n    return pickle.loads(b)\n"
    found = run_part("bandit", {"m.py": old}, {"m.py": "X = 0\n" + old})
    assert found == []
    found = run_part("bandit", {"m.py": old}, {"m.py": new})
    assert rules(found) == ["bandit-b301"] and where(found) == [("m.py", 13)]


def test_a_base_file_that_does_not_parse_cannot_hide_a_head_finding() -> None:
    found = run_part("bandit", {"db.py": "def (:\n" + SQL_NEW}, {"db.py": HEADER + SQL_NEW})
    assert rules(found) == ["bandit-b608"]


def test_a_finding_inside_a_method_at_base_is_still_matched() -> None:
    base = (
        "import subprocess as sp\n\n\nclass Runner:\n    def go(self, c):\n"
        "        return sp.call(c, shell=True)\n"
    )
    head = base.replace("class Runner:", "X = 1\n\n\nclass Runner:")
    assert run_part("bandit", {"r.py": base}, {"r.py": head}, {"min_severity": "low"}) == []
    head2 = head + "    def again(self, c):\n        return sp.call(c, shell=True)\n"
    assert rules(run_part("bandit", {"r.py": base}, {"r.py": head2})) == ["bandit-b602"]


def test_a_test_id_we_do_not_know() -> None:
    from gatekeeper.checks.security.bandit_run import Hit
    from gatekeeper.checks.security.bandit_scan import _to_finding
    from gatekeeper.checks.security.common import Part

    hit = Hit("p.py", "B999", 3, 3, "x()", "Plugin says no.", "HIGH", "HIGH", 1)
    finding = _to_finding(hit, 0, Part(), SecurityCheck().finding)
    assert finding.rule == "bandit-other" and "bandit B999" in finding.message
    known = _to_finding(
        Hit("p.py", "B608", 3, 3, "x", "t", "MEDIUM", "LOW", 89), 0, Part(), SecurityCheck().finding
    )
    assert known.rule == "bandit-b608"


def test_a_path_leaving_the_repository_is_reported_not_written() -> None:
    found = run_part("bandit", {}, {"../outside.py": "x = 1\n"})
    assert rules(found) == ["python-not-scanned"]
    assert "leaves the repository" in found[0].message


def test_the_unparseable_message_names_the_python_and_the_reason() -> None:
    code = 'x = 1\npage = t"<p>{x}</p>"\n'  # Python 3.14 syntax
    found = run_part("bandit", {}, {"new.py": code})
    assert where(found) == [("new.py", 2)]
    assert "cannot be parsed by Python 3." in found[0].message
    assert "new in Python 3.14" in found[0].message and "PEP 750" in found[0].message


def test_a_file_bandit_fails_on_for_another_reason_is_reported(tmp_path: object) -> None:
    from pathlib import Path

    from gatekeeper.checks.security.bandit_scan import _unparseable

    root = Path(str(tmp_path))
    (root / "ok.py").write_text("x = 1\n")
    (root / "nul.py").write_bytes(b"x = 1\x00\n")
    make = SecurityCheck().finding
    assert "error inside bandit" in _unparseable("ok.py", root, make).message
    assert "null bytes" in _unparseable("nul.py", root, make).message


def test_in_a_long_file_only_changed_statements_are_scanned_and_nothing_is_missed() -> None:
    # a long module keeps one old finding in code the change leaves alone, and the change
    # introduces a finding by deleting a line (no added line in that statement at all)
    filler = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(60))
    fetch = "def fetch(url):\n    return requests.get(\n        url,\n        timeout=5,\n    )\n"
    base = "import requests\nimport sqlite3\n\n\n" + SQL_OLD + "\n\n" + filler + fetch
    head = base.replace("        timeout=5,\n", "")
    found = run_part("bandit", {"client.py": base}, {"client.py": head})
    assert rules(found) == ["bandit-b113"]  # a request without a timeout
    assert where(found) == [("client.py", head.splitlines().index("def fetch(url):") + 2)]


def test_findings_in_test_code_warn_unless_the_policy_judges_tests_too() -> None:
    # dogfood (CTFd 90ca471): a test feeds is_safe_url a right-to-left override on purpose
    head = {"tests/utils/test_db.py": HEADER + SQL_NEW, "app/db.py": HEADER + SQL_NEW}
    found = {f.location.path if f.location else "": f for f in run_part("bandit", {}, head)}
    assert found["tests/utils/test_db.py"].level is Level.WARNING
    assert "in test code" in found["tests/utils/test_db.py"].message
    assert found["app/db.py"].level is Level.ERROR
    judged = run_part("bandit", {}, head, {"test_files": []})
    assert {f.level for f in judged} == {Level.ERROR}


SCRIPT = (
    "#!/usr/bin/env python3\nimport subprocess\n\n\n"
    "def go(cmd):\n    subprocess.call(cmd, shell=True)\n"
)


def test_a_script_without_extension_that_runs_python_is_scanned() -> None:
    found = run_part("bandit", {"README.md": "x\n"}, {"bin/deploy": SCRIPT})
    assert rules(found) == ["bandit-b602"]
    assert where(found) == [("bin/deploy", 6)]


def test_a_shell_script_or_an_explicit_include_is_not_read_as_python() -> None:
    shell = SCRIPT.replace("#!/usr/bin/env python3", "#!/bin/sh")
    assert run_part("bandit", {"README.md": "x\n"}, {"bin/deploy": shell}) == []
    # the policy's own include list is taken as written
    only_py = {"include": ["*.py"]}
    assert run_part("bandit", {"README.md": "x\n"}, {"bin/deploy": SCRIPT}, only_py) == []


# dogfood (mealie fd0257c): a migration fills new columns with the dialect's boolean words
LITERAL_SQL = '''\
from textwrap import dedent
TABLE = "users"


def populate(op, postgres):
    if postgres:
        TRUE = "TRUE"
    else:
        TRUE = "1"
    op.execute(dedent(f"""
        UPDATE household_preferences SET lock_edits = {TRUE} WHERE lock_edits IS NULL
    """))
    op.execute("DELETE FROM %s WHERE admin = %s" % (TABLE, TRUE if postgres else "0"))
'''


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (LITERAL_SQL, []),
        # a parameter, a call, a loop variable, a name rebound from input: injectable
        (LITERAL_SQL.replace("def populate(op, postgres)", "def populate(op, postgres, TRUE)"),
         [("db.py", 10), ("db.py", 13)]),
        (LITERAL_SQL.replace('"1"', "input()"), [("db.py", 10), ("db.py", 13)]),
        (LITERAL_SQL.replace('TABLE = "users"', 'TABLE = "users"\nfor TABLE in []: pass'),
         [("db.py", 14)]),
        (LITERAL_SQL.replace('TABLE = "users"', 'TABLE = "users"\nTABLE += input()'),
         [("db.py", 14)]),
    ],
)  # fmt: skip
def test_sql_built_only_from_literals_is_not_injectable(
    code: str, expected: list[tuple[str, int]]
) -> None:
    found = run_part("bandit", {}, {"db.py": code})
    assert rules(found) == ["bandit-b608"] * len(expected)
    assert where(found) == expected


CACHE_KEY = (
    "import hashlib\n\n\n"
    "def make_cache_key(url):\n"
    '    """A key for the page cache."""\n'
    '    return "page." + hashlib.md5(url.encode()).hexdigest()\n'
)


def test_a_weak_hash_that_names_a_cache_entry_or_file_warns() -> None:
    (found,) = run_part("bandit", {}, {"cache.py": CACHE_KEY})
    assert found.rule == "bandit-b324" and found.level is Level.WARNING
    assert "make_cache_key() names a cache entry, file or lock" in found.message
    to_file = CACHE_KEY.replace("make_cache_key", "_url_to_filename")
    (named,) = run_part("bandit", {}, {"files.py": to_file})
    assert named.level is Level.WARNING
    # strict (and any policy that says so) blocks on every weak hash
    (strict,) = run_part("bandit", {}, {"cache.py": CACHE_KEY}, {"weak_hash_for_names": False})
    assert strict.level is Level.ERROR


def test_a_weak_hash_that_names_a_lock_warns() -> None:
    # bookwyrm 356fae02fe: item_lock() hashes a remote id into a Redis mutex's key
    code = (
        "import hashlib\n\n\n"
        "def item_lock(object_id):\n"
        '    """Set a mutex lock on an incoming item."""\n'
        '    lock_id = "lock:" + hashlib.md5(object_id.encode()).hexdigest()\n'
        "    return redis.set(lock_id, 1, nx=True)\n"
    )
    (found,) = run_part("bandit", {}, {"activity.py": code})
    assert found.level is Level.WARNING
    # a lock around a secret's handling is not only a name
    guarded = code.replace("(object_id)", "(object_id, session_token)")
    (blocked,) = run_part("bandit", {}, {"activity.py": guarded})
    assert blocked.level is Level.ERROR


@pytest.mark.parametrize(
    "code",
    [
        # a function whose name states no naming purpose
        CACHE_KEY.replace("make_cache_key", "digest"),
        # the same function also handling a secret, a password or a signature
        CACHE_KEY.replace("(url)", "(url, password)"),
        CACHE_KEY.replace('"page."', 'settings.SECRET_KEY + "page."'),
        CACHE_KEY.replace("A key for the page cache.", "Sign the cached page."),
        # module level: no function states the purpose
        'import hashlib\n\nCACHE_KEY = hashlib.md5(b"x").hexdigest()\n',
    ],
)
def test_a_weak_hash_blocks_unless_its_function_only_names_things(code: str) -> None:
    (found,) = run_part("bandit", {}, {"cache.py": code})
    assert found.rule == "bandit-b324" and found.level is Level.ERROR


def test_a_nested_helper_is_judged_by_its_own_name() -> None:
    code = (
        "import hashlib\n\n\n"
        "def cache_entry(user, pw):\n"
        "    def digest(value):\n"
        "        return hashlib.md5(value).hexdigest()\n"
        "    return digest(pw)\n"
    )
    (found,) = run_part("bandit", {}, {"cache.py": code})
    assert found.level is Level.ERROR  # digest() names nothing, whatever holds it


def test_b103_on_an_executable_mode_warns_a_writable_mode_blocks() -> None:
    # Mailu fa9db345d5: os.chmod(path, 0o755) on the cron script it just wrote
    code = "import os\n\n\ndef install(path):\n    os.chmod(path, {mode})\n"
    levels = {}
    for mode in ("0o755", "0o750", "0o775", "0o757", "0o777", "0o666", "mode_of(path)"):
        found = run_part("bandit", {}, {"cron.py": code.format(mode=mode)})
        levels[mode] = [f.level for f in found if f.rule == "bandit-b103"]
    assert levels["0o755"] == levels["0o750"] == [Level.WARNING]
    for mode in ("0o775", "0o757", "0o777", "0o666"):
        assert levels[mode] == [Level.ERROR], mode
    assert levels["mode_of(path)"] == []  # bandit reads constants only
    (warned,) = run_part("bandit", {}, {"cron.py": code.format(mode="0o755")})
    assert "checks.security.bandit.chmod_exec_only" in warned.message
    # strict (and any policy that says so) blocks on every B103
    (strict,) = run_part(
        "bandit", {}, {"cron.py": code.format(mode="0o755")}, {"chmod_exec_only": False}
    )
    assert strict.level is Level.ERROR


# --- B608 in a migration ---------------------------------------------------------------------

_REVISION = (
    "from alembic import op\n\nrevision = '{rev}'\ndown_revision = {down}\n\n\n"
    "def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
)
_FOLDER = "app/migrations/versions"
_MERGED = {f"{_FOLDER}/a1_init.py": _REVISION.format(rev="a1", down=None, body="pass")}
_FILL = (
    'cases = " ".join(f"WHEN {k} THEN 1" for k in KINDS)\n'
    '    op.execute(f"UPDATE t SET c = {cases}")'
)
_FILLING = {f"{_FOLDER}/b2_fill.py": _REVISION.format(rev="b2", down="'a1'", body=_FILL)}


def test_sql_formatted_in_a_migration_of_a_kept_folder_is_a_warning() -> None:
    (found,) = run_part("bandit", _MERGED, {**_MERGED, **_FILLING})
    assert found.rule == "bandit-b608" and found.level is Level.WARNING
    assert "in a migration" in found.message


def test_sql_in_a_migration_blocks_when_the_policy_says_so() -> None:
    (found,) = run_part("bandit", _MERGED, {**_MERGED, **_FILLING}, {"sql_in_migrations": False})
    assert found.level is Level.ERROR


def test_a_revision_in_a_folder_new_to_the_repository_still_blocks() -> None:
    # the PR starts the folder itself: nothing merged says it holds migrations
    new = {"app/tools/b2_fill.py": _REVISION.format(rev="b2", down="'a1'", body=_FILL)}
    (found,) = run_part("bandit", _MERGED, {**_MERGED, **new})
    assert found.rule == "bandit-b608" and found.level is Level.ERROR
