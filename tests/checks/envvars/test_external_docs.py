"""``checks.env-vars.external_docs``: documentation kept in another repository, checked
out beside this one, counts like the repository's own (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.checks.envvars.docs import Documentation
from gatekeeper.checks.envvars.external import read_external
from gatekeeper.cli import cli
from gatekeeper.model import Finding, plain_text
from gatekeeper.testing import context, defaults
from tests.conftest import GitRepo

READ = "import os\nKEY = os.environ['PAYMENT_API_KEY']\n"


def _run(repo: GitRepo, folders: list[str], *, head: str = READ) -> tuple[list[Finding], str]:
    base = repo.commit({"app.py": "import os\n", "README.md": "An app.\n"})
    sha = repo.commit({"app.py": head})
    check = EnvVarsCheck()
    with changeset_from_git(repo.root, base, sha) as changes:
        ctx = context(changes, {**defaults(check), "external_docs": folders})
        found = list(check.run(ctx))
    return found, plain_text(ctx.details)


def _site(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def test_a_variable_the_external_docs_name_passes(git_repo: GitRepo, tmp_path: Path) -> None:
    site = _site(tmp_path / "site", {"docs/config/env.mdx": "| `PAYMENT_API_KEY` | key |\n"})
    found, details = _run(git_repo, [str(site)])
    assert [f.rule for f in found] == []
    assert "1 documentation file read from checks.env-vars.external_docs" in details


def test_a_deployment_repositorys_env_file_documents_what_it_sets(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    # wger-project/docker keeps config/prod.env: the settings a deployment sets
    site = _site(tmp_path / "docker", {"config/prod.env": "PAYMENT_API_KEY=\n", "run.sh": "x\n"})
    found, details = _run(git_repo, [str(site)])
    assert [f.rule for f in found] == []
    assert "1 documentation file read" in details
    # an env file naming other variables documents only those
    other = _site(tmp_path / "other", {"config/prod.env": "OTHER_SETTING=1\n"})
    found, _ = _run(git_repo, [str(other)])
    assert [f.rule for f in found] == ["undocumented"]


COMPOSE = (
    "services:\n  web:\n    image: app\n    environment:\n      - DEBUG=1\n"
    "      - PAYMENT_API_KEY\n  worker:\n    environment:\n      QUEUE_URL: redis://r\n"
)


def test_a_compose_file_in_the_external_folder_documents_what_its_services_set(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    # readthedocs/common keeps the development stack in dockerfiles/docker-compose.yml,
    # passing RTD_BUILDER_TOKEN through to the builder
    site = _site(tmp_path / "common", {"dockerfiles/docker-compose.yml": COMPOSE})
    found, details = _run(git_repo, [str(site)])
    assert [f.rule for f in found] == []
    assert "1 documentation file read" in details


def test_other_yaml_and_a_compose_file_without_the_name_document_nothing(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    # a docs site's own configuration names keys, not what a deployment sets
    site = _site(
        tmp_path / "site",
        {
            "mkdocs.yml": "extra:\n  PAYMENT_API_KEY: x\n",
            "dockerfiles/docker-compose.yml": COMPOSE.replace("PAYMENT_API_KEY", "OTHER_KEY"),
            # the name in a compose file's other keys is no environment entry
            "compose.yaml": "services:\n  web:\n    labels:\n      PAYMENT_API_KEY: x\n",
        },
    )
    found, _ = _run(git_repo, [str(site)])
    assert [f.rule for f in found] == ["undocumented"]


def test_a_variable_the_external_docs_lack_still_fires(git_repo: GitRepo, tmp_path: Path) -> None:
    site = _site(tmp_path / "site", {"docs/config.md": "| `OTHER_SETTING` | x |\n"})
    found, _ = _run(git_repo, [str(site)])
    assert [f.rule for f in found] == ["undocumented"]
    assert "PAYMENT_API_KEY is read here" in found[0].message


def test_a_relative_folder_is_taken_from_the_repository_root(git_repo: GitRepo) -> None:
    """The workflow's second checkout lands in the workspace (``path: .external-docs/site``),
    untracked: read from disk, not from git."""
    _site(git_repo.root / ".external-docs" / "site", {"wiki/Env.md": "`PAYMENT_API_KEY`\n"})
    found, _ = _run(git_repo, [".external-docs/site/"])
    assert found == []


@pytest.mark.parametrize("kind", ["missing", "a-file"])
def test_a_folder_that_cannot_be_read_warns_and_fails_closed(
    git_repo: GitRepo, tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "nowhere"
    if kind == "a-file":
        folder.write_text("`PAYMENT_API_KEY`\n")
    found, _ = _run(git_repo, [str(folder)])
    assert sorted(f.rule for f in found) == ["external-docs-missing", "undocumented"]
    warning = next(f for f in found if f.rule == "external-docs-missing")
    assert str(folder) in warning.message
    assert "must check the documentation repository out there" in warning.message
    assert ("does not exist" if kind == "missing" else "is not a directory") in warning.message


def test_no_folder_configured_reads_nothing_and_says_nothing(git_repo: GitRepo) -> None:
    found, details = _run(git_repo, [])
    assert [f.rule for f in found] == ["undocumented"]
    assert "external_docs" not in details


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    outside = _site(tmp_path / "outside", {"secret.md": "`LEAKED_NAME`\n", "d/x.md": "`DEEP`\n"})
    site = _site(tmp_path / "site", {"own.md": "`OWN_NAME`\n"})
    os.symlink(outside / "secret.md", site / "linked.md")
    os.symlink(outside / "d", site / "linked-folder")
    doc = Documentation()
    read = read_external(tmp_path, [str(site)], doc, max_bytes=1000)
    assert set(doc.names) == {"OWN_NAME"}
    assert read.files == 1
    assert read.skipped == [f"{site}: 2 symbolic links not followed"]


def test_a_relative_folder_that_is_a_link_is_refused(git_repo: GitRepo, tmp_path: Path) -> None:
    """A PR could commit ``.external-docs`` as a link to anywhere on the runner."""
    _site(tmp_path / "elsewhere", {"x.md": "`PAYMENT_API_KEY`\n"})
    os.symlink(tmp_path / "elsewhere", git_repo.root / "docs-link")
    doc = Documentation()
    read = read_external(git_repo.root, ["docs-link"], doc, max_bytes=1000)
    assert doc.names == {}
    assert read.unusable == [("docs-link", f"{git_repo.root / 'docs-link'} is a symbolic link")]


def test_reading_is_bounded_and_says_what_was_left_out(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"p/{i:02}.md": f"`NAME_{i:02}`\n" for i in range(5)}
    files |= {"big.md": "`BIG_NAME`\n" + "x" * 200, "bin.md": b"`BIN_NAME`\0\n"}
    files |= {"latin.md": "`LATIN_NAMÉ` `LATIN_NAME`\n".encode("latin-1")}
    files |= {"image.png": b"\x89PNG `PNG_NAME`", ".git/x.md": "`GIT_NAME`\n"}
    site = _site(tmp_path / "site", files)
    doc = Documentation()
    read = read_external(tmp_path, [str(site)], doc, max_bytes=100, max_files=3)
    assert sorted(doc.names) == ["NAME_00", "NAME_01", "NAME_02"]
    assert read.files == 3
    assert read.skipped == [
        f"{site}: 2 binary or non-UTF-8 files",
        f"{site}: 2 files over the file limit",
        f"{site}: 1 file over the size limit",
    ]


def test_the_shown_place_is_the_configured_folder_and_the_path_inside(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """A read the change removes is still documented outside: named, not annotated."""
    _site(git_repo.root / "ext" / "site", {"docs/env.md": "\n`OLD_SETTING`\n"})
    base = git_repo.commit({"app.py": "import os\nX = os.environ['OLD_SETTING']\n"})
    head = git_repo.commit({"app.py": "import os\n"})
    check = EnvVarsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, {**defaults(check), "external_docs": ["ext/site"]})
        found = list(check.run(ctx))
    assert [f.rule for f in found] == ["documented-unused"]
    assert "still documented in ext/site/docs/env.md" in found[0].message
    assert found[0].location is None


def test_the_policy_accepts_a_list_and_refuses_anything_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    good = "version: 1\nchecks:\n  env-vars:\n    external_docs: [.external-docs/site]\n"
    (tmp_path / "good.yml").write_text(good)
    result = CliRunner().invoke(cli, ["policy", "validate", "good.yml"])
    assert result.exit_code == 0, result.output
    bad = "version: 1\nchecks:\n  env-vars:\n    external_docs: .external-docs/site\n"
    (tmp_path / "bad.yml").write_text(bad)
    result = CliRunner().invoke(cli, ["policy", "validate", "bad.yml"])
    assert result.exit_code == 2
    assert "bad.yml:4: checks.env-vars.external_docs" in result.output
