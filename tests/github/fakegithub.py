"""A loopback stand-in for api.github.com that validates every request it receives.

Each request must carry the pinned API version and a token, and must match an
operation of GitHub's REST description (method, path template, query parameters, JSON
body schema); anything else is answered 422 and recorded in ``rejections`` so the
test fails. Faults (status codes, headers, stalls, an answer lost after the work was done) can be
queued per operation, and the server can stop listening (:meth:`refuse_connections`).
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.github import fakegit
from tests.github.ghspec import RequestRejected, SpecValidator

TOKEN = "ghs_fakeTOKEN0123456789abcdefABCDEF"


@dataclass
class Fault:
    """An answer to give instead of the normal one."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = field(default_factory=lambda: {"message": "injected fault"})
    #: hold the answer this many seconds, or until the client hangs up (a timeout test
    #: sets a long stall and a client timeout of a second or two: no race with a busy CPU)
    stall: float = 0.0
    times: int = 1  # -1: forever
    #: carry the request out first (create the check run...), then answer with the fault
    apply: bool = False
    #: close the connection without any answer (after ``apply``, "it worked, but the
    #: answer was lost")
    drop: bool = False


@dataclass
class Call:
    """One request as the server saw it."""

    operation: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


class FakeGitHub:
    """The server and its state: check runs, comments, statuses, commits, reviews, and
    the repositories whose refs and files it serves."""

    def __init__(
        self, validators: list[SpecValidator], page_size: int = 100, token: str = TOKEN
    ) -> None:
        self.validators = validators
        self.page_size = page_size
        #: the token the server accepts (and any in ``other_tokens``, e.g. a policy token)
        self.token = token
        self.other_tokens: set[str] = set()
        self.calls: list[Call] = []
        self.rejections: list[str] = []
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.commits: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        #: workflow runs, and each run's artifacts (id -> list of artifact objects)
        self.runs: list[dict[str, Any]] = []
        self.artifacts: dict[int, list[dict[str, Any]]] = {}
        #: organization teams by "org/slug": their members (user objects); others are 404
        self.teams: dict[str, list[dict[str, Any]]] = {}
        #: repositories served by the git side (refs, tags, contents): "owner/repo"
        #: (lowercase) -> a real git repository on disk; others are 404
        self.repositories: dict[str, Path] = {}
        #: where artifact downloads redirect to (a second server, another "host")
        self.storage: FakeStorage | None = None
        self.faults: dict[str, list[Fault]] = {}
        self._next_id = 1000
        self._stopped = False
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL to use as GITHUB_API_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()

    def refuse_connections(self) -> None:
        """Stop listening: from now on every connection to :attr:`url` is refused."""
        self.stop()

    def fail(self, operation: str, fault: Fault) -> None:
        """Answer the next call(s) of ``operation`` with ``fault``."""
        self.faults.setdefault(operation, []).append(fault)

    def ops(self) -> list[str]:
        """The operation ids called, in order."""
        return [c.operation for c in self.calls]

    def new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(operation) or []
            if not queue:
                return None
            fault = queue[0]
            if fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    queue.pop(0)
            return fault

    # -- the behaviour of each operation ------------------------------------------------

    def answer(
        self, op: str, last: str, body: Any, query: dict[str, list[str]], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        if op == "checks/create":
            run = {
                "id": self.new_id(),
                **body,
                "annotations": list(body.get("output", {}).get("annotations", [])),
            }
            self.check_runs[run["id"]] = run
            return 201, {"id": run["id"], "name": body["name"]}, {}
        if op == "checks/list-for-ref":
            runs = [
                r
                for r in self.check_runs.values()
                if r["head_sha"] == last_but(path, 1)
                and ("check_name" not in query or r["name"] == query["check_name"][0])
            ]
            return 200, {"total_count": len(runs), "check_runs": runs}, {}
        if op == "checks/update":
            run = self.check_runs[int(last)]
            run["annotations"].extend(body.get("output", {}).get("annotations", []))
            run["output"] = {**run.get("output", {}), **body.get("output", {})}
            return 200, {"id": run["id"]}, {}
        if op == "issues/list-comments":
            return self._page(sorted(self.comments.values(), key=lambda c: c["id"]), query, path)
        if op == "issues/create-comment":
            comment = {"id": self.new_id(), "body": body["body"], "user": {"login": "bot"}}
            self.comments[comment["id"]] = comment
            return 201, comment, {}
        if op == "issues/update-comment":
            self.comments[int(last)]["body"] = body["body"]
            return 200, self.comments[int(last)], {}
        if op == "repos/create-commit-status":
            self.statuses.append({"sha": last, **body})
            return 201, {"id": self.new_id(), **body}, {}
        if op == "pulls/list-commits":
            return self._page(self.commits, query, path)
        if op == "pulls/list-reviews":
            return self._page(self.reviews, query, path)
        if op == "teams/list-members-in-org":
            parts = path.strip("/").split("/")  # orgs/{org}/teams/{slug}/members
            members = self.teams.get(f"{parts[1]}/{parts[3]}")
            if members is None:
                return 404, {"message": "Not Found"}, {}
            return self._page(members, query, path)
        if op.startswith("actions/"):
            return self._actions(op, query, path)
        if op in ("git/get-ref", "git/get-tag", "repos/get-content"):
            return fakegit.answer(self.repositories, op, path, query, self.url)
        return 500, {"message": f"fake server does not implement {op}"}, {}

    def _actions(
        self, op: str, query: dict[str, list[str]], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        """Workflow runs, their artifacts, and the 302 to storage that GitHub answers."""
        if op == "actions/list-workflow-runs-for-repo":
            runs = [
                r
                for r in self.runs
                if all(str(r.get(k)) == query[k][0] for k in ("head_sha", "status") if k in query)
            ]
            return 200, {"total_count": len(runs), "workflow_runs": runs}, {}
        parts = path.strip("/").split("/")
        if op == "actions/list-workflow-run-artifacts":
            found = [
                a
                for a in self.artifacts.get(int(parts[-2]), [])
                if "name" not in query or a["name"] == query["name"][0]
            ]
            return 200, {"total_count": len(found), "artifacts": found}, {}
        # actions/download-artifact: .../actions/artifacts/{id}/zip
        artifact = next(
            a for run in self.artifacts.values() for a in run if a["id"] == int(parts[-2])
        )
        if artifact.get("expired"):
            return 410, {"message": "Artifact has expired"}, {}
        assert self.storage is not None, "set fake.storage to serve artifact downloads"
        location = f"{self.storage.url}/blob/{artifact['id']}?sig=signed"
        return 302, {}, {"Location": location}

    def _page(
        self, items: list[Any], query: dict[str, list[str]], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        size = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            headers["Link"] = f'<{self.url}{path}?per_page={size}&page={page + 1}>; rel="next"'
        return 200, chunk, headers


def last_but(path: str, n: int) -> str:
    """The path segment ``n`` places before the last ("sha" in .../commits/sha/check-runs)."""
    return path.strip("/").split("/")[-1 - n]


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes; without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every request and swamp what the benchmark measures
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self._serve()

        do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            try:
                op = self._validate(parts.path, parts.query, raw)
            except RequestRejected as exc:
                fake.rejections.append(str(exc))
                self._reply(422, {"message": f"rejected by the fake: {exc}"}, {})
                return
            body = json.loads(raw) if raw else None
            query = parse_qs(parts.query)
            fake.calls.append(
                Call(op, self.command, parts.path, query, body, dict(self.headers.items()))
            )
            fault = fake.take_fault(op)
            last = parts.path.rstrip("/").rsplit("/", 1)[-1]  # the id or sha, when there is one
            if fault is not None:
                if fault.apply:
                    fake.answer(op, last, body, query, parts.path)
                if fault.stall and not self._stall(fault.stall):
                    return  # the client gave up waiting: nobody to answer
                if fault.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._reply(fault.status, fault.body, fault.headers)
                return
            status, answer, headers = fake.answer(op, last, body, query, parts.path)
            self._reply(status, answer, headers)

        def _stall(self, seconds: float) -> bool:
            """Wait up to ``seconds``; False as soon as the client closes the connection."""
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                ready, _, _ = select.select([self.connection], [], [], 0.05)
                if ready and not self.connection.recv(1, socket.MSG_PEEK):
                    return False
            return True

        def _validate(self, path: str, query: str, raw: bytes) -> str:
            if self.headers.get("X-GitHub-Api-Version") != "2022-11-28":
                raise RequestRejected("missing or wrong X-GitHub-Api-Version")
            accepted = {f"Bearer {t}" for t in (fake.token, *fake.other_tokens)}
            if self.headers.get("Authorization") not in accepted:
                raise RequestRejected("missing or wrong Authorization")
            if "application/vnd.github+json" not in (self.headers.get("Accept") or ""):
                raise RequestRejected("Accept is not application/vnd.github+json")
            op = ""
            for validator in fake.validators:
                op = validator.validate(self.command, path, query, raw or None)
            return op

        def _reply(self, status: int, body: Any, headers: dict[str, str]) -> None:
            data = json.dumps(body).encode("utf-8")
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


class FakeStorage:
    """The blob store GitHub redirects artifact downloads to, on its own loopback port.

    It records every request's headers, so a test can prove the token never reached it.
    With ``declare_length`` false it streams without Content-Length (HTTP/1.0, body
    ends at close), as a storage host may.
    """

    def __init__(self) -> None:
        self.blobs: dict[int, bytes] = {}
        self.requests: list[dict[str, str]] = []
        self.declare_length = True
        #: bytes promised in Content-Length but never sent (a connection cut mid-body)
        self.cut_short = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _storage_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeStorage:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _storage_handler(store: FakeStorage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            store.requests.append(dict(self.headers.items()))
            name = urlsplit(self.path).path.rsplit("/", 1)[-1]
            data = store.blobs.get(int(name)) if name.isdigit() else None
            if data is None:
                self.send_response(404)
                self.end_headers()
                return
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                if store.declare_length:
                    self.send_header("Content-Length", str(len(data) + store.cut_short))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: the size cap at work

    return Handler
