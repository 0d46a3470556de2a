"""Turn a source commit into a release commit's files (run by .github/workflows/release.yml).

- action.yml: ``image: Dockerfile`` becomes ``image: docker://<image>@<digest>``, so a
  workflow that uses the release pulls the published image instead of building one.
- in-job/gatekeeper.txt: the published wheel pinned by version and hash, which
  in-job/install.sh then installs instead of building the checkout.
- the release notes: the version's section of CHANGELOG.md, printed to stdout.

Usage: python .github/scripts/release_pin.py --version 1.2.3 \
           --image ghcr.io/owner/gatekeeper --digest sha256:... --wheel dist/x.whl
Fails (exit 1, naming what) when a file is not in the shape it expects.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "dod-gatekeeper"


class ReleaseError(Exception):
    """A file is not in the shape the release expects."""


def pin_image(action: str, image: str, digest: str) -> str:
    """action.yml's text with its image pinned by digest."""
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise ReleaseError(f"not an image digest: {digest!r}")
    if not re.fullmatch(r"ghcr\.io/[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._/-]*", image):
        raise ReleaseError(f"not a lowercase ghcr.io image name: {image!r}")
    pinned, count = re.subn(
        r"(?m)^(  image: )Dockerfile$", rf"\g<1>docker://{image}@{digest}", action
    )
    if count != 1:
        raise ReleaseError("action.yml: expected exactly one 'image: Dockerfile' line under runs")
    return pinned


def wheel_pin(wheel: Path, version: str) -> str:
    """in-job/gatekeeper.txt: the wheel's version and sha256, as pip --require-hashes reads."""
    name = wheel.name
    if not name.startswith(f"{PACKAGE.replace('-', '_')}-{version}-"):
        raise ReleaseError(f"{name} is not {PACKAGE} {version}'s wheel")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return (
        f"# The release's own wheel, installed by in-job/install.sh (written by the release).\n"
        f"{PACKAGE}=={version} --hash=sha256:{digest}\n"
    )


def notes(changelog: str, version: str) -> str:
    """The body of CHANGELOG.md's ``## [version]`` section."""
    match = re.search(rf"(?ms)^## \[{re.escape(version)}\][^\n]*\n(.*?)(?=^## \[|\Z)", changelog)
    if not match or not match[1].strip():
        raise ReleaseError(f"CHANGELOG.md has no '## [{version}]' section with notes")
    return match[1].strip() + "\n"


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--digest", required=True)
    parser.add_argument("--wheel", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        action = root / "action.yml"
        action.write_text(
            pin_image(action.read_text(encoding="utf-8"), args.image, args.digest),
            encoding="utf-8",
        )
        (root / "in-job" / "gatekeeper.txt").write_text(
            wheel_pin(args.wheel, args.version), encoding="utf-8"
        )
        sys.stdout.write(notes((root / "CHANGELOG.md").read_text(encoding="utf-8"), args.version))
    except (ReleaseError, OSError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
