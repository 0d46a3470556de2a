"""A path parameter's ``required: false`` is a warning (validate.py: the template makes it
required anyway); a PR cannot use that flag to carry a real invalidity, or a breaking
change, past the gate."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  openapi: {specs: [openapi.yaml]}\n"


def _spec(extra: str = "", param: str = "in: path, required: false") -> str:
    return (
        "openapi: 3.0.3\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /domains/{id}:\n"
        "    get:\n"
        f"      parameters: [{{name: id, {param}, schema: {{type: string}}}}]\n"
        "      responses: {'200': {description: ok}}\n"
        f"{extra}"
    )


BASE = _spec(
    "  /keys:\n    get: {responses: {'200': {description: ok}}}\n", "in: path, required: true"
)


def test_the_flag_does_not_excuse_a_removed_endpoint(attack: AttackFactory) -> None:
    verdict = attack(POLICY, {"openapi.yaml": BASE}, {"openapi.yaml": _spec()}).judge()
    assert_blocked(verdict, "openapi/api-path-removed-without-deprecation")


def test_the_flag_on_a_query_parameter_blocks(attack: AttackFactory) -> None:
    head = _spec(
        "  /keys:\n    get: {responses: {'200': {description: ok}}}\n",
        "in: path, required: true}, {name: q, in: query, required: 'false'",
    )
    verdict = attack(POLICY, {"openapi.yaml": BASE}, {"openapi.yaml": head}).judge()
    assert_blocked(verdict, "openapi/spec-invalid")
