"""Running git safely, and the questions about revisions the rest of gatekeeper asks.

Every git call goes through :func:`run_git`: an argument list (never a shell),
``core.quotepath=false`` so paths come back as UTF-8 bytes, and no prompts. Above it sit
the repository's root, revisions resolved to shas, the default branch, merge-bases and
fetching what a shallow clone lacks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from gatekeeper.errors import GitError

#: seconds a fetch of a missing base may take before we give up and say what to set
FETCH_TIMEOUT = 300.0
#: what to do when a commit is missing from a shallow clone
FETCH_HINT = (
    "With actions/checkout, set `fetch-depth: 0` so the history is there "
    "(or fetch the base commit yourself before running gatekeeper)."
)
_GIT_CONFIG = ("-c", "core.quotepath=false")
_DEFAULT_BRANCHES = (
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
    "refs/heads/main",
    "refs/heads/master",
)


def git_command(*args: str) -> list[str]:
    """The argument list that runs ``git args`` the way :func:`run_git` does."""
    return [git_executable(), *_GIT_CONFIG, *args]


def git_executable() -> str:
    """The path of the git executable; a clear GitError when git is not installed."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed or not on PATH: install git (2.30 or newer)")
    return exe


def git_env() -> dict[str, str]:
    """The environment every git process runs in."""
    env = dict(os.environ)
    # Never wait for a password on fetch, never take the index lock just to refresh
    # stat data (checks may run while an editor or a hook uses the repository).
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["LC_ALL"] = "C"
    # git 2.40+ reads attributes from this tree-ish when set: never from one the PR chose
    env.pop("GIT_ATTR_SOURCE", None)
    return env


