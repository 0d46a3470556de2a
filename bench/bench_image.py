"""The container action's cost on a runner: image size, pull and run time.

Issue 16's target: a PR's gate step on a warm runner in <= 20 s including the pull of the
published image. GHCR cannot be reached here, so this measures what a machine can:

- the image's size, and above its base (the base is a local stand-in here: its size is
  not the official one's, so the layers gatekeeper adds are the comparable figure);
- the pull size: the image's layers gzip-compressed, as a registry stores them;
- a pull from a registry on loopback (Debian's docker-registry, when installed: started
  here on 127.0.0.1:5055), of gatekeeper's layers with the base already present;
- ``docker run`` of the action on a demo PR (the gate/ finding of the smoke test) against
  the loopback GitHub, side by side with ``gatekeeper action`` run on the host.

Usage: python bench/bench_image.py [--image gatekeeper:ci] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import GitRepo  # noqa: E402
from tests.container.conftest import run_step, write_event  # noqa: E402
from tests.github.fakegithub import TOKEN, FakeGitHub  # noqa: E402
from tests.github.ghspec import FIXTURE, SpecValidator  # noqa: E402

REGISTRY = "127.0.0.1:5055"


def docker(*args: str, check: bool = True) -> str:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=check, timeout=1800
    ).stdout


def layer_sizes(image: str) -> tuple[int, int, int]:
    """(total bytes, bytes above the base, gzip bytes above the base) of the image."""
    total = int(docker("image", "inspect", "-f", "{{.Size}}", image))
    history = json.loads(docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", image))
    base_layers = 1  # the stand-in is one imported layer; the official base has one too
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["docker", "save", "-o", f"{tmp}/img.tar", image], check=True)
        subprocess.run(["tar", "-xf", f"{tmp}/img.tar", "-C", tmp], check=True)
        manifest = json.loads(Path(tmp, "manifest.json").read_text())[0]
        ours = manifest["Layers"][base_layers:]
        raw = sum(Path(tmp, layer).stat().st_size for layer in ours)
        packed = 0
        for layer in ours:
            out = io.BytesIO()
            with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as gz:
                gz.write(Path(tmp, layer).read_bytes())
            packed += out.tell()
    assert len(history) >= len(ours)
    return total, raw, packed


def registry_pull(image: str) -> dict[str, float] | None:
    """Seconds to pull the whole image, and gatekeeper's layers alone, from loopback."""
    binary = shutil.which("docker-registry")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp, "config.yml")
        config.write_text(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + tmp + "/data\n"
            f"http:\n  addr: {REGISTRY}\n",
            encoding="utf-8",
        )
        server = subprocess.Popen(
            [binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(2)
            remote = f"{REGISTRY}/gatekeeper:bench"
            docker("tag", image, remote)
            docker("push", remote)
            ident = docker("image", "inspect", "-f", "{{.Id}}", image).strip()
            # every tag of it goes, so its own layers go; the base's stay, as on a warm runner
            docker("rmi", "-f", ident)
            started = time.perf_counter()
            docker("pull", remote)
            pulled = time.perf_counter() - started
            docker("tag", remote, image)
            docker("rmi", remote)
            return {"pull (s)": pulled}
        finally:
            server.terminate()
            server.wait(timeout=30)


def run_times(image: str, runs: int) -> tuple[list[float], list[float]]:
    """Seconds for the container step, and for the same gate on the host, on a demo PR."""
    trimmed = json.loads(FIXTURE.read_text(encoding="utf-8"))["operations"]
    container, host = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            repo = GitRepo(Path(tmp) / "repo")
            base = repo.commit(
                {
                    ".github/gatekeeper.yml": "version: 1\nchecks:\n  gate: {severity: block}\n",
                    ".github/workflows/gatekeeper.yml": "on: pull_request\n",
                },
            )
            head = repo.commit({".github/workflows/gatekeeper.yml": "on: push\n"})
            write_event(Path(tmp), 1, base, head)
            server = FakeGitHub([SpecValidator(trimmed)]).start()
            env = {
                "GITHUB_API_URL": server.url,
                "INPUT_TOKEN": TOKEN,
                "GITHUB_EVENT_NAME": "pull_request",
                "INPUT_COMMENT": "false",
            }
            try:
                started = time.perf_counter()
                job = run_step(image, Path(tmp), repo.root, env)
                container.append(time.perf_counter() - started)
                assert job.code == 1, job.log
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "gatekeeper", "action"],
                    cwd=repo.root,
                    env={
                        "PATH": "/usr/bin:/bin",
                        **env,
                        "GITHUB_WORKSPACE": str(repo.root),
                        "GITHUB_EVENT_PATH": str(Path(tmp, "workflow", "event.json")),
                    },
                    capture_output=True,
                    check=False,
                    timeout=600,
                )
                host.append(time.perf_counter() - started)
            finally:
                server.stop()
    return container, host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="gatekeeper:ci")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    total, ours, packed = layer_sizes(args.image)
    print(
        f"image {args.image}: {total / 1e6:.0f} MB; gatekeeper's layers {ours / 1e6:.0f} MB, "
        f"{packed / 1e6:.0f} MB gzip-compressed (what a pull of them transfers)"
    )
    container, host = run_times(args.image, args.runs)
    print(
        f"gate step on a demo PR, median of {args.runs}: docker run "
        f"{statistics.median(container):.2f} s | the same on the host "
        f"{statistics.median(host):.2f} s"
    )
    pulled = registry_pull(args.image)
    if pulled is None:
        print("registry pull: not measured (apt-get install docker-registry to measure one)")
    else:
        print(
            "pull of gatekeeper's layers (base present) from a loopback registry: "
            f"{pulled['pull (s)']:.1f} s"
        )


if __name__ == "__main__":
    main()
