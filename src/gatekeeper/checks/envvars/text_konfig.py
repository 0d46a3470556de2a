"""Options a Ruby project declares with the Konfig DSL, each also an environment variable.

Postal declares its configuration once (``lib/postal/config_schema.rb``)::

    ConfigSchema = Konfig::Schema.draw do
      group :message_db do
        string :encoding do
          description "The encoding to use when connecting to the MariaDB database"
          default "utf8mb4"
        end
      end
    end

and Konfig's environment source reads each typed option from the variable named by its
group path and name, upper-cased and joined by ``_`` (``MESSAGE_DB_ENCODING``); its YAML
source from the key ``message_db.encoding``. Each option is therefore a read of that
variable, documented by the variable's name in the docs or by the key in a config sample.
Only files that draw a Konfig schema are read this way; groups nest by ``do``/``end``
at their indentation.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead

#: a file drawing a schema (``Konfig::Schema.draw``, a ``Konfig::SchemaBuilder``)
_SCHEMA = re.compile(r"\bKonfig::(?:Schema\s*\.\s*draw|SchemaBuilder)\b")
_GROUP = re.compile(r"^(\s*)group\s+:(\w+)\s+do\b")
#: Konfig's value types (``string :name``); ``array`` alone on a line is a modifier
_OPTION = re.compile(
    r"^\s*(?:string|integer|boolean|float|symbol|array|hash|decimal|duration)\s+:(\w+)\b"
)


def konfig_reads(text: str) -> list[EnvRead]:
    """One read per typed option inside a group of a Konfig schema."""
    if not _SCHEMA.search(text):
        return []
    groups: list[tuple[str, str]] = []  # (indentation, name) of the open groups
    out: list[EnvRead] = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip())]
        if groups and line.strip() == "end" and indent == groups[-1][0]:
            groups.pop()
            continue
        group = _GROUP.match(line)
        if group:
            groups.append((group.group(1), group.group(2)))
            continue
        option = _OPTION.match(line)
        if option and groups:
            path = [name for _, name in groups] + [option.group(1)]
            name = "_".join(path).upper()
            out.append(EnvRead(name, number, "Konfig schema option", keys=(".".join(path),)))
    return out
