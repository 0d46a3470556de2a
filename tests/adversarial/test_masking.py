"""The action's token is masked in everything it publishes, in the forms a leak takes.

PR code never gets the token (see the token-isolation cases); if it prints it anyway —
in its output, in a JUnit report, in a SARIF message — in plain, base64, URL-encoded or
spaced form, none of those reach the PR comment, the check run, the annotations, the
step summary, the outputs, the report files or the log.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from urllib.parse import quote

from gatekeeper.report.mask import MASK, Masker
from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.adversarial.published import run_published
from tests.github.conftest import github, validators  # noqa: F401  (fixtures)
from tests.github.fakegithub import TOKEN, FakeGitHub

#: every form the PR's code prints; each must be gone from every published text
FORMS = {
    "plain": TOKEN,
    "base64": base64.b64encode(TOKEN.encode()).decode(),
    "basic-auth": base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode(),
    "base64url": base64.urlsafe_b64encode(f"?>{TOKEN}".encode()).decode(),
    "url": quote(f"t={TOKEN}&x=1", safe=""),
    "url-every-byte": "".join(f"%{b:02x}" for b in TOKEN.encode()),
    "spaced": " ".join(TOKEN),
    "dashed": "-".join(TOKEN),
    "one-per-line": "\n".join(TOKEN),
}

LEAK = """\
import base64, sys
from urllib.parse import quote
T = "ghs_fake" + "TOKEN0123456789abcdefABCDEF"
FORMS = [
    T,
    base64.b64encode(T.encode()).decode(),
    base64.b64encode(("x-access-token:" + T).encode()).decode(),
    base64.urlsafe_b64encode(("?>" + T).encode()).decode(),
    quote("t=" + T + "&x=1", safe=""),
    "".join("%%%02x" % b for b in T.encode()),
    " ".join(T),
    "-".join(T),
]
what, where = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
if what == "out":
    for form in FORMS:
        print("leaked:", form)
    print("\\n".join(T))
    sys.exit(3)
if what == "junit":
    cases = "".join(
        '<testcase classname="leak" name="t%d"><failure message="%s"/></testcase>' % (i, f)
        for i, f in enumerate(FORMS)
    )
    open(where, "w").write("<testsuite>" + cases + "</testsuite>")
    sys.exit(1)
results = [
    {"ruleId": "leak", "message": {"text": "found " + f},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "leak.py"},
                                         "region": {"startLine": i + 1}}}]}
    for i, f in enumerate(FORMS)
]
sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "leaky"}}, "results": results}]}
open(where, "w").write(__import__("json").dumps(sarif))
sys.exit(1)
"""


def _policy() -> str:
    leak = f"{sys.executable} leak.py"
    items = [
        {"name": "out", "run": f"{leak} out"},
        {"name": "junit", "run": f"{leak} junit {{scratch}}/j.xml", "junit": "{scratch}/j.xml"},
        {"name": "sarif", "run": f"{leak} sarif {{scratch}}/r.sarif", "sarif": "{scratch}/r.sarif"},
    ]
    return json.dumps({"version": 1, "checks": {"command": items}})  # JSON is YAML


def test_a_token_echoed_in_every_form_is_masked_everywhere(
    attack: AttackFactory,
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
) -> None:
    case = attack(_policy(), {"README.md": "a\n"}, {"leak.py": LEAK})
    out = run_published(case, tmp_path, github, title=f"fix: {FORMS['spaced']}")
    assert out.code == 1, out.log
    report = json.loads(out.files["gatekeeper-report.json"])
    rules = {f["rule"] for o in report["outcomes"] for f in o["findings"]}
    assert {"command/failed", "command/test-failed"} <= rules, rules
    assert any(r.startswith("command/leaky") or r == "command/result" for r in rules), rules
    # the one place the token may appear: the command that tells the runner to hide it
    assert out.log.count(f"::add-mask::{TOKEN}\n") == 1
    everything = out.everything().replace(f"::add-mask::{TOKEN}\n", "")
    leaked = [name for name, form in FORMS.items() if form in everything]
    assert leaked == [], f"forms of the token published: {leaked}"
    shown = "".join(f"\\{c}" for c in MASK)  # as Markdown writes it
    assert shown in out.comment and shown in out.check_run_summary
    assert any(MASK in str(a["message"]) for a in out.annotations)


def test_the_masker_finds_each_form_inside_other_text() -> None:
    masker = Masker([TOKEN])
    for name, form in FORMS.items():
        masked = masker(f"before {form} after")
        assert form not in masked and MASK in masked, name
    # what is not the token is left alone, short values are never masked
    assert masker("ghs_fake and TOKEN0123") == "ghs_fake and TOKEN0123"
    assert Masker(["short"])("a short word") == "a short word"


def test_the_masker_keeps_the_verdict_readable(attack: AttackFactory) -> None:
    from gatekeeper.report.mask import mask_verdict

    case = attack(_policy(), {"README.md": "a\n"}, {"leak.py": LEAK})
    verdict = case.judge()
    assert_blocked(verdict, "command/failed")
    masked = mask_verdict(verdict, Masker([TOKEN]))
    assert masked.met == verdict.met and masked.blocking_count == verdict.blocking_count
    assert [r.finding.fingerprint for r in masked.results] == [
        r.finding.fingerprint for r in verdict.results
    ]
    assert TOKEN not in repr(masked) and TOKEN in repr(verdict)
