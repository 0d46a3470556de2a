"""The REST client against the validating loopback server: retries, limits, pages."""

from __future__ import annotations

import pytest
import requests

from gatekeeper.github.client import API_VERSION, GitHubClient, GitHubError
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault
from tests.github.ghspec import RequestRejected, SpecValidator

CHECK_RUN = {"name": "gatekeeper", "head_sha": "a" * 40}


class Sleeps(list[float]):
    """Records the waits the client asks for instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(github: FakeGitHub, sleeps: Sleeps | None = None, **kw: object) -> GitHubClient:
    return GitHubClient(TOKEN, github.url, sleep=sleeps if sleeps is not None else Sleeps(), **kw)  # type: ignore[arg-type]


def test_request_is_valid_and_pins_the_api_version(github: FakeGitHub) -> None:
    answer = client(github).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert answer["name"] == "gatekeeper"
    assert github.ops() == ["checks/create"]
    assert github.calls[0].headers["X-GitHub-Api-Version"] == API_VERSION == "2022-11-28"


def test_server_faults_are_retried_with_backoff(github: FakeGitHub) -> None:
    github.fail("pulls/list-reviews", Fault(500))
    github.fail("pulls/list-reviews", Fault(502))
    sleeps = Sleeps()
    client(github, sleeps, backoff=0.5).request("GET", "repos/o/r/pulls/1/reviews")
    assert github.ops() == ["pulls/list-reviews"] * 3
    assert sleeps == [0.5, 1.0]


def test_persistent_server_fault_gives_up_with_a_small_error(github: FakeGitHub) -> None:
    github.fail("pulls/list-reviews", Fault(502, times=-1))
    with pytest.raises(GitHubError) as err:
        client(github, retries=2).request("GET", "repos/o/r/pulls/1/reviews")
    assert err.value.status == 502
    assert str(err.value) == "GET /repos/o/r/pulls/1/reviews: HTTP 502: injected fault"
    assert len(github.calls) == 3


def test_a_post_is_not_sent_again_after_a_server_fault(github: FakeGitHub) -> None:
    # a 5xx does not say whether the check run was created: sending again could make two
    github.fail("checks/create", Fault(502))
    with pytest.raises(GitHubError) as err:
        client(github).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert err.value.maybe_done and err.value.status == 502
    assert github.ops() == ["checks/create"]


def test_a_repeatable_post_is_retried(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(502))
    client(github).request("POST", "repos/o/r/check-runs", json=CHECK_RUN, repeatable=True)
    assert github.ops() == ["checks/create"] * 2


def test_secondary_rate_limit_honours_retry_after(github: FakeGitHub) -> None:
    github.fail(
        "checks/create",
        Fault(403, {"Retry-After": "7"}, {"message": "You have exceeded a secondary rate limit"}),
    )
    sleeps = Sleeps()
    client(github, sleeps).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert sleeps == [7.0]


def test_secondary_rate_limit_without_hint_waits_a_minute(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(403, {}, {"message": "secondary rate limit hit"}))
    sleeps = Sleeps()
    client(github, sleeps).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert sleeps == [60.0]


def test_primary_rate_limit_waits_until_reset(github: FakeGitHub) -> None:
    github.fail(
        "checks/create", Fault(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"})
    )
    sleeps = Sleeps()
    client(github, sleeps, clock=lambda: 990.0).request(
        "POST", "repos/o/r/check-runs", json=CHECK_RUN
    )
    assert sleeps == [11.0]


def test_a_rate_limit_longer_than_the_cap_gives_up(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(429, {"Retry-After": "3600"}))
    sleeps = Sleeps()
    with pytest.raises(GitHubError) as err:
        client(github, sleeps, max_wait=30).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert err.value.status == 429 and sleeps == []


def test_plain_403_is_final_and_marked_forbidden(github: FakeGitHub) -> None:
    github.fail(
        "checks/create", Fault(403, {}, {"message": "Resource not accessible by integration"})
    )
    with pytest.raises(GitHubError) as err:
        client(github).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert err.value.forbidden and len(github.calls) == 1
    assert "Resource not accessible" in str(err.value)
    assert TOKEN not in str(err.value)


def test_422_is_not_forbidden(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(422, {}, {}))
    with pytest.raises(GitHubError) as err:
        client(github).request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert not err.value.forbidden and str(err.value).endswith("HTTP 422")


def test_timeout_is_retried_then_reported_without_the_token(github: FakeGitHub) -> None:
    github.fail("pulls/list-reviews", Fault(200, stall=60.0, times=2))
    sleeps = Sleeps()
    with pytest.raises(GitHubError) as err:
        client(github, sleeps, timeout=1.0, retries=1).request("GET", "repos/o/r/pulls/1/reviews")
    assert str(err.value) == (
        "GET /repos/o/r/pulls/1/reviews: timed out waiting for the answer (2 tries)"
    )
    assert err.value.status is None and err.value.unreachable and sleeps == [1.0]
    assert TOKEN not in str(err.value)


def test_unreachable_server(github: FakeGitHub) -> None:
    github.refuse_connections()
    sleeps = Sleeps()
    gh = client(github, sleeps, retries=2)
    with pytest.raises(GitHubError, match="could not connect") as err:
        gh.request("GET", "repos/o/r/pulls/1/reviews")
    assert err.value.unreachable and not err.value.maybe_done and sleeps == [1.0, 2.0]
    # the next call does not wait through the same retries again
    with pytest.raises(GitHubError, match=r"not tried, .* could not be reached"):
        gh.request("POST", "repos/o/r/check-runs", json=CHECK_RUN)
    assert sleeps == [1.0, 2.0] and gh.requests_sent == 3


def test_pagination_follows_link_headers(github: FakeGitHub) -> None:
    github.page_size = 2
    github.reviews = [{"id": i} for i in range(5)]
    items = list(client(github).paginate("repos/o/r/pulls/1/reviews"))
    assert [i["id"] for i in items] == [0, 1, 2, 3, 4]
    assert github.ops() == ["pulls/list-reviews"] * 3
    assert [c.query.get("page") for c in github.calls] == [None, ["2"], ["3"]]


def test_pagination_never_follows_a_link_to_another_host(github: FakeGitHub) -> None:
    github.page_size = 1
    github.reviews = [{"id": 1}, {"id": 2}]
    gh = client(github)
    gh.api_url = github.url.replace("127.0.0.1", "localhost")
    assert len(list(gh.paginate("repos/o/r/pulls/1/reviews"))) == 1
    assert len(github.calls) == 1


def test_pagination_rejects_a_non_list(github: FakeGitHub) -> None:
    github.fail("pulls/list-reviews", Fault(200, body={"message": "not a list"}))
    with pytest.raises(GitHubError, match="expected a list"):
        list(client(github).paginate(f"{github.url}/repos/o/r/pulls/1/reviews"))


def test_repr_hides_the_token() -> None:
    assert TOKEN not in repr(GitHubClient(TOKEN, "http://x"))
    assert "Authorization" not in GitHubClient("", "http://x")._headers


def test_validator_rejects_what_github_would(validators: list[SpecValidator]) -> None:
    for v in validators:
        assert (
            v.validate("POST", "/repos/o/r/check-runs", "", b'{"name":"x","head_sha":"a"}')
            == "checks/create"
        )
        bad = [
            ("POST", "/repos/o/r/check-runs", "", b'{"name": "x"}'),  # head_sha missing
            (
                "POST",
                "/repos/o/r/check-runs",
                "",
                b'{"name":"x","head_sha":"a","conclusion":"green"}',
            ),
            ("GET", "/repos/o/r/pulls/1/reviews", "bogus=1", None),
            ("GET", "/repos/o/r/pulls/one/reviews", "", None),
            ("PATCH", "/repos/o/r/issues/comments/5", "", None),  # body required
            ("GET", "/repos/o/r/pulls/1/reviews", "", b"{"),
            ("DELETE", "/nowhere", "", None),
        ]
        for method, path, query, body in bad:
            with pytest.raises(RequestRejected):
                v.validate(method, path, query, body)


def test_fake_refuses_requests_without_the_pinned_version(github: FakeGitHub) -> None:
    answer = requests.get(
        f"{github.url}/repos/o/r/pulls/1/reviews",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 422
    assert github.rejections == ["missing or wrong X-GitHub-Api-Version"]
    github.rejections.clear()


@pytest.mark.corpus
def test_requests_are_checked_against_the_full_description_too(
    corpus: object, validators: list[SpecValidator]
) -> None:
    assert len(validators) == 2  # the trimmed copy, and GitHub's whole description
