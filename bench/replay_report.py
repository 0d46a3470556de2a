"""Scoring replayed verdicts against the labels, and the Markdown report of it."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from replay_commits import KINDS, Commit
from replay_run import Blocking, Run

#: issue 14's targets
TARGET_FALSE_BLOCKS = 0.03
TARGET_MISSES = 0.10
TARGET_MEDIAN_SECONDS = 3.0


@dataclass(frozen=True)
class Scored:
    """A labelled commit beside the gate's verdict on it."""

    commit: Commit
    run: Run

    @property
    def false_block(self) -> bool:
        """Labelled pass, but the gate blocks (or errors)."""
        return self.commit.label == "pass" and self.run.blocks

    @property
    def miss(self) -> bool:
        """Labelled block, but the gate passes."""
        return self.commit.label == "block" and not self.run.blocks

    @property
    def wrong_reason(self) -> bool:
        """Labelled block on a ground, blocked, but by nothing from that check."""
        if self.commit.label != "block" or not self.run.blocks or not self.commit.ground:
            return False
        prefix = self.commit.ground + "/"
        return not any(b.rule.startswith(prefix) for b in self.run.blocking)


def score(commits: Iterable[Commit], runs: Iterable[Run]) -> list[Scored]:
    """Pair each commit with its run (commits never run are left out)."""
    by_key = {(r.repo, r.sha): r for r in runs}
    return [Scored(c, by_key[(c.repo, c.sha)]) for c in commits if (c.repo, c.sha) in by_key]


def _pct(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.1f}%)" if whole else "0"


def _median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "-"


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else 0.0


def _row(name: str, rows: Sequence[Scored]) -> str:
    cells = [
        name,
        str(len(rows)),
        str(sum(s.commit.label == "block" for s in rows)),
        str(sum(s.run.blocks for s in rows)),
        _pct(sum(s.false_block for s in rows), len(rows)),
        str(sum(s.miss for s in rows)),
        str(sum(s.wrong_reason for s in rows)),
        str(sum(s.run.verdict == "error" for s in rows)),
        str(sum(s.run.awaits_approval for s in rows)),
        _median([s.run.wall for s in rows]),
        _median([s.run.cpu for s in rows]),
    ]
    return "| " + " | ".join(cells) + " |"


