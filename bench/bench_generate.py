"""What generating API documents costs the gate, beside what the framework itself costs.

No peer tool generates documents from code (oasdiff, optic and api-smart-diff all take two
files), so the reference is the framework alone: one fresh interpreter that imports the
application and prints its document, once per side. For the FastAPI and the DRF +
drf-spectacular applications of the tests it times, each in a temporary repository:

- framework: ``python -c`` importing the app and printing its document, base + head;
- gate, cold: ``gatekeeper run`` on base..head with an empty cache (both sides made);
- gate, warm: the same run again (both sides from the cache).

Usage: python bench/bench_generate.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.checks.openapi.generate import apps  # noqa: E402
from tests.conftest import GitRepo  # noqa: E402

CASES = {
    "fastapi": (
        {"framework": "fastapi", "app": "shop.main:app"},
        {"shop/__init__.py": "", "shop/main.py": apps.FASTAPI_APP},
        {"shop/main.py": apps.FASTAPI_APP.replace("    price: float\n    tags", "    tags")},
        "import shop.main, json; json.dumps(shop.main.app.openapi())",
    ),
    "drf": (
        {"framework": "django", "settings": "mysite.settings"},
        apps.DRF_PROJECT,
        {"shop/serializers.py": apps.DRF_SERIALIZERS + "    sku = serializers.CharField()\n"},
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'mysite.settings'; "
        "django.setup(); from drf_spectacular.generators import SchemaGenerator; "
        "SchemaGenerator().get_schema(request=None, public=True)",
    ),
}


def _timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=False, capture_output=True)
    return time.perf_counter() - start


def bench(name: str, repeat: int) -> dict[str, float]:
    generate, base, head, raw = CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo")
        policy = "version: 1\nchecks:\n  openapi:\n    generate: " + json.dumps(generate) + "\n"
        base_sha = repo.commit({".github/gatekeeper.yml": policy, **base}, "base")
        head_sha = repo.commit(dict(head), "head")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        gate = [sys.executable, "-m", "gatekeeper", "run", "--base", base_sha, "--head", head_sha]
        out: dict[str, list[float]] = {"framework": [], "cold": [], "warm": []}
        for n in range(repeat):
            out["framework"].append(2 * _timed([sys.executable, "-c", raw], repo.root, env))
            env["GATEKEEPER_CACHE_DIR"] = str(Path(tmp) / f"cache-{n}")
            out["cold"].append(_timed(gate, repo.root, env))
            out["warm"].append(_timed(gate, repo.root, env))
    return {k: min(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    args = parser.parse_args()
    print(f"{'app':8} {'framework x2':>13} {'gate cold':>10} {'gate warm':>10}")
    for name in CASES:
        f = bench(name, args.repeat)
        print(f"{name:8} {f['framework']:12.2f}s {f['cold']:9.2f}s {f['warm']:9.2f}s")


if __name__ == "__main__":
    main()
