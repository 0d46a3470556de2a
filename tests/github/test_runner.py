"""What the gate hands the runner: workflow commands, outputs, cut summaries."""

from __future__ import annotations

import re
from pathlib import Path

from gatekeeper.github.runner import (
    cut,
    escape_data,
    escape_property,
    workflow_command,
    write_outputs,
)


def test_workflow_command_escaping() -> None:
    note = {
        "path": "dir,x/a:b.py",
        "start_line": 3,
        "end_line": 4,
        "annotation_level": "warning",
        "title": "demo/rule",
        "message": "50% done\nnext line\r",
    }
    assert workflow_command(note) == (
        "::warning file=dir%2Cx/a%3Ab.py,line=3,endLine=4,title=demo/rule"
        "::50%25 done%0Anext line%0D"
    )
    assert escape_data("a%b") == "a%25b" and escape_property("a:b,c") == "a%3Ab%2Cc"


def test_outputs_use_random_heredoc_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "out"
    write_outputs(str(path), {"met": "false", "report": "line1\nEOF\nline3"})
    write_outputs(str(path), {"met": "true"})
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"^([\w-]+)<<(ghadelimiter_[0-9a-f]{32})\n(.*?)\n\2$", text, re.S | re.M)
    assert [(name, value) for name, _, value in blocks] == [
        ("met", "false"),
        ("report", "line1\nEOF\nline3"),
        ("met", "true"),
    ]
    assert len({delim for _, delim, _ in blocks}) == 3


def test_cut_leaves_short_text_alone_and_closes_fences() -> None:
    assert cut("short", 100) == "short"
    text = "```\n" + "code line\n" * 100
    out = cut(text, 300)
    assert out.count("```") == 2 and len(out.encode()) <= 300
