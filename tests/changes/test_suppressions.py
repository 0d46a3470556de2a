"""The judge of suppression markers: base-era markers stand, the PR's need a human."""

from __future__ import annotations

from gatekeeper.changes.pullrequest import PullRequest, Review
from gatekeeper.changes.suppressions import Marker, Suppressions
from gatekeeper.model import Finding, Level, Location
from gatekeeper.testing import changeset

BASE = {"a.py": "one\ntwo  # marker\nthree\n"}
HEAD = {"a.py": "one\ntwo  # marker\nthree\nfour  # marker\n"}
FINDING = Finding("c", "r", "Bad thing.", Level.ERROR, Location("a.py", 4), "fp", "Fix it.")


def judge(pr: PullRequest | None = None, *, trusted: bool = False) -> Suppressions:
    return Suppressions(changeset(BASE, HEAD), pr or PullRequest(), trusted=trusted, setting="x.t")


def test_a_marker_on_an_unchanged_line_over_unchanged_lines_is_the_bases() -> None:
    j = judge()
    assert not j.written_by_pr(Marker("# marker", "a.py", 2))
    assert j.review(FINDING, Marker("# marker", "a.py", 2)) is None
    assert j.honoured_at_base == 1 and j.summary() == ""


def test_a_base_marker_covering_a_changed_line_is_the_prs() -> None:
    assert judge().written_by_pr(Marker("# marker", "a.py", 2, (3, 4)))


def test_a_marker_the_pr_wrote_is_reported_marked_with_what_to_do() -> None:
    j = judge()
    marked = j.review(FINDING, Marker("# marker", "a.py", 4))
    assert marked is not None and marked.fingerprint == FINDING.fingerprint
    assert marked.level is Level.ERROR and marked.rule == "r"
    assert marked.message.startswith("Bad thing. [suppressed in this PR by `# marker` at a.py:4")
    assert "only on GitHub" in marked.message  # no PR number: a local run
    assert "Fix it." in marked.remedy and "`x.t: true`" in marked.remedy
    assert j.summary() == (
        "Suppressions written in this PR: 1 reported, awaiting a human's approval "
        "(`# marker` at a.py:4)."
    )


def test_trust_and_approval_honour_the_prs_marker_and_say_so() -> None:
    j = judge(trusted=True)
    assert j.review(FINDING, Marker("# marker", "a.py", 4)) is None
    assert "honoured because `x.t` is on" in j.summary()
    pr = PullRequest(
        number=1, author="me", head_sha="h", reviews=(Review("ann", "APPROVED", commit_id="h"),)
    )
    j = judge(pr)
    assert j.review(FINDING, Marker("# marker", "a.py", 4)) is None
    assert "1 honoured, approved by ann" in j.summary()


def test_a_long_list_is_cut() -> None:
    j = judge()
    for _ in range(12):
        j.review(FINDING, Marker("# marker", "a.py", 4))
    assert j.summary().endswith("and 2 more).")
