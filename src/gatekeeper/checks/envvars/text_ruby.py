"""Ruby's environment reads, in Ruby files, ERB views and the ERB in Rails' YAML config.

``ENV["X"]``, ``ENV.fetch("X")``, the membership tests ``ENV.key?("X")`` (and
``has_key?``, ``include?``, ``member?``), and Figaro's ``Figaro.env.x`` (which reads ``X``
or ``x``; documented under either). Rails evaluates the ERB of its YAML configuration
(``config/database.yml``: ``url: <%= ENV["DATABASE_URL"] %>``) before loading it, so such a
file reads what its tags read; a YAML file without ``<%`` tags reads nothing this way.
"""

from __future__ import annotations

import dataclasses
import re

from gatekeeper.checks.envvars.model import EnvRead, line_of

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_OPEN = r"\bENV(?:\.(?:fetch|key\?|has_key\?|include\?|member\?)\(\s*|\[\s*)"
_READS = [
    (re.compile(rf"{_OPEN}[\"'](?P<name>{_NAME})[\"']"), "ENV[...]"),
    (re.compile(rf"{_OPEN}(?P<name>)[^\"'\s)]"), "ENV[...]"),
]
_FIGARO = re.compile(r"\bFigaro\.env\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)[!?]?")
#: an ERB tag of a YAML file that reads the environment
_ERB_TAG = re.compile(r"<%.*?%>", re.S)


def ruby_reads(text: str) -> list[EnvRead]:
    """The reads of Ruby code (or of an ERB view, whose HTML holds no ``ENV``)."""
    reads = [
        EnvRead(m.group("name") or "", line_of(text, m.start()), how)
        for pattern, how in _READS
        for m in pattern.finditer(text)
    ]
    if "Figaro" in text:
        reads += [
            EnvRead(
                m.group("name").upper(),
                line_of(text, m.start()),
                "Figaro.env",
                case_insensitive=True,
            )
            for m in _FIGARO.finditer(text)
        ]
    return sorted(reads, key=lambda r: r.line)


def is_erb_yaml(text: str) -> bool:
    """Whether a YAML file's ERB tags may read the environment."""
    return "<%" in text and "ENV" in text


def erb_yaml_reads(text: str) -> list[EnvRead]:
    """The reads of the ERB tags of a YAML file (Rails' ``config/*.yml``)."""
    reads: list[EnvRead] = []
    for tag in _ERB_TAG.finditer(text):
        for read in ruby_reads(tag.group()):
            line = line_of(text, tag.start()) + read.line - 1
            reads.append(dataclasses.replace(read, line=line, how=f"{read.how} in YAML ERB"))
    return reads
