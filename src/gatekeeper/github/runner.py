"""What the gate hands the Actions runner itself: workflow commands (annotations when no
check run can be written), log lines, the step summary and the outputs file.

The runner acts on what it reads: a line starting with ``::`` is a command, ``%`` escapes
are decoded, ANSI sequences colour and move the log viewer's cursor. Everything here
turns text that may quote the pull request into text the runner only shows.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from gatekeeper.github.workspace import open_runner_file
from gatekeeper.report.escape import visible_controls

#: GitHub refuses step summaries of 1 MiB or more
MAX_STEP_SUMMARY_BYTES = 1_000_000
_WORKFLOW_COMMAND = {"failure": "error", "warning": "warning", "notice": "notice"}


def plain_lines(text: str) -> str:
    """Text for an annotation or a log: its lines kept, every control character and bidi
    override shown as an escape (the log viewer obeys ANSI colours and cursor moves)."""
    return "\n".join(visible_controls(line) for line in text.splitlines())


def workflow_command(note: dict[str, Any]) -> str:
    """One annotation as a ``::error file=..,line=..::message`` workflow command."""
    props = ",".join(
        f"{key}={escape_property(_controls_shown(str(value)))}"
        for key, value in (
            ("file", note["path"]),
            ("line", note["start_line"]),
            ("endLine", note["end_line"]),
            ("title", note["title"]),
        )
    )
    command = _WORKFLOW_COMMAND[note["annotation_level"]]
    return f"::{command} {props}::{escape_data(note['message'])}"


def escape_data(text: str) -> str:
    """Escape a workflow command's message as the runner expects: ``%``, CR and LF, so the
    command stays one line and nothing in it can start another command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property (``:`` and ``,`` end it otherwise)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _controls_shown(text: str) -> str:
    """Controls made visible except CR and LF, which :func:`escape_data` encodes and the
    runner decodes again (so a file name with a line break still names its file)."""
    parts = re.split(r"([\r\n])", text)
    return "".join(p if p in ("\r", "\n") else visible_controls(p) for p in parts)


def command_message(text: str) -> str:
    """A workflow command's message from any text: controls shown, then escaped."""
    return escape_data(plain_lines(text))


#: what the runner reads as a command when a line starts with it (after blanks)
_COMMAND_START = re.compile(r"^([ \t]*)(::|##\[)")


def log_text(text: str) -> str:
    """A log line that cannot act on the runner: controls and bidi overrides shown as
    escapes, and no later line starting a workflow command (``::x::`` or the legacy
    ``##[x]``): a message that quotes the pull request keeps its line breaks, but a
    "::add-mask::" or "::error::" after one is defused with a zero-width space.

    The first line is ours: every log call starts with gatekeeper's own words or with a
    command it built (its text escaped by :func:`escape_data`)."""
    first, *rest = plain_lines(text).split("\n")
    return "\n".join([first, *(_defused(line) for line in rest)])


def _defused(line: str) -> str:
    match = _COMMAND_START.match(line)
    if match is None:
        return line
    cut = match.end(1) + 1  # after the first ":" or "#"
    return line[:cut] + "\u200b" + line[cut:]


_CUT_NOTE = "\n\n_(truncated: the full report is in the job log)_\n"


def cut(text: str, max_bytes: int, note: str = _CUT_NOTE) -> str:
    """``text`` cut at a line boundary to at most ``max_bytes`` UTF-8 bytes.

    Open ``<details>`` blocks and code fences are closed so the Markdown still renders.
    """
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    budget = max(0, max_bytes - len(note.encode("utf-8")) - 64)  # 64: room for the closers
    head = text.encode("utf-8")[:budget].decode("utf-8", "ignore")
    if "\n" in head:
        head = head[: head.rindex("\n") + 1]
    closers = ""
    if head.count("```") % 2:
        closers += "```\n"
    closers += "</details>\n" * max(0, head.count("<details") - head.count("</details>"))
    return head + closers + note


def write_step_summary(path: str, markdown: str) -> None:
    """Append the report to ``$GITHUB_STEP_SUMMARY``, under GitHub's 1 MiB limit."""
    with open_runner_file(path) as out:
        out.write(cut(markdown, MAX_STEP_SUMMARY_BYTES) + "\n")


def write_outputs(path: str, outputs: dict[str, str]) -> None:
    """Append ``name<<delimiter`` blocks to ``$GITHUB_OUTPUT``, one random delimiter each.

    A random delimiter means no value (a path, a JSON report) can end the block early.
    """
    with open_runner_file(path) as out:
        for name in sorted(outputs):
            value = outputs[name]
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            while delimiter in value:  # pragma: no cover - 128 random bits
                delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
