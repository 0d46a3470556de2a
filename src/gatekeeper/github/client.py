"""A small GitHub REST client: retries, rate limits, pagination, and a token kept secret.

Only what the action needs. Every call pins the API version so that GitHub's future
changes cannot silently alter a payload we rely on. Failures become
:class:`GitHubError`, whose message names the method, the path and GitHub's own
message, never a header (the token lives in one and must not reach a log).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

import requests
from urllib3.exceptions import NewConnectionError

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = "gatekeeper-action"

#: statuses worth another try: GitHub's transient server faults
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(Exception):
    """A GitHub API call that failed for good (after retries, or not retryable).

    ``unreachable``: GitHub never answered (no connection, or no answer in time).
    ``maybe_done``: the request may have reached GitHub and been carried out although no
    answer came back (a timeout or a dropped connection after sending, a 5xx): a call
    that creates something must look for it before trying again.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        unreachable: bool = False,
        maybe_done: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.unreachable = unreachable
        self.maybe_done = maybe_done

    @property
    def forbidden(self) -> bool:
        """True for 403/404: the token may not write here (a fork's read-only token)."""
        return self.status in (403, 404)


class GitHubClient:
    """Calls the REST API at ``api_url`` with ``token``.

    ``sleep`` and ``clock`` are injectable so tests can keep waits tiny; ``max_wait`` caps
    any single wait a rate limit asks for (a longer one gives up rather than stall a job).
    """

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._session = session or requests.Session()
        self._headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        #: how many HTTP requests were sent (for the benchmark and tests)
        self.requests_sent = 0
        #: set once connecting failed through every retry: later calls fail at once
        #: rather than each wait through the same retries (see docs/github-action.md)
        self.down = ""

    def __repr__(self) -> str:  # never show the token, even in a debugger
        return f"GitHubClient({self.api_url!r})"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        repeatable: bool | None = None,
    ) -> Any:
        """Send one call (retrying transient faults) and return its decoded JSON body.

        A call that is not ``repeatable`` (by default: POST) is not sent again after a
        failure that leaves it unknown whether GitHub carried it out; it raises a
        :class:`GitHubError` with ``maybe_done`` instead (see :meth:`create`).
        """
        response = self._send(
            method, self._url(path), params=params, json=json, repeatable=repeatable
        )
        return _decode(response)

    def create(self, path: str, *, json: Any, find_existing: Callable[[], Any]) -> Any:
        """POST something new, never twice.

        When a try ends without telling whether GitHub created the thing (a timeout, a
        dropped connection, a 5xx), ``find_existing`` looks for it (it returns the object
        or None) before another try; what it finds is returned as if just created.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.request("POST", path, json=json)
            except GitHubError as exc:
                if not exc.maybe_done:
                    raise
                found = find_existing()
                if found is not None:
                    return found
                if attempt > self.retries:
                    raise GitHubError(
                        f"{exc}; nothing was created as far as GitHub shows",
                        exc.status,
                        unreachable=exc.unreachable,
                    ) from None
                self._sleep(self._backoff(attempt))

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None, *, max_pages: int = 50
    ) -> Iterator[Any]:
        """Yield the items of a list endpoint, following ``Link: rel="next"``."""
        url: str | None = self._url(path)
        query: Mapping[str, Any] | None = {"per_page": 100, **(params or {})}
        pages = 0
        while url is not None and pages < max_pages:
            response = self._send("GET", url, params=query, json=None)
            body = _decode(response)
            if not isinstance(body, list):
                kind = type(body).__name__
                raise GitHubError(f"GET {_path_of(url)}: expected a list, got {kind}")
            yield from body
            pages += 1
            url = _next_link(response.headers.get("Link", ""))
            if url is not None and not url.startswith(self.api_url + "/"):
                url = None  # never send the token to another host
            query = None  # the next link carries its own query string

    def download(self, path: str, *, max_bytes: int) -> bytes:
        """GET a file the API hands out as a redirect to storage (an artifact's zip).

        The API answers 302 with a signed URL on another host. That second request goes
        out without the Authorization header: the token never leaves the API host (and
        signed storage URLs refuse one anyway). A body over ``max_bytes`` is refused
        before the rest of it is read.
        """
        where = f"GET {_path_of(self._url(path))}"
        response = self._send(
            "GET", self._url(path), params=None, json=None, allow_redirects=False, stream=True
        )
        if response.is_redirect:
            location = urljoin(response.url, response.headers.get("Location", ""))
            response.close()
            try:
                response = self._session.request(
                    "GET",
                    location,
                    headers={"User-Agent": USER_AGENT},
                    timeout=self.timeout,
                    stream=True,
                )
            except requests.RequestException as exc:
                raise GitHubError(f"{where}: the download {_describe(exc)}") from None
            if response.status_code >= 400:
                response.close()
                raise GitHubError(
                    f"{where}: the storage host answered HTTP {response.status_code}",
                    response.status_code,
                )
        return _read_capped(response, max_bytes, where)

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.api_url}/{path.lstrip('/')}"

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        allow_redirects: bool = True,
        stream: bool = False,
        repeatable: bool | None = None,
    ) -> requests.Response:
        where = f"{method} {_path_of(url)}"
        if self.down:
            raise GitHubError(f"{where}: not tried, {self.down}", unreachable=True)
        again = method != "POST" if repeatable is None else repeatable
        attempt = 0
        while True:
            attempt += 1
            self.requests_sent += 1
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=self._headers,
                    timeout=self.timeout,
                    allow_redirects=allow_redirects,
                    stream=stream,
                )
            except requests.RequestException as exc:
                self._after_failure(where, exc, attempt, again)
                continue
            if response.status_code < 400:
                return response
            wait = self._retry_after(response, attempt)
            if wait is not None and not again and response.status_code in _RETRY_STATUSES:
                raise GitHubError(
                    f"{where}: {_error_text(response)}", response.status_code, maybe_done=True
                )
            if wait is None or attempt > self.retries:
                raise GitHubError(f"{where}: {_error_text(response)}", response.status_code)
            self._sleep(wait)

    def _after_failure(
        self, where: str, exc: requests.RequestException, attempt: int, again: bool
    ) -> None:
        """Sleep before the next try of a call that got no answer, or raise."""
        sent = _maybe_delivered(exc)
        if sent and not again:
            raise GitHubError(
                f"{where}: {_describe(exc)} (GitHub may have done it; not sent again)",
                unreachable=True,
                maybe_done=True,
            ) from None
        if attempt > self.retries:
            if not sent:
                self.down = f"{self.api_url} could not be reached ({_describe(exc)})"
            tries = f"{attempt} tries" if attempt > 1 else "1 try"
            raise GitHubError(f"{where}: {_describe(exc)} ({tries})", unreachable=True) from None
        self._sleep(self._backoff(attempt))

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_wait, self.backoff * 2 ** (attempt - 1)))

    def _retry_after(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the failure is final."""
        status = response.status_code
        if status in _RETRY_STATUSES:
            return self._backoff(attempt)
        if status not in (403, 429):
            return None
        headers = response.headers
        wait: float | None = None
        if headers.get("Retry-After", "").strip().isdigit():
            wait = float(headers["Retry-After"])
        elif (
            headers.get("x-ratelimit-remaining") == "0"
            and headers.get("x-ratelimit-reset", "").isdigit()
        ):
            wait = max(0.0, float(headers["x-ratelimit-reset"]) - self._clock()) + 1.0
        elif status == 429 or "secondary rate limit" in _error_text(response).lower():
            # GitHub asks for at least a minute when it gives no hint; the cap applies
            wait = 60.0
        if wait is None or wait > self.max_wait:
            return None  # a plain 403 (no permission), or a wait longer than we may stall
        return wait


def _decode(response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise GitHubError(
            f"{response.request.method} {_path_of(response.url)}: the response is not JSON",
            response.status_code,
        ) from None


def _read_capped(response: requests.Response, max_bytes: int, where: str) -> bytes:
    """The body, or :class:`GitHubError` as soon as it proves longer than ``max_bytes``."""
    too_big = f"{where}: the file is larger than the {max_bytes:,}-byte limit"
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise GitHubError(too_big)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise GitHubError(too_big)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise GitHubError(f"{where}: the download broke off ({_describe(exc)})") from None
        return b"".join(chunks)
    finally:
        response.close()


def _next_link(header: str) -> str | None:
    match = _NEXT_LINK.search(header)
    return match.group(1) if match else None


def _path_of(url: str) -> str:
    """The URL without scheme, host and query: enough to say which call failed."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    return path.split("?", 1)[0] or "/"


def _maybe_delivered(exc: requests.RequestException) -> bool:
    """False when the request certainly never reached GitHub (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        return not isinstance(inner, NewConnectionError)
    return True


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "could not connect (timed out)"
    if isinstance(exc, requests.Timeout):
        return "timed out waiting for the answer"
    if isinstance(exc, requests.ConnectionError):
        if _maybe_delivered(exc):
            return "the connection was closed before the answer"
        return "could not connect"
    return type(exc).__name__


def _error_text(response: requests.Response) -> str:
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"]
    reason = f"HTTP {response.status_code}"
    return f"{reason}: {message}" if message else reason
