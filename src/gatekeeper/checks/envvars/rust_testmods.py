"""A Rust file whose module its parent declares only for tests (``#[cfg(test)] mod x;``).

Inside a file, ``#[cfg(test)]`` items are blanked by the Rust reader (text_rust.py). A
whole test module kept in a file of its own, though, carries no mark: electric's
``src/wal/sim_tests.rs`` reads ``DS_DUMP_DIR`` for a forensic test, and only
``src/wal/mod.rs`` says ``#[cfg(test)] mod sim_tests;``. The compiler leaves such a file
out of every build but the test one, so its reads are test set-up, like those of a file
under ``tests/``. The parent is read on the same side as the file; a module declared
plainly, or under any other ``cfg``, is production code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

#: a ``mod NAME;`` declaration (any visibility), with the attribute right before it
_MOD = (
    r"(?P<cfg>#\[\s*cfg\s*\(\s*test\s*\)\s*\]\s*)?"
    r"(?<![\w:])(?:pub(?:\s*\([^()]*\))?\s+)?mod\s+{}\s*;"
)


def parents(path: str) -> tuple[str, list[str]]:
    """The module name of a ``.rs`` file and the files that may declare it: the
    directory's ``mod.rs``, ``lib.rs`` or ``main.rs``, or ``<dir>.rs`` beside the
    directory (a ``mod.rs`` is its directory's module, declared one level up)."""
    folder, name = posixpath.split(path)
    stem = name[: -len(".rs")]
    if stem == "mod":
        folder, stem = posixpath.split(folder)
    owners = [posixpath.join(folder, f) for f in ("mod.rs", "lib.rs", "main.rs")]
    if folder:
        owners.append(folder + ".rs")
    return stem, [o for o in owners if o != path]


def declared_for_tests(path: str, read: Callable[[str], str | None]) -> bool:
    """True when the parent module of the Rust file ``path`` declares it under
    ``#[cfg(test)]``, and nothing there declares it otherwise: no plain ``mod`` of the same
    name in another crate root beside it, no ``#[path = "..."]`` naming the file (which
    compiles it under another module's name). ``read`` gives a file's text on the side
    being scanned."""
    if not path.endswith(".rs"):
        return False
    stem, owners = parents(path)
    if not re.fullmatch(r"[A-Za-z_]\w*", stem):
        return False
    pattern = re.compile(_MOD.format(re.escape(stem)))
    file_name = posixpath.basename(path)
    for_tests = False
    for owner in owners:
        text = read(owner)
        if text is None:
            continue
        if "#[path" in text.replace(" ", "") and file_name in text:
            return False
        for m in pattern.finditer(text):
            if m.group("cfg") is None:
                return False
            for_tests = True
    return for_tests
