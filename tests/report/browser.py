"""A Markdown report as a reader sees it: rendered like GitHub, laid out by headless Chromium.

GitHub's own CSS is not available offline, so the page is built from a CommonMark
parser with GitHub's table and strikethrough extensions and raw HTML (as GitHub renders
comments) and a stylesheet written to match GitHub's defaults for comments: a 14 px
system font at line height 1.5, its margins, code spans and lists, in a column as wide
as a PR comment's body on a 1280 px screen. The fallback font here (DejaVu Sans) is
wider than GitHub's, so what fits here fits there.

Chromium (Debian's ``chromium``) runs headless with a fresh profile and no background
networking; positions come from ``--dump-dom`` after a script in the page has written
the boxes of the elements asked about into the document.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

#: what ``.ci/run`` installs; tests fail without it under CI and skip elsewhere
CHROMIUM = "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
#: a hang guard for a loaded machine, not a speed requirement
TIMEOUT = 300
#: a PR comment's body is about this wide at a 1280 px window (timeline minus sidebar)
COMMENT_WIDTH = 780

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1f2328;
  font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, "DejaVu Sans",
    sans-serif;
  font-size: 14px; line-height: 1.5; }
.comment { width: %(width)dpx; margin: 16px auto; border: 1px solid #d1d9e0;
  border-radius: 6px; }
.comment-header { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0;
  color: #59636e; }
.markdown-body { padding: 16px; word-wrap: break-word; }
.markdown-body > *:first-child { margin-top: 0 !important; }
.markdown-body > *:last-child { margin-bottom: 0 !important; }
p, blockquote, ul, ol, dl, table, pre, details { margin-top: 0; margin-bottom: 16px; }
h1, h2, h3, h4 { margin-top: 24px; margin-bottom: 16px; font-weight: 600;
  line-height: 1.25; }
h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
h3 { font-size: 1.25em; }
ul, ol { padding-left: 2em; }
li + li { margin-top: .25em; }
li > p { margin-top: 16px; }
code { padding: .2em .4em; margin: 0; font-size: 85%%; white-space: break-spaces;
  background-color: #818b981f; border-radius: 6px;
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas,
    "Liberation Mono", "DejaVu Sans Mono", monospace; }
a { color: #0969da; text-decoration: none; }
a code { color: #0969da; }
strong, b { font-weight: 600; }
blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content;
  max-width: 100%%; overflow: auto; }
table th, table td { padding: 6px 13px; border: 1px solid #d1d9e0; }
table th { font-weight: 600; }
table tr:nth-child(2n) { background-color: #f6f8fa; }
details summary { cursor: pointer; display: list-item; }
"""

#: records the box (in document coordinates) of the verdict heading and of each code span
#: whose text is asked for
SCRIPT = """
window.addEventListener('load', () => {
  const wanted = JSON.parse(document.getElementById('wanted').textContent);
  const box = (el) => { const r = el.getBoundingClientRect();
    return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
            left: r.left + window.scrollX, right: r.right + window.scrollX}; };
  const out = {viewport: {width: window.innerWidth, height: window.innerHeight},
               heading: null, code: {}};
  const h = document.querySelector('.markdown-body h2');
  if (h) out.heading = Object.assign(box(h), {text: h.textContent});
  for (const el of document.querySelectorAll('.markdown-body code')) {
    const t = el.textContent;
    // checkVisibility: false inside a closed <details>, which a reader must click to see
    if (wanted.includes(t) && !(t in out.code) && el.checkVisibility()) {
      out.code[t] = box(el);
    }
  }
  const pre = document.createElement('pre');
  pre.id = 'positions';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
"""


def chromium() -> str:
    """Chromium's path; without it the test fails under CI and is skipped elsewhere."""
    found = shutil.which(CHROMIUM)
    if found:
        return found
    why = "Chromium is not installed (apt install chromium; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


def page(markdown: str, wanted: list[str], width: int = COMMENT_WIDTH) -> str:
    """A standalone HTML page showing ``markdown`` the way a PR comment shows it."""
    body = _PARSER.render(markdown)
    data = json.dumps(wanted).replace("<", "\\u003c")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<style>{STYLE % {'width': width}}</style>"
        f"<script id='wanted' type='application/json'>{data}</script>"
        f"<script>{SCRIPT}</script></head><body>"
        "<div class='comment'><div class='comment-header'><b>gatekeeper</b> "
        "<span>bot commented</span></div>"
        f"<div class='markdown-body'>{body}</div></div></body></html>"
    )


@dataclass(frozen=True)
class Box:
    """Where an element is on the page, in CSS pixels from the top left of the document
    (so "in the first screen" is ``bottom <= screen height`` whatever the window's frame
    leaves of it for the viewport)."""

    top: float
    bottom: float
    left: float
    right: float


@dataclass(frozen=True)
class Layout:
    """What the page's script measured."""

    viewport: tuple[int, int]
    heading: str
    heading_box: Box | None
    code: dict[str, Box]


def _run(binary: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="gk-chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def measure(binary: str, html_file: Path, size: tuple[int, int]) -> Layout:
    """Lay ``html_file`` out in a window of ``size`` and read the boxes the script wrote."""
    done = _run(
        binary,
        [f"--window-size={size[0]},{size[1]}", "--dump-dom", html_file.as_uri()],
    )
    match = re.search(r'<pre id="positions">(.*?)</pre>', done.stdout, re.S)
    if match is None:
        raise AssertionError(f"the page recorded no positions: {done.stdout[-2000:]}")
    data = json.loads(html.unescape(match.group(1)))
    heading = data.get("heading") or {}
    return Layout(
        viewport=(int(data["viewport"]["width"]), int(data["viewport"]["height"])),
        heading=str(heading.get("text", "")),
        heading_box=Box(**{k: heading[k] for k in ("top", "bottom", "left", "right")})
        if heading
        else None,
        code={text: Box(**box) for text, box in data["code"].items()},
    )


def screenshot(binary: str, html_file: Path, png: Path, size: tuple[int, int]) -> None:
    """A PNG of the first screen of ``html_file`` in a window of ``size``."""
    _run(
        binary,
        [f"--window-size={size[0]},{size[1]}", f"--screenshot={png}", html_file.as_uri()],
    )
    if not png.is_file():
        raise AssertionError(f"chromium wrote no screenshot at {png}")
