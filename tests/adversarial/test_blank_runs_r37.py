"""Nine more patterns whose blanks went quadratic (the sweep of every module-level
pattern, finished this round): a ``\\s*`` after ``^`` in a multi-line pattern that a
search runs over a file, two blank runs side by side (``[ \\t]*-?[ \\t]*``), or a leading
blank run under ``search``/``finditer`` that each start inside the run re-reads.

Each still finds what it found; each pumped input is read in a child process whose
timeout is a hang guard only: the pumps are sized so that the old patterns needed tens
of minutes, the rewritten ones milliseconds. No assertion here is about speed."""

from __future__ import annotations

import subprocess
import sys

from gatekeeper.checks.envvars.docmarkdown import _FENCED, _TABLE_DELIMITER
from gatekeeper.checks.envvars.docs import _ASSIGNMENT
from gatekeeper.checks.envvars.text_reads import _KEY_LINE
from gatekeeper.checks.migrations.gomig import _HANDLE_IN, HANDLE
from gatekeeper.checks.migrations.hubs import _SQL_ID_COLUMN
from gatekeeper.checks.migrations.rails import split_call
from gatekeeper.checks.migrations.seqtypes import _DOWN
from gatekeeper.checks.migrations.sqlmigrate import _REQUIRED

#: generous: a hang guard on a loaded two-core machine, never a speed assertion
HANG_GUARD = 600

#: each use as the gate makes it, over a quarter of a megabyte of blanks
PUMPED = """
from gatekeeper.checks.envvars.docmarkdown import _FENCED, _TABLE_DELIMITER
from gatekeeper.checks.envvars.docs import _ASSIGNMENT
from gatekeeper.checks.envvars.text_reads import _KEY_LINE
from gatekeeper.checks.migrations.gomig import _HANDLE_IN, HANDLE
from gatekeeper.checks.migrations.hubs import _SQL_ID_COLUMN
from gatekeeper.checks.migrations.rails import split_call
from gatekeeper.checks.migrations.seqtypes import _DOWN
from gatekeeper.checks.migrations.sqlmigrate import _REQUIRED

N = 1 << 18
blank_lines = "x\\n" + "   \\n" * (N // 4) + "y\\n"
found = [
    len(list(_FENCED.finditer("A" + " " * N + "b"))),
    _TABLE_DELIMITER.match("|" + "\\t" * N + "x") is None,
    _TABLE_DELIMITER.match("--- | ---" + "\\t" * N + "x") is None,
    _ASSIGNMENT.match("#" + "\\t" * N + "x") is None,
    len(list(_KEY_LINE.finditer("\\t" * N + "\\n" + "\\t" * N))),
    len(list(_SQL_ID_COLUMN.finditer(blank_lines))),
    _DOWN.search(blank_lines) is None,
    _REQUIRED.search(blank_lines) is None,
    _HANDLE_IN.search("(" + " " * N + "x" * N + ")") is None,
    split_call("add_column :users," + " " * N + ":a, :string") is not None,
]
print(found)
"""


def test_the_pumped_inputs_are_read() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PUMPED],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[0, True, True, True, 0, 0, True, True, True, True]"


BLANKS = "x\n" + "   \n" * 4096


def test_each_pattern_still_finds_what_it_found() -> None:
    names = [m.group("name") for m in _FENCED.finditer("docker run  -e   SMTP_HOST=x  #  A_B=1")]
    assert names == ["SMTP_HOST", "A_B"]
    assert [m.group("name") for m in _FENCED.finditer("    export   API_KEY=1")] == ["API_KEY"]
    assert _TABLE_DELIMITER.match(" | --- |:---:|") and _TABLE_DELIMITER.match("--- | ---")
    assert _ASSIGNMENT.match("  ##  export A_B=1") and _ASSIGNMENT.match("A_B=1")
    keys = [m.group(1) for m in _KEY_LINE.finditer("a:\n  - name: B_C\n\t-\tD\n  'E': 1\n")]
    assert keys == ["a", "B_C", "D", "E"]
    assert [m.group("ref") for m in _SQL_ID_COLUMN.finditer(BLANKS + '  "user_id" int,\n')] == [
        "user"
    ]
    assert _DOWN.search(BLANKS + "  async down(queryInterface) {")
    assert _REQUIRED.search(BLANKS + "\tgithub.com/rubenv/sql-migrate v1.5.2\n")
    assert _HANDLE_IN.search("ctx context.Context, tx  *sql.Tx") and HANDLE.match("*gorm.DB")
    assert _HANDLE_IN.search("db *datastore") and HANDLE.match("*datastore")
    assert split_call("create_table :users, id: :uuid   do |t|") == (
        "create_table",
        [":users", "id: :uuid"],
    )
    assert split_call("add_index(:users, :email) {") == ("add_index", [":users", ":email"])


def test_what_they_did_not_find_they_still_do_not() -> None:
    assert not _SQL_ID_COLUMN.search("x\n\n  -- user_id\n")
    assert not _DOWN.search("x\n\n  up() {}\n// the down: step")
    assert not _REQUIRED.search("x\n\n// see github.com/rubenv/sql-migrate docs")
    assert not _HANDLE_IN.search("ctx context.Context, name string")
    assert _FENCED.search("theSMTP_HOST=") is None
    assert not _TABLE_DELIMITER.match("| a | b |") and not _ASSIGNMENT.match("# a_b=1")