def run_git(
    root: Path,
    *args: str,
    stdin: bytes | None = None,
    check: bool = True,
    config: Sequence[str] = (),
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args`` in ``root`` and capture its output as bytes.

    ``config`` holds extra ``-c name=value`` pairs, ``env`` extra environment variables.
    With ``check`` a failure raises a GitError naming the command and git's own message;
    so does running past ``timeout``.
    """
    cmd = [git_executable(), *_GIT_CONFIG]
    for item in config:
        cmd += ["-c", item]
    cmd += args
    try:
        done = subprocess.run(
            cmd,
            check=False,
            cwd=root,
            input=stdin,
            capture_output=True,
            env={**git_env(), **(env or {})},
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise GitError(f"cannot run git in {root}: {exc.strerror}") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} did not finish within {timeout:g} s") from exc
    if check and done.returncode != 0:
        raise GitError(f"git {args[0]} failed: {stderr_text(done)}")
    return done


def stream_git(
    root: Path,
    *args: str,
    config: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[bytes]:
    """Run ``git args`` in ``root`` and yield its output in chunks, as it comes.

    For output that can be as large as the change (a diff with its patch): nothing is
    kept, so memory does not grow with it. A failure raises GitError once the output
    has been read, naming the command and git's own message.
    """
    cmd = [git_executable(), *_GIT_CONFIG]
    for item in config:
        cmd += ["-c", item]
    cmd += args
    with tempfile.TemporaryFile() as errors:  # a file: a full stderr pipe cannot block git
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=root,
                stdout=subprocess.PIPE,
                stderr=errors,
                env={**git_env(), **(env or {})},
            )
        except FileNotFoundError as exc:
            raise GitError(f"cannot run git in {root}: {exc.strerror}") from exc
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read(1 << 16):
                yield chunk
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            text = " ".join(errors.read().decode("utf-8", "replace").split())
            raise GitError(f"git {args[0]} failed: {text or f'exit status {code}'}")


def stderr_text(done: subprocess.CompletedProcess[bytes]) -> str:
    """git's error output as one trimmed line of text."""
    text = done.stderr.decode("utf-8", "replace").strip()
    return " ".join(text.split()) or f"exit status {done.returncode}"


def decode_path(raw: bytes) -> str:
    """A path as git printed it (bytes) as str; bytes that are not UTF-8 survive a round trip."""
    return raw.decode("utf-8", "surrogateescape")


def encode_path(path: str) -> bytes:
    """The inverse of :func:`decode_path`."""
    return path.encode("utf-8", "surrogateescape")


def check_path(path: str) -> str:
    """Refuse a path that is empty, absolute or climbs out of the repository with '..'."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\0" in path or ".." in parts:
        raise GitError(
            f"refusing to read {path!r}: paths must be relative to the repository root "
            "and stay inside it (no leading '/', no '..')"
        )
    return path


def split_z(out: bytes) -> list[str]:
    """NUL-separated git output as a list of paths."""
    return [decode_path(p) for p in out.split(b"\0") if p]


def find_repo_root(path: Path | str = ".") -> Path:
    """The top directory of the git working tree that contains ``path``."""
    start = Path(path)
    if not start.exists():
        raise GitError(f"{start} does not exist: pass the path of a git repository")
    where = start if start.is_dir() else start.parent
    done = run_git(where, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        message = stderr_text(done)
        if "dubious ownership" in message:
            raise GitError(
                f"git refuses to work in {where}: it belongs to another user. Run "
                f"`git config --global --add safe.directory {where}` and try again."
            )
        raise GitError(
            f"{start} is not inside a git working tree: run gatekeeper from a clone "
            "(or pass its path)."
        )
    return Path(os.fsdecode(done.stdout.rstrip(b"\n")))


def try_resolve(root: Path, rev: str) -> str | None:
    if not rev or rev.startswith("-"):
        return None  # never let a revision be read as an option
    done = run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def resolve_commit(root: Path, rev: str) -> str:
    """The full sha of the commit ``rev`` names (a sha, branch, tag, HEAD~2...)."""
    sha = try_resolve(root, rev)
    if sha is None:
        hint = f" This is a shallow clone. {FETCH_HINT}" if is_shallow(root) else ""
        raise GitError(
            f"unknown revision {rev!r}: no commit, branch or tag by that name in {root}. "
            f"Check the name, or fetch it first.{hint}"
        )
    return sha


def is_shallow(root: Path) -> bool:
    """True in a shallow clone (history cut at some depth)."""
    done = run_git(root, "rev-parse", "--is-shallow-repository", check=False)
    return done.stdout.strip() == b"true"


def current_branch(root: Path) -> str:
    """The ref HEAD is on (``refs/heads/x``), or "" when HEAD is detached."""
    done = run_git(root, "symbolic-ref", "-q", "HEAD", check=False)
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else ""


def default_branch(root: Path, exclude: Sequence[str] = ()) -> str:
    """The ref of the default branch: origin/HEAD's target, else origin/main,
    origin/master, main, master (the first that exists).

    HEAD's own branch is never the answer (nor a ref in ``exclude``): in a single-branch
    clone of a pull request's branch called ``main`` it would be, and the change would be
    compared with itself.
    """
    out = run_git(
        root,
        "for-each-ref",
        "--format=%(refname)%00%(symref)",
        "refs/remotes/origin/HEAD",
        *_DEFAULT_BRANCHES,
    ).stdout.decode("utf-8", "replace")
    refs: dict[str, str] = {}
    for line in out.splitlines():
        name, _, target = line.partition("\0")
        refs[name] = target
    own = {current_branch(root), *exclude} - {""}
    target = refs.get("refs/remotes/origin/HEAD", "")
    if target and target not in own and try_resolve(root, target):
        return target
    for ref in _DEFAULT_BRANCHES:
        if ref in refs and ref not in own:
            return ref
    mine = f" other than HEAD's own branch ({', '.join(sorted(own))})" if own else ""
    raise GitError(
        "cannot tell the default branch (no origin/HEAD, origin/main, origin/master, main "
        f"or master{mine}): pass the base revision explicitly (--base)."
    )


def merge_base(root: Path, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None when git finds none."""
    done = run_git(root, "merge-base", a, b, check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def has_origin(root: Path) -> bool:
    return run_git(root, "remote", "get-url", "origin", check=False).returncode == 0


def fetch(root: Path, *args: str) -> str | None:
    """Run ``git fetch --no-tags args``; None on success, else git's message."""
    try:
        done = run_git(
            root, "fetch", "--quiet", "--no-tags", *args, check=False, timeout=FETCH_TIMEOUT
        )
    except GitError as exc:
        return exc.message
    return None if done.returncode == 0 else stderr_text(done)


def empty_tree(root: Path) -> str:
    return run_git(root, "hash-object", "-t", "tree", "--stdin", stdin=b"").stdout.decode().strip()


def diff_without_attributes(
    root: Path, args: Sequence[str], config: Sequence[str], env: Mapping[str, str]
) -> Iterator[bytes]:
    """The output of ``git args`` (a diff of two trees), in chunks, with no
    ``.gitattributes`` read.

    git reads attributes from the work tree, falling back to the index; a pull request
    writes both, and ``binary``, ``-diff`` or a ``diff=`` driver there would hide its own
    lines. git 2.39 has no ``--attr-source``, so the diff runs against the repository's
    objects with an empty work tree and an index that does not exist; the system and
    global attribute files are switched off by the caller's ``env`` and ``config``.
    (``$GIT_DIR/info/attributes`` still applies: the runner's, not the PR's; the
    ChangeSet decides binary by content anyway.)
    """
    git_dir = run_git(root, "rev-parse", "--absolute-git-dir").stdout.decode().strip()
    with tempfile.TemporaryDirectory(prefix="gatekeeper-diff-") as empty:
        extra = {
            **env,
            "GIT_DIR": git_dir,
            "GIT_WORK_TREE": empty,
            "GIT_INDEX_FILE": os.path.join(empty, "no-index"),
        }
        # streamed (see stream_git): the empty work tree lives until the output is read
        yield from stream_git(Path(empty), *args, config=config, env=extra)


def index_tree(root: Path) -> str:
    """The sha of a tree holding exactly what the index holds (``git write-tree``)."""
    done = run_git(root, "write-tree", check=False)
    if done.returncode != 0:
        raise GitError(
            f"cannot read the staged changes: git write-tree failed ({stderr_text(done)}); "
            "resolve the unmerged paths and stage them first"
        )
    return done.stdout.decode().strip()


#: the most commits whose messages are read for agent signals (a PR is far smaller)
MAX_COMMITS = 1000


def commit_messages(root: Path, base: str, head: str) -> list[tuple[str, str]]:
    """(``Name <email>`` of the author, message) of the commits in ``base..head``."""
    done = run_git(
        root,
        "log",
        f"--max-count={MAX_COMMITS}",
        "--format=%an <%ae>%x1f%B%x1e",
        f"{base}..{head}",
        "--",
        check=False,
    )
    if done.returncode != 0:
        return []
    out = []
    for record in done.stdout.decode("utf-8", "replace").split("\x1e"):
        author, sep, message = record.strip("\n").partition("\x1f")
        if sep:
            out.append((author, message))
    return out
