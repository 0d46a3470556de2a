"""What a pull request changed: git plumbing, the diff, the ChangeSet and the PullRequest.

This package is the layer under the policy, the checks and the engine; it imports nothing
of theirs. The names below are the public API a check works with::

    from gatekeeper.changes import ChangeSet, ChangedFile, FileKind, FileStatus

Modules: :mod:`.git` (running git, revisions), :mod:`.trees` (blobs at a revision and
on disk), :mod:`.diff` (parsing git's diff output), :mod:`.build` (the ChangeSet from
git), :mod:`.changeset` (the ChangeSet itself), :mod:`.pullrequest` (the PR's metadata
and reviews), :mod:`.globs` (the path patterns every layer matches with), :mod:`.export` (a
revision's files written out to a folder, for checks that run them).
"""

from gatekeeper.changes.changeset import (
    DEFAULT_MAX_FILE_BYTES,
    ChangedFile,
    ChangeSet,
    FileKind,
    FileStatus,
    Tree,
)

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "ChangeSet",
    "ChangedFile",
    "FileKind",
    "FileStatus",
    "Tree",
]
