"""Generation through the gate with command generators: failures, safe mode, the cache."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import Verdict, plain_text
from tests.checks.openapi.generate.apps import judge, openapi_results, rules_by_severity
from tests.conftest import GitRepo


def spec(*paths: str, version: str = "1.0.0") -> str:
    """A small OpenAPI document with one GET per path."""
    ok = {"200": {"description": "ok"}}
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": version},
            "paths": {
                p: {"get": {"operationId": p.strip("/") or "root", "responses": ok}} for p in paths
            },
        }
    )


#: prints the document kept in api.txt (a name the committed-spec discovery never reads)
GEN = "import sys\nsys.stdout.write(open('api.txt').read())\n"


def policy(command: str, **extra: object) -> str:
    entry = {"command": command, **extra}
    return "version: 1\nchecks:\n  openapi:\n    generate: " + json.dumps(entry) + "\n"


def _outcome(verdict: Verdict) -> tuple[str, str]:
    outcome = next(o for o in verdict.outcomes if o.check == "openapi")
    return outcome.summary, plain_text(outcome.details)


def test_a_printed_document_is_compared_and_a_removed_path_blocks(git_repo: GitRepo) -> None:
    base = {"gen.py": GEN, "api.txt": spec("/a", "/b")}
    verdict = judge(git_repo, policy(f"{sys.executable} gen.py"), base, {"api.txt": spec("/a")})
    assert "api-path-removed-without-deprecation" in rules_by_severity(verdict)["BLOCK"]


def test_a_document_written_to_a_file_is_read_from_there(git_repo: GitRepo) -> None:
    command = f"{sys.executable} -c \"import shutil; shutil.copy('api.txt', 'out.yaml')\""
    base = {"api.txt": spec("/a", "/b")}
    verdict = judge(git_repo, policy(command, output="out.yaml"), base, {"api.txt": spec("/a")})
    assert not verdict.met
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.location is not None and found.finding.location.path == "out.yaml"


def test_a_generator_that_crashes_at_head_blocks_with_its_output(git_repo: GitRepo) -> None:
    crash = (
        "import os, sys\nprint('starting', os.environ.get('API_TOKEN'), file=sys.stderr)\n"
        "raise SystemExit('no app here')\n"
    )
    command = f"{sys.executable} gen.py"
    base = {"gen.py": GEN, "api.txt": spec("/a")}
    pol = policy(command, env={"API_TOKEN": "tok-123456789"})
    verdict = judge(git_repo, pol, base, {"gen.py": crash})
    assert not verdict.met
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.rule == "generate-failed"
    assert "exited with status 1" in found.finding.message
    assert "no app here" in found.finding.message
    # a secret-looking variable's value is masked in the output shown
    assert "tok-123456789" not in found.finding.message and "starting ***" in found.finding.message


def test_a_generator_that_prints_no_document_blocks(git_repo: GitRepo) -> None:
    base = {"gen.py": GEN, "api.txt": spec("/a")}
    head = {"api.txt": '{"hello": "world"}'}
    verdict = judge(git_repo, policy(f"{sys.executable} gen.py"), base, head)
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.rule == "generate-failed"
    assert "printed no OpenAPI document" in found.finding.message


def test_a_generator_past_its_time_limit_is_killed_and_blocks(git_repo: GitRepo) -> None:
    slow = "import time\ntime.sleep(600)\n"
    base = {"gen.py": GEN, "api.txt": spec("/a")}
    verdict = judge(git_repo, policy(f"{sys.executable} gen.py", timeout=1), base, {"gen.py": slow})
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.rule == "generate-failed"
    assert "killed after 1 s" in found.finding.message


def test_a_base_that_cannot_generate_is_a_clear_warning_not_a_block(git_repo: GitRepo) -> None:
    base = {"gen.py": "raise SystemExit('base is broken')\n", "api.txt": spec("/a")}
    head = {"gen.py": GEN}
    verdict = judge(git_repo, policy(f"{sys.executable} gen.py"), base, head)
    assert verdict.met
    (found,) = openapi_results(verdict)
    assert found.finding.rule == "generate-base-failed"
    assert found.severity.name == "WARN"
    message = found.finding.message
    assert "could not be generated at the base commit" in message
    assert "fix the generator on the base branch" in message and "base is broken" in message
    summary, _ = _outcome(verdict)
    assert "not compared" in summary


def test_a_base_that_cannot_generate_blocks_when_the_change_touches_dependencies(
    git_repo: GitRepo,
) -> None:
    base = {"gen.py": "raise SystemExit('base is broken')\n", "api.txt": spec("/a")}
    head = {"gen.py": GEN, "requirements.txt": "fastapi==0.1\n"}
    verdict = judge(git_repo, policy(f"{sys.executable} gen.py"), base, head)
    assert not verdict.met
    (found,) = openapi_results(verdict)
    assert found.finding.rule == "generate-base-failed" and found.blocking
    assert "requirements.txt" in found.finding.message


def test_safe_mode_runs_no_generator_and_still_compares_committed_specs(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    command = f"echo ran >> {marker}; {sys.executable} gen.py"
    base = {"gen.py": GEN, "api.txt": spec("/a"), "openapi.yaml": spec("/x", "/y")}
    head = {"api.txt": "", "openapi.yaml": spec("/x")}
    verdict = judge(git_repo, policy(command), base, head, safe=True)
    assert not marker.exists(), "pull_request_target ran the PR's generator"
    # the committed spec is still compared, and the note says why nothing was generated
    assert "api-path-removed-without-deprecation" in rules_by_severity(verdict)["BLOCK"]
    assert any("the openapi check runs with generate: off" in n for n in verdict.notes)
    # outside safe mode the same change runs it (and the emptied document blocks)
    verdict = judge(git_repo, policy(command), {}, {"README.md": "again\n"})
    assert marker.is_file()


def test_safe_mode_says_nothing_of_generation_when_none_is_configured(git_repo: GitRepo) -> None:
    pol = "version: 1\nchecks:\n  openapi: {}\n"
    verdict = judge(
        git_repo, pol, {"openapi.yaml": spec("/x")}, {"openapi.yaml": spec("/x", "/y")}, safe=True
    )
    assert not any("openapi" in n for n in verdict.notes)


def test_the_cache_serves_both_sides_on_the_second_run(git_repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "runs"
    command = f"echo run >> {marker}; {sys.executable} gen.py"
    base = {"gen.py": GEN, "api.txt": spec("/a")}
    head = {"api.txt": spec("/a", "/b")}
    first = judge(git_repo, policy(command), base, head)
    assert marker.read_text().count("run") == 2  # base and head, once each
    assert "base generated, head generated" in _outcome(first)[0]
    # the same change again: nothing runs; a third commit on the same base runs head only
    again = judge_again(git_repo, first)
    assert marker.read_text().count("run") == 2
    assert "base from the cache, head from the cache" in _outcome(again)[0]
    assert _outcome(again)[1] == _outcome(first)[1]  # the same changelog, byte for byte


def test_no_cache_when_the_policy_turns_it_off(git_repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "runs"
    command = f"echo run >> {marker}; {sys.executable} gen.py"
    verdict = judge(
        git_repo,
        policy(command, cache=False),
        {"gen.py": GEN, "api.txt": spec("/a")},
        {"api.txt": spec("/a", "/b")},
    )
    judge_again(git_repo, verdict)
    assert marker.read_text().count("run") == 4


def test_a_change_outside_the_inputs_generates_nothing(git_repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "runs"
    command = f"echo run >> {marker}; {sys.executable} gen.py"
    pol = policy(command, inputs=["src/**"])
    verdict = judge(git_repo, pol, {"gen.py": GEN, "api.txt": spec("/a")}, {"README.md": "x\n"})
    assert not marker.exists()
    assert verdict.met


def test_two_generators_with_one_name_are_an_error(git_repo: GitRepo) -> None:
    entry = {"command": "true"}
    pol = "version: 1\nchecks:\n  openapi:\n    generate: " + json.dumps([entry, entry]) + "\n"
    verdict = judge(git_repo, pol, {"a.py": ""}, {"a.py": "x = 1\n"})
    outcome = next(o for o in verdict.outcomes if o.check == "openapi")
    assert "share a name" in outcome.error and not verdict.met


def judge_again(repo: GitRepo, verdict: Verdict) -> Verdict:
    """The gate once more on the same base and head."""
    from gatekeeper.pipeline import GateOptions, run_gate

    head = repo.git("rev-parse", "HEAD").strip()
    base = repo.git("rev-parse", "HEAD~1").strip()
    return run_gate(GateOptions(root=repo.root, base=base, head=head, pr=PullRequest()))


def test_local_modes_generate_head_from_the_working_tree_and_the_index(
    git_repo: GitRepo,
) -> None:
    from gatekeeper.pipeline import GateOptions, run_gate

    base = git_repo.commit(
        {".github/gatekeeper.yml": policy(f"{sys.executable} gen.py"), "gen.py": GEN,
         "api.txt": spec("/a", "/b")}, "base"
    )  # fmt: skip
    git_repo.write({"api.txt": spec("/a")})
    on_disk = run_gate(GateOptions(root=git_repo.root, base=base, mode="worktree"))
    assert "api-path-removed-without-deprecation" in rules_by_severity(on_disk)["BLOCK"]
    assert "head generated" in _outcome(on_disk)[0]
    git_repo.git("add", "api.txt")
    git_repo.write({"api.txt": spec("/a", "/b")})  # staged: /b removed; on disk: back again
    staged = run_gate(GateOptions(root=git_repo.root, base=base, mode="index"))
    assert "api-path-removed-without-deprecation" in rules_by_severity(staged)["BLOCK"]


def test_the_written_out_revision_is_removed_even_when_the_generator_fails(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    from gatekeeper.changes.build import changeset_from_git
    from gatekeeper.checks.openapi.generate.config import generators
    from gatekeeper.checks.openapi.generate.produce import GenerateFailed, produce

    sha = git_repo.commit({"gen.py": "raise SystemExit('broken')\n"}, "one")
    (gen,) = generators({"generate": {"command": f"{sys.executable} gen.py"}})
    scratch = tmp_path / "scratch"
    with changeset_from_git(git_repo.root, sha, sha) as changes:
        try:
            produce(gen, changes, sha, scratch=scratch, remaining=60, cache=None)
        except GenerateFailed as exc:
            assert "broken" in exc.output
        else:
            raise AssertionError("the generator was expected to fail")
    assert list(scratch.iterdir()) == []
