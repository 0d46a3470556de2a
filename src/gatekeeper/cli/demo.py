"""``gatekeeper demo``: a newcomer's first minute.

Builds a small repository in a temp dir, opens an "agent-authored" change on it that
breaks the Definition of Done (code without tests, an API break, an irreversible
migration, an undocumented setting, a hard-coded key), runs the gate with the built-in
default policy plus two team rules, and prints the blocked verdict. No server, no token.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import click

from gatekeeper.changes.pullrequest import PullRequest

POLICY = """\
version: 1
extends: [recommended]
checks:
  cochange:
    - when: ["src/**/*.py"]
      require: ["tests/**"]
      message: "Code changes need tests"
"""

OPENAPI_BASE = """\
openapi: 3.0.3
info: {title: Shop, version: 1.0.0}
paths:
  /orders/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: An order
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                  total: {type: number}
"""

_NEW_PARAM = "        - {name: currency, in: query, required: true, schema: {type: string}}\n"
OPENAPI_HEAD = OPENAPI_BASE.replace("                  total: {type: number}\n", "").replace(
    "      parameters:\n", "      parameters:\n" + _NEW_PARAM
)

BASE_FILES = {
    ".github/gatekeeper.yml": POLICY,
    "openapi.yaml": OPENAPI_BASE,
    "src/shop/orders.py": "def total(order):\n    return sum(i['price'] for i in order['items'])\n",
    "tests/test_orders.py": "from shop.orders import total\n\n\ndef test_total():\n"
    "    assert total({'items': [{'price': 2}]}) == 2\n",
    "migrations/001_orders.up.sql": "CREATE TABLE orders (id text PRIMARY KEY, total numeric);\n",
    "migrations/001_orders.down.sql": "DROP TABLE orders;\n",
    ".env.example": "DATABASE_URL=postgres://localhost/shop\n",
}

HEAD_FILES = {
    "openapi.yaml": OPENAPI_HEAD,
    "src/shop/export.py": (
        "import os\n\nimport boto3\n\n"
        'AWS_KEY = "AKIAIOSFODNN7EXAMPLE"\n'
        'AWS_SECRET = "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"\n\n\n'
        "def export_orders(db, order_ids):\n"
        '    bucket = os.environ["EXPORT_BUCKET"]\n'
        "    query = f\"SELECT * FROM orders WHERE id IN ({','.join(order_ids)})\"\n"
        "    rows = db.execute(query)\n"
        "    return boto3.client('s3').put_object(Bucket=bucket, Body=str(rows))\n"
    ),
    "migrations/002_drop_total.up.sql": "ALTER TABLE orders DROP COLUMN total;\n",
    "migrations/002_drop_total.down.sql": "",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)


def _write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def build_demo_repo(repo: Path) -> None:
    """A repository with a base commit on main and an agent's branch on top of it."""
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "Demo"),
        ("user.email", "demo@example.com"),
        ("commit.gpgsign", "false"),
    ):
        _git(repo, "config", key, value)
    _write(repo, BASE_FILES)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Shop service")
    _git(repo, "checkout", "-q", "-b", "copilot/export-orders")
    _write(repo, HEAD_FILES)
    _git(repo, "add", "-A")
    _git(
        repo,
        "commit",
        "-q",
        "-m",
        "Add order export\n\nCo-authored-by: Copilot <copilot@github.com>",
    )


DEMO_PR = PullRequest(
    number=42,
    title="Add order export",
    body="Exports orders to S3.",
    author="Copilot",
    author_type="Bot",
    head_ref="copilot/export-orders",
    base_ref="main",
)


def write_event(path: Path) -> None:
    """The demo PR as a GitHub ``pull_request`` event, for ``gatekeeper run --pr-event``."""
    import json

    event = {
        "pull_request": {
            "number": DEMO_PR.number,
            "title": DEMO_PR.title,
            "body": DEMO_PR.body,
            "user": {"login": DEMO_PR.author, "type": DEMO_PR.author_type},
            "head": {"ref": DEMO_PR.head_ref},
            "base": {"ref": DEMO_PR.base_ref},
        }
    }
    path.write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")


def rerun_command(folder: Path) -> str:
    """The command that gives the demo's verdict again in a kept folder."""
    import shlex

    repo = shlex.quote(str(folder / "shop"))
    return f"cd {repo} && gatekeeper run --base main --pr-event ../{EVENT_FILE}"


EVENT_FILE = "pr-event.json"


@click.command()
@click.option(
    "--keep",
    is_flag=True,
    help="Keep the example repository, and print how to rerun the gate in it.",
)
@click.option(
    "--format",
    "fmt",
    default="terminal",
    show_default=True,
    help="Report format to show (json, junit, markdown, sarif, terminal).",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="List notices and waived findings too (terminal)."
)
def demo(keep: bool, fmt: str, verbose: bool) -> None:
    """Build an example repository with an agent's PR that breaks the DoD, and judge it."""
    from gatekeeper.cli.common import check_format

    check_format(fmt, "--format")  # before the minute the demo takes, not after it
    if keep:
        folder = Path(tempfile.mkdtemp(prefix="gatekeeper-demo-"))
        met = _judge(folder, fmt, kept=True, verbose=verbose)
        click.echo(
            f"\nKept the example repository: {folder / 'shop'}\n"
            f"Rerun the same verdict there:\n  {rerun_command(folder)}",
            err=True,
        )
    else:
        with tempfile.TemporaryDirectory(prefix="gatekeeper-demo-") as tmp:
            met = _judge(Path(tmp), fmt, kept=False, verbose=verbose)
    outcome = "blocked, as it should be" if not met else "met (unexpected for this demo)"
    click.echo(
        f"\nThe demo PR is {outcome}. In CI the same verdict becomes a required check.", err=True
    )


def _judge(folder: Path, fmt: str, *, kept: bool, verbose: bool = False) -> bool:
    """Build the example in ``folder``, judge its PR, print the report; True when met."""
    from gatekeeper.cli.common import terminal_width
    from gatekeeper.pipeline import GateOptions, run_gate
    from gatekeeper.report import render

    repo = folder / "shop"
    build_demo_repo(repo)
    write_event(folder / EVENT_FILE)
    where = str(repo) if kept else "a temporary folder (deleted afterwards; --keep keeps it)"
    click.echo(
        f"Example repository: {where}; PR #42 by Copilot (branch copilot/export-orders) "
        "against main.\n",
        err=True,
    )
    verdict = run_gate(GateOptions(root=repo, base="main", head="HEAD", pr=DEMO_PR))
    tty = _tty()
    width = terminal_width(None, tty)
    text = render(fmt, verdict, color=fmt == "terminal" and tty, width=width, verbose=verbose)
    click.echo(text, nl=False)
    return verdict.met


def _tty() -> bool:
    import sys

    return sys.stdout.isatty()
