from __future__ import annotations

import pytest

from gatekeeper.errors import PolicyError
from gatekeeper.policy.yamlmarks import MAX_NODES, Marked, format_path, load

DOC = """\
version: 1
checks:
  coverage:
    diff_min: 80
  cochange:
    - when: [src/**]
      require: [docs/**]
"""


def test_every_key_and_item_keeps_its_line() -> None:
    marked = load(DOC, "p.yml")
    assert marked.data["checks"]["coverage"] == {"diff_min": 80}
    assert marked.lines[("version",)] == 1
    assert marked.lines[("checks", "coverage", "diff_min")] == 4
    assert marked.lines[("checks", "cochange", 0)] == 6
    assert marked.lines[("checks", "cochange", 0, "require")] == 7
    assert marked.lines[("checks", "cochange", 0, "when", 0)] == 6


def test_line_falls_back_to_the_nearest_marked_ancestor() -> None:
    marked = load(DOC, "p.yml")
    assert marked.line(("checks", "coverage", "nope", 3)) == 3
    assert marked.line(()) == 1


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(PolicyError) as info:
        load("checks:\n  coverage: {}\n  pr: {}\n  coverage: {}\n", "p.yml")
    assert str(info.value) == "p.yml:4: duplicate key 'coverage' (first defined at line 2)"


def test_same_key_in_different_mappings_is_fine() -> None:
    assert load("a: {x: 1}\nb: {x: 2}\n", "p.yml").data == {"a": {"x": 1}, "b": {"x": 2}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, 2\n", "p.yml:2: not valid YAML: while parsing a flow sequence"),
        ("a:\n\tb: 1\n", "p.yml:2: not valid YAML:"),
        ("a: 'open\n", "p.yml:2: not valid YAML: while scanning a quoted scalar"),
        ("a: 1\n---\nb: 2\n", "p.yml:2: not valid YAML: expected a single document"),
        ("a: 1\n b: 2\n", "p.yml:2: not valid YAML:"),
    ],
)
def test_malformed_yaml_is_a_policy_error_with_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(PolicyError) as info:
        load(text, "p.yml")
    assert str(info.value).startswith(expected)
    assert "Traceback" not in str(info.value)


def test_yaml_1_2_booleans_keep_off_and_yes_as_strings() -> None:
    data = load("a: off\nb: on\nc: yes\nd: no\ne: true\nf: False\n", "p.yml").data
    assert data == {"a": "off", "b": "on", "c": "yes", "d": "no", "e": True, "f": False}


def test_dates_stay_strings_and_other_scalars_are_json() -> None:
    data = load("d: 2027-01-31\nn: ~\nf: 1.5\ni: 3\ns: x\nk: 2027-02-30\n", "p.yml").data
    assert data == {"d": "2027-01-31", "n": None, "f": 1.5, "i": 3, "s": "x", "k": "2027-02-30"}


def test_explicit_timestamp_tag_is_read_or_refused() -> None:
    assert load("d: !!timestamp 2027-01-31\n", "p.yml").data == {"d": "2027-01-31"}
    with pytest.raises(PolicyError, match=r"p\.yml:1: cannot read '2027-02-30'"):
        load("d: !!timestamp 2027-02-30\n", "p.yml")


def test_keys_are_strings_even_when_they_look_like_numbers() -> None:
    assert load("404: gone\ntrue: x\n", "p.yml").data == {"404": "gone", "true": "x"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("? [a]\n: 1\n", "p.yml:1: a key must be a plain string"),
        ("a: !!binary aGVsbG8=\n", "p.yml:1: unsupported YAML value of type bytes"),
        ("a: !!set {x}\n", "p.yml:1: unsupported YAML tag tag:yaml.org,2002:set"),
        ("a: !custom [1]\n", "p.yml:1: unsupported YAML tag !custom"),
        ("a: !custom x\n", "p.yml:1: not valid YAML: could not determine a constructor"),
        ("a: &x [*x]\n", "p.yml:1: recursive alias"),
        ("a: .nan\n", "p.yml:1: '.nan' is not a finite number"),
        ("a: -.inf\n", "p.yml:1: '-.inf' is not a finite number"),
        ("a: !!python/name:os.system x\n", "p.yml:1: not valid YAML: could not determine"),
    ],
)
def test_values_json_cannot_hold_are_refused(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as info:
        load(text, "p.yml")
    assert str(info.value).startswith(message)


def test_merge_keys_work_and_local_keys_override_them() -> None:
    text = "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n"
    marked = load(text, "p.yml")
    assert marked.data["c"] == {"x": 3, "y": 2}
    assert marked.lines[("c", "x")] == 4
    assert marked.lines[("c", "y")] == 1


def test_bad_merge_key_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"^p\.yml:1: not valid YAML: while constructing"):
        load("c: {<<: 3}\n", "p.yml")


def test_alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    with pytest.raises(PolicyError, match=f"more than {MAX_NODES} values"):
        load("\n".join(lines) + "\n", "p.yml")


def test_empty_document_is_none() -> None:
    marked = load("# only a comment\n", "p.yml")
    assert marked.data is None
    assert marked.line(("version",)) == 1


def test_format_path() -> None:
    assert format_path(("checks", "cochange", 0, "when")) == "checks.cochange[0].when"
    assert format_path((0, "a")) == "[0].a"
    assert format_path(()) == "(top level)"


def test_line_of_an_unmarked_document_is_one() -> None:
    assert Marked("p.yml", {}, {}).line(("a", 0)) == 1
