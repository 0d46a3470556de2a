"""The demo PR's comment in a real browser: the verdict and every blocking rule in the first screen.

The Markdown report for ``gatekeeper demo``'s pull request (7 blocking findings in 5
checks) is rendered the way GitHub renders a comment (tests/report/browser.py) and laid
out by headless Chromium at 1280×800. The screenshot and the page are kept as test
artefacts: in pytest's temporary folder (the last three runs are kept), and copied to
``$GATEKEEPER_ARTIFACTS`` when that is set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gatekeeper.cli.demo import DEMO_PR, build_demo_repo
from gatekeeper.model import Verdict
from gatekeeper.pipeline import GateOptions, run_gate
from gatekeeper.report import SourceLinks, render
from tests.report import browser

SCREEN = (1280, 800)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_verdict(tmp_path_factory: pytest.TempPathFactory) -> Verdict:
    repo = tmp_path_factory.mktemp("demo") / "shop"
    build_demo_repo(repo)
    return run_gate(GateOptions(root=repo, base="main", head="HEAD", pr=DEMO_PR))


def _keep(*files: Path) -> None:
    """Copy the artefacts where CI collects them, when it says where."""
    folder = os.environ.get("GATEKEEPER_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copy2(file, Path(folder) / file.name)


def test_the_verdict_and_every_blocking_rule_are_in_the_first_screen(
    demo_verdict: Verdict, tmp_path_factory: pytest.TempPathFactory
) -> None:
    binary = browser.chromium()
    links = SourceLinks.parse("https://github.com", "acme/shop", demo_verdict.head)
    assert links is not None
    markdown = render("markdown", demo_verdict, links=links)
    blocking = sorted({r.finding.qualified_rule for r in demo_verdict.results if r.blocking})
    assert len(blocking) >= 5, blocking  # the demo blocks on several checks' rules

    folder = tmp_path_factory.mktemp("comment-in-browser")
    page = folder / "demo-comment.html"
    page.write_text(browser.page(markdown, blocking), encoding="utf-8")
    (folder / "demo-comment.md").write_text(markdown, encoding="utf-8")
    png = folder / "demo-comment.png"
    browser.screenshot(binary, page, png, SCREEN)
    _keep(page, png)
    print(f"screenshot of the demo's comment: {png}")

    layout = browser.measure(binary, page, SCREEN)
    assert layout.viewport[0] == SCREEN[0]  # laid out 1280 px wide
    assert layout.heading.endswith("Definition of Done: not met (7 blocking)")
    assert layout.heading_box is not None and layout.heading_box.bottom <= SCREEN[1]
    missing = [rule for rule in blocking if rule not in layout.code]
    assert not missing, f"not shown at all: {missing}"
    below = {rule: box.bottom for rule, box in layout.code.items() if box.bottom > SCREEN[1]}
    assert not below, f"below the first screen ({SCREEN[1]} px): {below}"


def test_the_measure_sees_what_is_below_the_fold(tmp_path: Path) -> None:
    """The harness itself: a rule id pushed down by 60 paragraphs is found below 800 px,
    and one in a closed <details> is not counted as shown."""
    binary = browser.chromium()
    filler = "\n\n".join(f"paragraph {i}" for i in range(60))
    markdown = (
        "## ❌ Definition of Done: not met (2 blocking)\n\n`a/top`\n\n"
        f"{filler}\n\n`b/bottom`\n\n<details>\n<summary>x</summary>\n\n`c/folded`\n\n</details>\n"
    )
    page = tmp_path / "probe.html"
    page.write_text(browser.page(markdown, ["a/top", "b/bottom", "c/folded"]), encoding="utf-8")
    layout = browser.measure(binary, page, SCREEN)
    assert layout.code["a/top"].bottom <= SCREEN[1]
    assert layout.code["b/bottom"].top > SCREEN[1]
    assert "c/folded" not in layout.code


def test_without_chromium_the_test_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        browser.chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        browser.chromium()