def summary_table(scored: Sequence[Scored]) -> list[str]:
    """Per repository, per split and overall."""
    lines = [
        "| repository | commits | labelled block | gate blocked | false blocks | misses "
        "| wrong reason | gate errors | awaits approval | median run s | median CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for repo in dict.fromkeys(s.commit.repo for s in scored):
        lines.append(_row(repo, [s for s in scored if s.commit.repo == repo]))
    for split in ("tune", "holdout"):
        lines.append(_row(f"*{split}*", [s for s in scored if s.commit.split == split]))
    lines.append(_row("**all**", scored))
    return lines


def headline(scored: Sequence[Scored]) -> list[str]:
    """The three figures issue 14 sets targets for."""
    n = len(scored)
    passes = sum(s.commit.label == "pass" for s in scored)
    blocks = n - passes
    fb = sum(s.false_block for s in scored)
    miss = sum(s.miss for s in scored)
    walls = [s.run.wall for s in scored]
    median = statistics.median(walls) if walls else 0.0
    return [
        f"- false blocks: {fb} of {n} commits ({100 * fb / n if n else 0:.1f}%; "
        f"{100 * fb / passes if passes else 0:.1f}% of the {passes} labelled pass); "
        f"target ≤ {TARGET_FALSE_BLOCKS:.0%} of commits",
        f"- misses: {miss} of {blocks} commits labelled block "
        f"({100 * miss / blocks if blocks else 0:.1f}%); target ≤ {TARGET_MISSES:.0%}",
        f"- awaiting approval only: {sum(s.run.awaits_approval for s in scored)} commits "
        "blocked by nothing but findings a reviewer's approval clears (gate/*, review/*, "
        "security/sensitive-change); the replay has no reviews, so they count as passing",
        f"- median run: {median:.2f} s wall (target ≤ {TARGET_MEDIAN_SECONDS:.0f} s), "
        f"{_median([s.run.cpu for s in scored])} s CPU; p90 {_p90(walls):.2f} s, "
        f"max {max(walls, default=0.0):.2f} s",
    ]


def kind_table(scored: Sequence[Scored]) -> list[str]:
    """Agreement by what the commit changes."""
    lines = [
        "| kind | commits | labelled block | false blocks | misses | wrong reason |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        rows = [s for s in scored if s.commit.kind == kind]
        if rows:
            lines.append(
                f"| {kind} | {len(rows)} | {sum(s.commit.label == 'block' for s in rows)} "
                f"| {sum(s.false_block for s in rows)} | {sum(s.miss for s in rows)} "
                f"| {sum(s.wrong_reason for s in rows)} |"
            )
    return lines


def check_times(runs: Sequence[Run]) -> list[str]:
    """Each check's own duration over the runs where it ran (not skipped)."""
    seconds: dict[str, list[float]] = {}
    for run in runs:
        for check, info in run.checks.items():
            if info["status"] != "skipped":
                seconds.setdefault(check, []).append(float(info["seconds"]))
    lines = ["| check | runs | median s | p90 s | max s |", "|---|---:|---:|---:|---:|"]
    for check, values in sorted(seconds.items(), key=lambda kv: -statistics.median(kv[1])):
        lines.append(
            f"| {check} | {len(values)} | {statistics.median(values):.2f} | {_p90(values):.2f} "
            f"| {max(values):.2f} |"
        )
    return lines


def causes(scored: Sequence[Scored]) -> list[str]:
    """False blocks counted by the rule that blocked; misses by the label's ground."""
    rules: Counter[str] = Counter()
    sole: Counter[str] = Counter()
    repos: dict[str, set[str]] = {}
    for s in scored:
        if s.false_block:
            blocked = {b.rule for b in s.run.blocking if not b.awaits_approval} or {
                f"(gate {s.run.verdict})"
            }
            for rule in blocked:
                rules[rule] += 1
                sole[rule] += len(blocked) == 1
                repos.setdefault(rule, set()).add(s.commit.repo)
    lines = [
        "| blocking rule in false blocks | commits | sole cause in | repositories |",
        "|---|---:|---:|---|",
    ]
    for rule, count in sorted(rules.items(), key=lambda kv: (-kv[1], -sole[kv[0]], kv[0])):
        lines.append(f"| {rule} | {count} | {sole[rule]} | {', '.join(sorted(repos[rule]))} |")
    grounds = Counter(s.commit.ground for s in scored if s.miss or s.wrong_reason)
    lines += ["", "| ground of misses and wrong reasons | commits |", "|---|---:|"]
    lines += [f"| {g} | {n} |" for g, n in grounds.most_common()]
    return lines


def disagreements(scored: Sequence[Scored]) -> list[str]:
    """One entry per commit where the gate and the label differ, with both sides' why."""
    lines = []
    for s in scored:
        if s.false_block:
            what = "FALSE BLOCK"
        elif s.miss:
            what = "MISS"
        elif s.wrong_reason:
            what = "WRONG REASON"
        else:
            continue
        c, r = s.commit, s.run
        lines.append(f"- **{what}** {c.repo} `{c.short}` [{c.split}, {c.kind}]")
        if r.verdict == "error":
            lines.append(f"  - gate error (exit {r.exit_code}): {' '.join(r.error.split())}")
        lines += [f"  - blocked by {line}" for line in _by_rule(r.blocking)]
        ground = f" ({c.ground})" if c.ground else ""
        lines.append(f"  - label {c.label}{ground}: {c.reason}")
    return lines or ["(none)"]


def _by_rule(blocking: Sequence[Blocking]) -> list[str]:
    """One line per blocking rule: how many findings, the first one's place and message."""
    first: dict[str, Blocking] = {}
    count: Counter[str] = Counter()
    for b in blocking:
        first.setdefault(b.rule, b)
        count[b.rule] += 1
    lines = []
    for rule, b in first.items():
        more = f" (×{count[rule]}, first shown)" if count[rule] > 1 else ""
        cleared = " [cleared by an approval]" if b.awaits_approval else ""
        lines.append(f"{b}{more}{cleared}: {b.message}")
    return lines


def render(
    commits: Sequence[Commit],
    runs: Sequence[Run],
    notes: Sequence[str],
    *,
    show_holdout: bool = False,
) -> str:
    """The whole report, Markdown.

    Figures cover every commit; causes and disagreements only the tune split unless
    ``show_holdout``, so that nobody fixes rules by reading the holdout's cases.
    """
    scored = score(commits, runs)
    repos = len({s.commit.repo for s in scored})
    out = [f"# Replay: {len(scored)} commits of {repos} repositories", "", *headline(scored)]
    out += ["", "## By repository", "", *summary_table(scored)]
    out += ["", "## By kind of change", "", *kind_table(scored)]
    out += ["", "## Time per check (its own duration, runs where it ran)", ""]
    out += check_times([s.run for s in scored])
    shown = [s for s in scored if show_holdout or s.commit.split == "tune"]
    hidden = len(scored) - len(shown)
    which = "all splits" if show_holdout else "tune split only"
    out += ["", f"## Causes ({which})", "", *causes(shown)]
    out += ["", f"## Disagreements ({which})", "", *disagreements(shown)]
    if hidden:
        wrong = sum(s.false_block or s.miss or s.wrong_reason for s in scored) - sum(
            s.false_block or s.miss or s.wrong_reason for s in shown
        )
        out.append(
            f"- and {wrong} disagreement(s) among {hidden} holdout commits, not listed: "
            "the holdout is never tuned on (--show-holdout lists them for a final report)"
        )
    missing = [c for c in commits if (c.repo, c.sha) not in {(r.repo, r.sha) for r in runs}]
    if missing:
        out += ["", f"## Not replayed ({len(missing)})", ""]
        out += [f"- {c.repo} `{c.short}`" for c in missing]
    out += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join(out) + "\n"
