"""What GitHub would make of a Markdown report, and what a runner makes of a log.

Markdown is parsed by a CommonMark parser with GitHub's table and strikethrough
extensions and raw HTML allowed (as GitHub allows its safe subset), so assertions are
about the document a reader sees — its headings, HTML, links, mentions and table rows —
rather than about the characters of the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

#: the HTML gatekeeper's own Markdown layout uses
OUR_HTML = re.compile(
    r"^(?:</?details>|<summary>|</summary>|<br>|</?b>|</?code>|<!-- gatekeeper:sticky -->)$"
)
#: a GitHub mention or issue link as GitHub finds them in text outside code
LIVE_MENTION = re.compile(r"(?<![A-Za-z0-9_`])@[A-Za-z0-9_]")
LIVE_ISSUE = re.compile(r"(?<![A-Za-z0-9_&])#[0-9]")

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@dataclass
class Rendered:
    """The parts of a rendered Markdown document that an attack would aim at."""

    headings: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # prose outside code
    code: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # table body rows, cell text
    #: list items, the text of each one's first paragraph (code spans included)
    items: list[str] = field(default_factory=list)
    struck: int = 0

    @property
    def foreign_html(self) -> list[str]:
        """HTML tags and comments that gatekeeper's layout does not write."""
        found = (re.findall(r"<!--.*?-->|<!--|<[^>]*>?", chunk, re.S) for chunk in self.html)
        tags = [tag for chunk in found for tag in chunk]
        return [t for t in tags if not OUR_HTML.match(t)]

    @property
    def mentions(self) -> list[str]:
        """Text that would notify someone or link an issue (but the header's link to the
        pull request itself, "PR #9", is ours)."""
        texts = [re.sub(r"^PR #[0-9]+ ", "", t) for t in self.text]
        return [t for t in texts if LIVE_MENTION.search(t) or LIVE_ISSUE.search(t)]


def render_markdown(source: str) -> Rendered:
    """Parse ``source`` the way GitHub's Markdown would, and collect what matters."""
    out = Rendered()
    tokens = _PARSER.parse(source)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            out.headings.append(_inline_text(tokens[i + 1]))
        elif token.type == "html_block":
            out.html.append(token.content)
        elif token.type == "tr_open" and i > 0 and _in_body(tokens, i):
            out.rows.append(_row(tokens, i))
        elif token.type == "list_item_open":
            following = (t for t in tokens[i + 1 :] if t.type == "inline")
            out.items.append(_inline_text(next(following)))
        elif token.type == "inline":
            _walk_inline(token.children or [], out)
    return out


def _walk_inline(children: list[Token], out: Rendered) -> None:
    for child in children:
        if child.type == "html_inline":
            out.html.append(child.content)
        elif child.type in ("link_open", "image"):
            out.links.append(str(child.attrs.get("href") or child.attrs.get("src") or ""))
        elif child.type == "code_inline":
            out.code.append(child.content)
        elif child.type == "text":
            out.text.append(child.content)
        elif child.type == "s_open":
            out.struck += 1


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _in_body(tokens: list[Token], index: int) -> bool:
    for token in reversed(tokens[:index]):
        if token.type in ("tbody_open", "thead_open"):
            return token.type == "tbody_open"
    return False


def _row(tokens: list[Token], index: int) -> list[str]:
    cells = []
    for token in tokens[index + 1 :]:
        if token.type == "tr_close":
            break
        if token.type == "inline":
            cells.append(_inline_text(token))
    return cells


@dataclass(frozen=True)
class Command:
    """A workflow command as the runner reads it from one log line."""

    name: str
    properties: dict[str, str]
    message: str


def runner_commands(log: str) -> list[Command]:
    """The workflow commands a runner would act on in ``log``, honouring stop-commands."""
    found: list[Command] = []
    resume = ""
    for line in re.split(r"\r\n|\r|\n", log):
        stripped = line.strip()
        if resume:
            if stripped == f"::{resume}::":
                resume = ""
            continue
        match = re.match(r"^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$", stripped)
        if match is None:
            if stripped.startswith("##["):
                found.append(Command("legacy:" + stripped, {}, ""))
            continue
        name, props, message = match.groups()
        properties = dict(p.split("=", 1) for p in (props or "").split(",") if "=" in p)
        if name == "stop-commands":
            resume = message
        found.append(Command(name, properties, message))
    return found


def unescape_data(text: str) -> str:
    """A command message as the runner decodes it."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    """A command property as the runner decodes it."""
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))
