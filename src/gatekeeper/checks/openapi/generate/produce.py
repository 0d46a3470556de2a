"""Produce one side's document: write the revision out, run its generator as PR code, read
what it left, bounded.

The generator runs through :func:`gatekeeper.sandbox.run_untrusted` (no credentials,
another user when the gate is root, its own process group, time and memory limits,
refused in safe mode). It works in a copy of the revision made by
:func:`gatekeeper.changes.export.export_revision`, never in the checkout, and writes its
result into a folder of its own; the gate reads that result without following links and
up to the spec loader's size limit, then removes the copy, whatever happened.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.export import ExportError, export_revision, tree_id
from gatekeeper.checks.command.output import output_tail, redactions
from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.openapi.generate.cache import Cache
from gatekeeper.checks.openapi.generate.config import Generator
from gatekeeper.checks.openapi.generate.sources import Sources
from gatekeeper.checks.openapi.load import MAX_SPEC_BYTES, SpecError, parse
from gatekeeper.sandbox import Limits, Refused, read_left_file, run_untrusted, untrusted_env
from gatekeeper.sandbox import untrusted_identity as identity_for
from gatekeeper.sandbox.guard import secret_values

CHILD = Path(__file__).with_name("child.py")
#: the command's wrapper: its standard output (or the file it names) becomes the document
_WRAPPER = """\
out=$1; cmd=$2; file=$3
if [ -n "$file" ]; then
  eval "$cmd" || exit $?
  exec cat -- "$file" > "$out"
fi
eval "$cmd" > "$out"
"""


class GenerateFailed(Exception):
    """The generator did not produce a usable document; ``output`` is its last lines."""

    def __init__(self, reason: str, output: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.output = output


@dataclass(frozen=True)
class Produced:
    """One side's document (pretty-printed JSON, so lines mean something) and where its
    operations and schemas are written in code."""

    document: bytes
    sources: Sources
    cached: bool = False


def produce(
    gen: Generator,
    changes: ChangeSet,
    rev: str,
    *,
    scratch: Path,
    remaining: float,
    cache: Cache | None,
) -> Produced:
    """The document of revision ``rev`` (a sha, or the ChangeSet's ``index``/``worktree``
    label); raises :class:`GenerateFailed`, or CheckError when it could not even start."""
    try:
        tree = tree_id(changes.root, rev)
    except ExportError as exc:
        raise CheckError(f"{gen.name}: {exc.message}") from None
    key = cache.key(tree, gen) if cache is not None and tree is not None and gen.cache else None
    if key is not None and cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return Produced(hit[0], Sources.parse(hit[1]), cached=True)
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="generate-", dir=scratch))
    try:
        os.chmod(folder, 0o711)  # the generator's user passes through to its own folders
        document, raw = _generate(gen, changes, tree, folder, remaining)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sources = Sources.parse(raw)
    if key is not None and cache is not None:
        cache.put(key, document, sources.to_json())
    return Produced(document, sources)


def _generate(
    gen: Generator, changes: ChangeSet, tree: str | None, folder: Path, remaining: float
) -> tuple[bytes, Any]:
    ident = identity_for(changes.root)
    if tree is None:  # the working tree: the files on disk are the revision
        files = changes.root
    else:
        files = folder / "tree"
        files.mkdir()
        try:
            export_revision(changes.root, tree, files, timeout=remaining)
        except ExportError as exc:
            raise CheckError(f"{gen.name}: {exc.message}") from None
        if ident is not None:
            _hand_over(files, ident.uid, ident.gid)
    cwd = _inside(files, gen.cwd, f"{gen.name}: cwd")
    work = folder / "out"
    work.mkdir()
    log = folder / "log"
    env = untrusted_env(os.environ, _env(gen, files))
    argv = _argv(gen, work)
    limit = max(1.0, min(gen.timeout, remaining))
    try:
        ran = run_untrusted(
            argv,
            checkout=changes.root,
            cwd=cwd,
            env=env,
            limits=Limits(limit, gen.memory_mb),
            output=log,
            writable=[work],
        )
    except Refused as exc:
        raise CheckError(f"{gen.name} was not generated: {exc}") from exc
    except (FileNotFoundError, PermissionError) as exc:
        raise GenerateFailed(f"`{argv[0]}` could not be run ({exc.strerror or exc})") from None
    tail = output_tail(log, (*redactions(env, gen.env), *secret_values()))
    if ran.returncode is None:
        raise GenerateFailed(f"was killed after {limit:g} s (its time limit)", tail)
    if ran.returncode != 0:
        raise GenerateFailed(f"exited with status {ran.returncode}", tail)
    return _result(gen, work, tail)


def _hand_over(files: Path, uid: int, gid: int) -> None:
    """Give the written-out revision to the user the generator runs as (links themselves)."""
    os.chown(files, uid, gid)
    for folder, dirs, names in os.walk(files):
        for name in (*dirs, *names):
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def _inside(root: Path, rel: str, label: str) -> Path:
    """``root/rel`` when it is a folder that stays inside ``root`` (links resolved)."""
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_dir():
        raise CheckError(f"{label}: {rel!r} is not a folder of the repository")
    return path


def _env(gen: Generator, files: Path) -> dict[str, str]:
    paths = [str(_inside(files, p, f"{gen.name}: pythonpath")) for p in gen.pythonpath]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    extra = {**gen.env, "PYTHONDONTWRITEBYTECODE": "1"}
    if paths:
        extra["PYTHONPATH"] = os.pathsep.join(paths)
    return extra


def _argv(gen: Generator, work: Path) -> list[str]:
    if gen.command:
        return ["/bin/sh", "-c", _WRAPPER, "sh", str(work / "document"), gen.command, gen.output]
    source = CHILD.read_text(encoding="utf-8")
    result = str(work / "result.json")
    args = [gen.framework, gen.app, gen.settings, gen.urlconf, result]
    return [gen.interpreter, "-c", source, *args]


def _result(gen: Generator, work: Path, tail: str) -> tuple[bytes, Any]:
    """The document (re-printed as indented JSON) and the sources the generator left."""
    name = "result.json" if not gen.command else "document"
    try:
        data = read_left_file(work / name, MAX_SPEC_BYTES)
    except OSError as exc:
        raise GenerateFailed(f"left no document ({exc})", tail) from None
    sources: Any = {}
    try:
        if gen.command:
            document: Any = parse(data, gen.name)
        else:
            parsed = json.loads(data)
            document, sources = parsed.get("document"), parsed.get("sources")
    except SpecError as exc:
        what = f"printed something that is not YAML or JSON ({exc.message})"
        raise GenerateFailed(what, tail) from None
    except (ValueError, AttributeError, RecursionError):
        raise GenerateFailed("left a result that is not JSON", tail) from None
    if not isinstance(document, dict) or not ({"openapi", "swagger"} & set(document)):
        what = "printed nothing" if not data.strip() else "printed no OpenAPI document"
        raise GenerateFailed(f"{what} (no top-level `openapi` or `swagger` key)", tail)
    try:
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        raise GenerateFailed("made a document that cannot be written as JSON", tail) from None
    pretty = text.encode("utf-8") + b"\n"
    if len(pretty) > MAX_SPEC_BYTES:
        raise GenerateFailed(f"made a document over {MAX_SPEC_BYTES // (1024 * 1024)} MB", tail)
    return pretty, sources
