"""bench/replay.py: the commits file's format, the scoring, and one replay of a local repo.

No network and no fetched mirror: the end-to-end case builds a tiny repository in a temp
dir laid out like a mirror (``<mirrors>/<owner>+<name>/repo``) and replays two commits
through the real ``gatekeeper run``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import replay  # noqa: E402
from replay_commits import Commit, CommitsError, load_commits  # noqa: E402
from replay_report import render, score  # noqa: E402
from replay_run import Blocking, Run, checkout, clone, find_mirror, missing_blobs  # noqa: E402

#: repositories the project used before issue 14; the replay set must not reuse them
USED_BEFORE = (
    "fastapi/full-stack-fastapi-template",
    "wagtail/bakerydemo",
    "django/djangoproject.com",
    "pallets/flask",
    "encode/httpx",
    "supabase/auth",
    "gothinkster/node-express-realworld-example-app",
    "gothinkster/golang-gin-realworld-example-app",
    "stefanprodan/podinfo",
    "spring-petclinic/spring-petclinic-rest",
    "eclipse/openvsx",
)
SHA_A = "a" * 40


def _yaml(entries: str) -> str:
    return f"version: 1\nrepositories:\n  acme/shop:\n    stack: x\n    commits:\n{entries}"


def _entry(**fields: str) -> str:
    values = {
        "sha": SHA_A,
        "kind": "env",
        "label": "pass",
        "split": "tune",
        "reason": "fine",
        **fields,
    }
    lines = [f"        {k}: {json.dumps(v)}" for k, v in values.items() if v != "<none>"]
    return "      - " + "\n".join(lines).lstrip() + "\n"


#: the repositories of each holdout round, measured once and tuned on since: the first
#: round's ten were split two to one (their holdout tuned on since round 3); each later
#: round added whole repositories as holdout (the round after which it is tune in brackets)
TUNED_ROUNDS: dict[str, tuple[str, ...]] = {
    "first (3)": (
        "healthchecks/healthchecks", "CTFd/CTFd", "mealie-recipes/mealie", "ory/keto",
        "gotify/server", "umami-software/umami", "documenso/documenso", "lobsters/lobsters",
        "maybe-finance/maybe", "kestra-io/kestra",
    ),
    "second (4)": (
        "miniflux/v2", "ory/kratos", "pypi/warehouse", "paperless-ngx/paperless-ngx",
        "polarsource/polar",
    ),
    "third (6)": (
        "ory/hydra", "freelawproject/courtlistener", "makeplane/plane", "saleor/saleor",
        "wagtail/wagtail",
    ),
    "fourth (8)": (
        "usememos/memos", "getredash/redash", "Flagsmith/flagsmith", "netbox-community/netbox",
    ),
    "fifth (9)": (
        "PrefectHQ/prefect", "goharbor/harbor", "dubinc/dub", "Freika/dawarich",
        "TandoorRecipes/recipes",
    ),
    "sixth (10)": (
        "hatchet-dev/hatchet", "langfuse/langfuse", "nautobot/nautobot", "Netflix/dispatch",
        "manyfold3d/manyfold",
    ),
    "seventh (11)": (
        "LemmyNet/lemmy", "outline/outline", "go-shiori/shiori", "sissbruecker/linkding",
        "hoppscotch/hoppscotch",
    ),
    "eighth (12)": (
        "pretalx/pretalx", "karakeep-app/karakeep", "louislam/uptime-kuma", "knadh/listmonk",
        "wger-project/wger",
    ),
    "ninth (13)": (
        "go-vikunja/vikunja", "pocket-id/pocket-id", "lukevella/rallly",
        "firefly-iii/firefly-iii", "linkwarden/linkwarden",
    ),
    "tenth (14)": (
        "huginn/huginn", "spiral-project/ihatemoney", "lldap/lldap", "writefreely/writefreely",
        "ghostfolio/ghostfolio",
    ),
    "eleventh (15)": (
        "grafana/oncall", "Skyvern-AI/skyvern", "traccar/traccar", "openfga/openfga",
        "Unleash/unleash",
    ),
    "twelfth (16)": (
        "docusealco/docuseal", "binwiederhier/ntfy", "bugsink/bugsink", "papra-hq/papra",
        "TracecatHQ/tracecat",
    ),
    "thirteenth (17)": (
        "fief-dev/fief", "autobrr/autobrr", "django-helpdesk/django-helpdesk",
        "Dokploy/dokploy", "woodpecker-ci/woodpecker",
    ),
    "fourteenth (18)": (
        "letta-ai/letta", "postalserver/postal", "Netflix/conductor", "flipt-io/flipt",
        "elie222/inbox-zero",
    ),
    "fifteenth (19)": (
        "dani-garcia/vaultwarden", "Mailu/Mailu", "sysadminsmedia/homebox",
        "authelia/authelia", "getlago/lago-api",
    ),
    "sixteenth (20)": (
        "semaphoreui/semaphore", "atuinsh/atuin", "Athou/commafeed", "shlinkio/shlink",
        "formbricks/formbricks",
    ),
    "seventeenth (21)": (
        "navidrome/navidrome", "solidtime-io/solidtime", "BookStackApp/BookStack", "koel/koel",
        "pterodactyl/panel",
    ),
    "eighteenth (22)": (
        "rubygems/rubygems.org", "thedevs-network/kutt", "superseriousbusiness/gotosocial",
        "babybuddy/babybuddy", "logto-io/logto",
    ),
    "nineteenth (23)": (
        "pentacent/keila", "kimai/kimai", "hedgedoc/hedgedoc", "thechangelog/changelog.com",
        "TwiN/gatus",
    ),
    "twentieth (24)": (
        "khoj-ai/khoj", "apache/answer", "gitroomhq/postiz-app", "akaunting/akaunting",
        "hexpm/hexpm",
    ),
    "twenty-first (24)": (
        "readthedocs/readthedocs.org", "netbirdio/netbird", "openstatusHQ/openstatus",
        "sebadob/rauthy", "spliit-app/spliit",
    ),
    "twenty-second (25)": (
        "indico/indico", "mediacms-io/mediacms", "AppFlowy-IO/AppFlowy-Cloud",
        "fallenbagel/jellyseerr", "teslamate-org/teslamate",
    ),
    "twenty-third (26)": (
        "svix/svix-webhooks", "casdoor/casdoor", "snipe/snipe-it", "tubearchivist/tubearchivist",
    ),
    "twenty-fourth (26)": (
        "frain-dev/convoy", "supabase/realtime", "plankanban/planka", "umap-project/umap",
    ),
    "twenty-fifth (26)": (
        "keephq/keep", "teamhanko/hanko", "docmost/docmost", "Bubka/2FAuth", "Prowlarr/Prowlarr",
    ),
    "twenty-sixth (27)": (
        "mozilla/pontoon", "feedbin/feedbin", "gotson/komga", "Openpanel-dev/openpanel",
    ),
    "twenty-seventh (27)": (
        "rust-lang/crates.io", "ethyca/fides", "LycheeOrg/Lychee", "stashapp/stash",
        "kieraneglin/pinchflat",
    ),
    "twenty-eighth (27)": (
        "tolgee/tolgee-platform", "dittofeed/dittofeed", "opencve/opencve",
        "openmeterio/openmeter",
    ),
    "twenty-ninth (28)": (
        "Arize-ai/phoenix", "StevenWeathers/thunderdome-planning-poker",
        "eclipse-hawkbit/hawkbit", "kiwitcms/Kiwi",
    ),
    "thirtieth (28)": (
        "element-hq/matrix-authentication-service", "we-promise/sure", "pelican-dev/panel",
        "nerves-hub/nerves_hub_web",
    ),
    "thirty-first (29)": (
        "mindersec/minder", "hypothesis/h", "rubyforgood/human-essentials", "pulp/pulpcore",
    ),
    "thirty-second (29)": (
        "sequinstream/sequin", "alexjustesen/speedtest-tracker", "cryptomator/hub",
        "msgbyte/tianji",
    ),
    "thirty-third (30)": (
        "onyx-dot-app/onyx", "boxyhq/jackson", "rubyforgood/casa", "supabase/supavisor",
    ),
    "thirty-fourth (30)": (
        "glific/glific", "hackclub/hcb", "jellyfin/jellyfin", "gramps-project/gramps-web-api",
    ),
    "thirty-fifth (31)": (
        "simple-login/app", "bitmagnet-io/bitmagnet", "mirego/accent", "baptisteArno/typebot.io",
    ),
    "thirty-sixth (31)": (
        "MarquezProject/marquez", "NangoHQ/nango", "tournesol-app/tournesol",
        "btcpayserver/btcpayserver",
    ),
    "thirty-seventh (32)": (
        "topoteretes/cognee", "target/goalert", "vitodeploy/vito",
        "AmruthPillai/Reactive-Resume",
    ),
    "thirty-eighth (32)": (
        "ClaperCo/Claper", "bitcart/bitcart", "chartbrew/chartbrew", "devflowinc/trieve",
    ),
    "thirty-ninth (33)": (
        "peeringdb/peeringdb", "operately/operately", "hackclub/hackatime", "harness/gitness",
        "laravelio/laravel.io",
    ),
    "fortieth (33)": (
        "aliasvault/aliasvault", "hexlet-codebattle/codebattle", "openremote/openremote",
        "tgdrive/teldrive", "Paymenter/Paymenter",
    ),
    "forty-first (33)": (
        "openfoodfacts/open-prices", "Mintplex-Labs/anything-llm", "inngest/inngest",
        "teableio/teable",
    ),
    "forty-second (33)": (
        "antiwork/flexile", "algora-io/algora", "TabbyML/tabby",
        "DependencyTrack/hyades-apiserver",
    ),
}  # fmt: skip
TUNED = tuple(repo for repos in TUNED_ROUNDS.values() for repo in repos)


def test_the_replay_set_is_big_varied_and_split() -> None:
    commits = load_commits(BENCH / "replay" / "commits.yml")
    repos = Counter(c.repo for c in commits)
    assert len(commits) >= 120
    assert len(repos) >= 8
    assert not set(repos) & set(USED_BEFORE)
    assert {c.label for c in commits} == {"block", "pass"}
    assert {"migration", "env", "openapi", "deps", "code"} <= {c.kind for c in commits}
    # the first round's ten repositories were split two to one, and that holdout was
    # measured once and tuned on since; the second and third rounds' five each were a
    # holdout, measured once and tuned on since too: they are tune only. Later rounds
    # add whole repositories as holdout only, so that a holdout is never a repository
    # tuned on. Between rounds (the third measured, the fourth not yet appended) there
    # may be none, so the rule is "holdout repositories, if any, come whole"
    splits = {repo: {c.split for c in commits if c.repo == repo} for repo in repos}
    for repo in TUNED:
        assert splits[repo] == {"tune"}, repo
    assert all(splits[r] == {"holdout"} for r in repos if r not in TUNED)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sha": "abc123"}, "not 40 lower-case hex digits"),
        ({"label": "maybe"}, "label 'maybe' is not one of block, pass"),
        ({"split": "train"}, "split 'train' is not one of tune, holdout"),
        ({"kind": "docs"}, "kind 'docs' is not one of"),
        ({"label": "block"}, "a block label needs a ground"),
        ({"ground": "style"}, "ground 'style' is not one of"),
        ({"reason": "two\nlines"}, "reason must be one non-empty line"),
        ({"reason": "<none>"}, "reason must be one non-empty line"),
        ({"why": "x"}, "unknown field(s) why"),
    ],
)
def test_a_bad_entry_is_named_with_its_problem(
    tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    path = tmp_path / "commits.yml"
    path.write_text(_yaml(_entry(**fields)), encoding="utf-8")
    with pytest.raises(CommitsError) as err:
        load_commits(path)
    assert str(path) in str(err.value)
    assert "acme/shop: commit #1" in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 2\nrepositories: {}\n", "want a mapping with 'version: 1'"),
        ("version: 1\nrepositories: []\n", "'repositories' must map owner/name"),
        ("version: 1\nrepositories:\n  shop: {commits: []}\n", "not an owner/name"),
        ("version: 1\nrepositories:\n  a/b: {stack: x}\n", "a list of 'commits'"),
        ("version: 1\nrepositories: [\n", "cannot read"),
    ],
)
def test_a_bad_file_is_named_with_its_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "commits.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommitsError, match=message.replace("(", r"\(").replace("'", "'")):
        load_commits(path)


def test_a_commit_listed_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "commits.yml"
    path.write_text(_yaml(_entry() + _entry(split="holdout")), encoding="utf-8")
    with pytest.raises(CommitsError, match="listed twice"):
        load_commits(path)


def _commit(sha: str, label: str, ground: str = "", split: str = "tune") -> Commit:
    return Commit("acme/shop", sha * 40, "env", label, split, f"why {sha}", ground)


def _run(sha: str, verdict: str, *rules: str) -> Run:
    blocking = [Blocking(r, "app.py", 3, "msg") for r in rules]
    return Run("acme/shop", sha * 40, verdict, 1, 2.0, 1.0, {}, blocking)


def test_scoring_counts_each_kind_of_disagreement() -> None:
    commits = [
        _commit("1", "block", "env-vars"),  # blocked for its ground: agreement
        _commit("2", "pass"),  # blocked: false block
        _commit("3", "block", "env-vars"),  # passed: miss
        _commit("4", "block", "migrations"),  # blocked by another check: wrong reason
        _commit("5", "pass"),  # passed: agreement
        _commit("6", "pass"),  # the gate errored: a CI step fails, so a false block
        _commit("7", "pass"),  # never replayed: left out
        _commit("8", "pass", split="holdout"),  # a false block nobody may tune on
        _commit("9", "pass"),  # blocked only until a reviewer approves: agreement
        _commit("a", "pass"),  # a `# nosec` the PR wrote, cleared by an approval: agreement
    ]
    runs = [
        _run("1", "block", "env-vars/undocumented"),
        _run("2", "block", "security/secret"),
        _run("3", "pass"),
        _run("4", "block", "env-vars/undocumented"),
        _run("5", "pass"),
        _run("6", "error"),
        _run("8", "block", "security/hidden"),
        _run("9", "block", "gate/ci-changed", "security/sensitive-change"),
        Run("acme/shop", "a" * 40, "block", 1, 2.0, 1.0, {}, [
            Blocking("security/bandit-b108", "app.py", 3,
                     "Probable insecure temp dir. [suppressed in this PR by `# nosec` at "
                     "app.py:3: a suppression the pull request wrote needs a human's approval]"),
        ]),
    ]  # fmt: skip
    scored = score(commits, runs)
    assert [s.commit.sha[0] for s in scored] == ["1", "2", "3", "4", "5", "6", "8", "9", "a"]
    assert [s.commit.sha[0] for s in scored if s.run.awaits_approval] == ["9", "a"]
    assert [s.commit.sha[0] for s in scored if s.false_block] == ["2", "6", "8"]
    assert [s.commit.sha[0] for s in scored if s.miss] == ["3"]
    assert [s.commit.sha[0] for s in scored if s.wrong_reason] == ["4"]
    report = render(commits, runs, ["a note"])
    assert "- false blocks: 3 of 9 commits (33.3%; 50.0% of the 6 labelled pass)" in report
    assert "- awaiting approval only: 2 commits" in report
    assert "- misses: 1 of 3 commits labelled block (33.3%)" in report
    assert "| security/secret | 1 | 1 | acme/shop |" in report
    assert "| (gate error) | 1 | 1 | acme/shop |" in report
    assert "**WRONG REASON** acme/shop `4444444444`" in report
    assert "## Not replayed (1)" in report
    assert "- a note" in report
    # the holdout counts in the figures but its cases are not listed unless asked
    assert "security/hidden" not in report
    assert "- and 1 disagreement(s) among 1 holdout commits, not listed" in report
    full = render(commits, runs, [], show_holdout=True)
    assert "| security/hidden | 1 | 1 | acme/shop |" in full
    assert "**FALSE BLOCK** acme/shop `8888888888` [holdout, env]" in full


def test_a_mirror_is_found_in_either_layout(tmp_path: Path) -> None:
    GitRepo(tmp_path / "acme+shop" / "repo")
    GitRepo(tmp_path / "acme+cart")
    assert find_mirror(tmp_path, "acme/shop") == tmp_path / "acme+shop" / "repo"
    assert find_mirror(tmp_path, "acme/cart") == tmp_path / "acme+cart"
    assert find_mirror(tmp_path, "acme/none") is None


def test_files_the_snapshot_lacks_are_left_out_or_skipped(tmp_path: Path) -> None:
    mirror = GitRepo(tmp_path / "mirror")
    first = mirror.commit({"font.ttf": "big\n", "app.py": "a = 1\n"})
    second = mirror.commit({"app.py": "a = 2\n"})
    third = mirror.commit({"font.ttf": "bigger\n"})
    blob = mirror.git("rev-parse", f"{first}:font.ttf").strip()
    (mirror.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as a snapshot lacks it
    with clone(mirror.root, tmp_path / "work") as work:
        assert missing_blobs(work, first, second) == []
        assert missing_blobs(work, second, third) == ["font.ttf"]
        checkout(work, second)
        assert (work / "app.py").read_text(encoding="utf-8") == "a = 2\n"
        assert not (work / "font.ttf").exists()
        checkout(work, third)  # every blob present again: a full checkout
        assert (work / "font.ttf").read_text(encoding="utf-8") == "bigger\n"


def test_a_submodule_change_is_not_a_missing_file(tmp_path: Path) -> None:
    mirror = GitRepo(tmp_path / "mirror")
    first = mirror.commit({"app.py": "a = 1\n"})
    # a submodule pointer names a commit of another repository: never in this object store
    mirror.git("update-index", "--add", "--cacheinfo", f"160000,{'d' * 40},deploy/k8s")
    mirror.git("commit", "-q", "-m", "add a submodule")
    second = mirror.git("rev-parse", "HEAD").strip()
    with clone(mirror.root, tmp_path / "work") as work:
        assert missing_blobs(work, first, second) == []


@pytest.mark.slow
def test_replay_of_a_local_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mirrors = tmp_path / "mirrors"
    repo = GitRepo(mirrors / "acme+shop" / "repo")
    repo.commit({"README.md": "# shop\n", "shop.py": "def total(xs):\n    return sum(xs)\n"})
    undocumented = repo.commit(
        {"shop.py": "import os\n\nTOKEN = os.environ['SHOP_TOKEN']\n"}, "read a token"
    )
    # a request without a timeout: bandit is unsure (low confidence), so only a warning
    unsure = "import requests\n\n\ndef get(url):\n    return requests.get(url)\n"
    ordinary = repo.commit(
        {"shop.py": "import os\n\nTOKEN = os.environ['SHOP_TOKEN']\n\n", "net.py": unsure}
    )
    commits = tmp_path / "commits.yml"
    commits.write_text(
        "version: 1\nrepositories:\n"
        "  acme/shop:\n    stack: Python\n    commits:\n"
        f"      - {{sha: {undocumented}, kind: env, label: pass, split: tune, reason: r1}}\n"
        f"      - {{sha: {ordinary}, kind: code, label: block, ground: env-vars, "
        "split: holdout, reason: r2}\n"
        "  acme/gone:\n    stack: Go\n    commits:\n"
        f"      - {{sha: {'b' * 40}, kind: code, label: pass, split: tune, reason: r3}}\n",
        encoding="utf-8",
    )
    results = tmp_path / "results.json"
    argv = ["--commits", str(commits), "--mirrors", str(mirrors), "--json", str(results)]
    assert replay.main([*argv, "--osv-url", "http://127.0.0.1:9/v1/query", "--show-holdout"]) == 0
    report = capsys.readouterr().out
    runs = json.loads(results.read_text(encoding="utf-8"))["runs"]
    assert [(r["sha"], r["verdict"]) for r in runs] == [(undocumented, "block"), (ordinary, "pass")]
    assert runs[0]["checks"]["env-vars"]["status"] == "failed"
    assert runs[0]["blocking"][0]["rule"] == "env-vars/undocumented"
    # warnings are kept apart from what blocks, to weigh a rule's level later
    warned = {w["rule"] for w in runs[1]["warnings"]}
    assert "security/bandit-b113" in warned and "security/bandit-b113" not in {
        w["rule"] for w in runs[0]["warnings"]
    }
    assert runs[1]["blocking"] == []
    assert "**FALSE BLOCK** acme/shop" in report
    assert "blocked by env-vars/undocumented (shop.py:3)" in report
    assert "**MISS** acme/shop" in report
    assert "skipped acme/gone: no mirror at" in report
    assert "| env-vars |" in report  # the per-check time table

    # new labels, old verdicts: --rescore runs nothing
    commits.write_text(
        commits.read_text(encoding="utf-8").replace(
            "label: pass, split: tune, reason: r1",
            "label: block, ground: env-vars, split: tune, reason: r1",
        ),
        encoding="utf-8",
    )
    assert replay.main(["--commits", str(commits), "--rescore", str(results)]) == 0
    rescored = capsys.readouterr().out
    assert "FALSE BLOCK" not in rescored
    assert f"rescored from {results}" in rescored


@pytest.mark.slow
def test_a_replay_stopped_half_way_keeps_the_repositories_it_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirrors = tmp_path / "mirrors"
    shas = {}
    for name in ("first", "second"):
        repo = GitRepo(mirrors / f"acme+{name}" / "repo")
        repo.commit({"README.md": f"# {name}\n"})
        shas[name] = repo.commit({"app.py": "x = 1\n"})
    commits = tmp_path / "commits.yml"
    commits.write_text(
        "version: 1\nrepositories:\n"
        + "".join(
            f"  acme/{name}:\n    stack: Python\n    commits:\n"
            f"      - {{sha: {sha}, kind: code, label: pass, split: tune, reason: r}}\n"
            for name, sha in shas.items()
        ),
        encoding="utf-8",
    )
    real = replay.replay_repository

    def stopping(repo: str, *args: Any, **kwargs: Any) -> Any:
        if repo == "acme/second":
            raise KeyboardInterrupt  # the operator stops the run during the second
        return real(repo, *args, **kwargs)

    monkeypatch.setattr(replay, "replay_repository", stopping)
    results = tmp_path / "results.json"
    argv = ["--commits", str(commits), "--mirrors", str(mirrors), "--json", str(results)]
    with pytest.raises(KeyboardInterrupt):
        replay.main([*argv, "--osv-url", "http://127.0.0.1:9/v1/query"])
    saved = json.loads(results.read_text(encoding="utf-8"))
    assert [(r["repo"], r["sha"]) for r in saved["runs"]] == [("acme/first", shas["first"])]
    assert "partial: 1 of 2 repositories" in saved["notes"]
    assert not results.with_name("results.json.tmp").exists()


def test_the_osv_url_is_dated_with_the_commit_only_where_it_asks_for_it() -> None:
    from replay_run import as_of_commit

    dated = {"PIP_AUDIT_OSV_URL": "http://127.0.0.1:8/asof/{asof}/v1/query", "A": "1"}
    out = as_of_commit(dated, "2023-04-03T10:00:00+02:00")
    assert out == {
        "PIP_AUDIT_OSV_URL": "http://127.0.0.1:8/asof/2023-04-03T10:00:00+02:00/v1/query",
        "A": "1",
    }
    plain = {"PIP_AUDIT_OSV_URL": "https://osv.example/v1/query"}
    assert as_of_commit(plain, "2023-04-03T10:00:00+02:00") == plain
