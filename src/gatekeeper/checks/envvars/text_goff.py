"""Go flags that peterbourgon/ff also reads from the environment.

``ff.Parse(fs, os.Args[1:], ff.WithEnvVarPrefix("APP"))`` sets each flag of the flag set
``fs`` from a variable named after the flag: its name with ``-`` and ``.`` turned into
``_``, upper-cased, after the prefix and ``_`` (``fs.String("new-setting", ...)`` ->
``APP_NEW_SETTING``); ``ff.WithEnvVars()`` alone reads the bare name. The flags read are
those the same file defines on the flag set ``ff.Parse`` is given, by a literal name
(``fs.String("name", ...)``, ``fs.DurationVar(&d, "name", ...)``, ``fs.Func("name", ...)``;
for ``flag.CommandLine``, the ``flag`` package's own ``flag.String(...)``). A file whose
``ff.Parse`` calls differ in prefix, or name a flag set computed at run time, is not read.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of

#: the import that makes ``ff.`` calls peterbourgon/ff's
_IMPORT = re.compile(r"\"github\.com/peterbourgon/ff(?:/v\d+)?\"")
#: ``ff.Parse(fs, args, options...)``: the flag set and the options, up to the call's end
_PARSE = re.compile(r"\bff\.Parse\(\s*(?P<set>[A-Za-z_][\w.]*)\s*,(?P<options>[^;{}]{0,600})")
_PREFIX = re.compile(r"\bff\.WithEnvVarPrefix\(\s*\"(?P<prefix>[A-Za-z0-9_]{1,60})\"\s*\)")
_ENV_VARS = re.compile(r"\bff\.WithEnvVars\(\s*\)")
#: the flag set's methods that define a flag by name: ``String``, ``StringVar``, ``Func``...
_KINDS = r"(?:Bool|Int|Int64|Uint|Uint64|String|Float64|Duration|TextVar|Text|Func|BoolFunc|Var)"
_DEFINE = (
    r"\.(?:{kinds})(?:Var)?\(\s*(?:&?[\w.\[\]]+\s*,\s*)?\"(?P<name>[A-Za-z0-9][\w.-]{{0,80}})\""
)


def ff_reads(text: str) -> list[EnvRead]:
    """The variables the flags of a Go file's ``ff.Parse`` calls are read from."""
    if "ff.Parse" not in text or not _IMPORT.search(text):
        return []
    setups: set[tuple[str, str]] = set()
    for m in _PARSE.finditer(text):
        options = m.group("options")
        given = _PREFIX.search(options)
        if given is not None:
            setups.add((m.group("set"), given.group("prefix").upper() + "_"))
        elif _ENV_VARS.search(options):
            setups.add((m.group("set"), ""))
    if len(setups) != 1:
        return []
    ((flag_set, prefix),) = setups
    receiver = "flag" if flag_set == "flag.CommandLine" else flag_set
    if not re.fullmatch(r"[A-Za-z_]\w*", receiver):
        return []
    define = re.compile(rf"\b{re.escape(receiver)}" + _DEFINE.format(kinds=_KINDS))
    reads = []
    for m in define.finditer(text):
        name = re.sub(r"[-.]", "_", m.group("name")).upper()
        reads.append(EnvRead(prefix + name, line_of(text, m.start()), "ff flag"))
    return reads
