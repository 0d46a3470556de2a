"""A loopback OSV-compatible server, fed from OSV records on disk, for pip-audit to query.

It answers the three endpoints OSV clients use: ``POST /v1/query`` (pip-audit's only
call), ``POST /v1/querybatch`` and ``GET /v1/vulns/<id>``. Records are YAML or JSON
files; with ``by_folder`` the records of a package are read only when it is first asked
about (the PyPI advisory database keeps one folder per package).

A query path may start with ``/asof/<ISO date>`` (``/asof/2023-04-03T10:00:00Z/v1/query``):
then only records published on or before that moment are served, what an OSV service
would have answered then. The replay (bench/replay.py) asks as of each commit's date, so a
PR is not judged by advisories filed after it merged.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def load_record(path: Path) -> dict[str, Any]:
    """One OSV record; YAML is read with every scalar as a string (so 2.10 stays 2.10)."""
    text = path.read_text("utf-8")
    loader = yaml.BaseLoader  # builds only strings, lists and dicts: safe
    data = json.loads(text) if path.suffix == ".json" else yaml.load(text, loader)  # nosec B506
    assert isinstance(data, dict), path
    return data


ASOF_PREFIX = "/asof/"


def split_asof(path: str) -> tuple[datetime | None, str]:
    """``/asof/<date>/v1/query`` -> (that moment, ``/v1/query``); other paths unchanged."""
    if not path.startswith(ASOF_PREFIX):
        return None, path
    stamp, _, rest = path[len(ASOF_PREFIX) :].partition("/")
    return _moment(stamp), "/" + rest


def _moment(stamp: str) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 stamp (``Z`` or an offset), else None."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def published_by(record: dict[str, Any], asof: datetime | None) -> bool:
    """True when ``record`` was public at ``asof``. A record without ``published`` (some
    PYSEC entries) is dated by ``modified``, the one date it has: it was public by then at
    the latest, and cannot be shown to be public earlier; without either, always."""
    published = _moment(str(record.get("published") or record.get("modified") or ""))
    return asof is None or published is None or published <= asof


def _v(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def affects(record: dict[str, Any], name: str, version: str) -> bool:
    """True when ``record`` says PyPI package ``name`` at ``version`` is affected."""
    target = _v(version)
    for affected in record.get("affected", []):
        pkg = affected.get("package", {})
        if pkg.get("ecosystem") != "PyPI" or canonicalize_name(pkg.get("name", "")) != name:
            continue
        if version in affected.get("versions", []):
            return True
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and target is not None and _in_range(rng, target):
                return True
    return False


def _in_range(rng: dict[str, Any], target: Version) -> bool:
    events = []
    for event in rng.get("events", []):
        kind, value = next(iter(event.items()))
        at = Version("0") if value == "0" else _v(value)
        if at is not None:
            events.append((at, kind))
    hit = False
    for at, kind in sorted(events):
        if kind == "introduced" and at <= target:
            hit = True
        elif (kind == "fixed" and at <= target) or (kind == "last_affected" and at < target):
            hit = False
    return hit


class OsvServer:
    """The server, its URL, the queries it saw, and a switch to make it fail."""

    def __init__(self, records: Path, *, by_folder: bool = False) -> None:
        self.root = records
        self.by_folder = by_folder
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.queries: list[tuple[str, str]] = []
        self.mode = "ok"  # "ok", "500", "slow" (sleeps past the client's timeout), "garbage"
        self.delay = 3.0
        self._lock = threading.Lock()
        if not by_folder:
            for path in sorted(records.rglob("*")):
                if path.suffix in (".yaml", ".yml", ".json"):
                    self._add(load_record(path))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        # a short poll interval keeps shutdown (once per test) from costing half a second
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The query endpoint, as pip-audit's ``--osv-url`` wants it."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/query"

    def _add(self, record: dict[str, Any]) -> None:
        for affected in record.get("affected", []):
            name = canonicalize_name(affected.get("package", {}).get("name", ""))
            bucket = self.records.setdefault(name, [])
            if record not in bucket:
                bucket.append(record)

    def _for(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            if self.by_folder and name not in self.records:
                self.records[name] = []
                folders = [d for d in self.root.iterdir() if canonicalize_name(d.name) == name]
                for folder in folders:
                    for path in sorted(folder.glob("*.yaml")):
                        self._add(load_record(path))
            return self.records.get(name, [])

    def match(self, name: str, version: str, asof: datetime | None = None) -> list[dict[str, Any]]:
        """Records affecting (name, version) and published by ``asof``, sorted by id."""
        name = canonicalize_name(name)
        found = [r for r in self._for(name) if affects(r, name, version) and published_by(r, asof)]
        return sorted(found, key=lambda r: r["id"])

    def by_id(self, vuln_id: str) -> dict[str, Any] | None:
        """A record by id, among the packages loaded so far."""
        with self._lock:
            return next((r for rs in self.records.values() for r in rs if r["id"] == vuln_id), None)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # tests stay quiet

            def _send(self, status: int, body: object) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                # the client may have given up first (the timeout tests want exactly that)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def _failing(self) -> bool:
                if server.mode == "500":
                    self._send(500, {"code": 13, "message": "internal error"})
                    return True
                if server.mode == "slow":
                    time.sleep(server.delay)
                if server.mode == "garbage":
                    self._send(200, b"<html>proxy login</html>")
                    return True
                return False

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                if self._failing():
                    return
                asof, path = split_asof(self.path)
                if path == "/v1/query":
                    self._send(200, server._query(body, asof=asof))
                elif path == "/v1/querybatch":
                    queries = body.get("queries", [])
                    results = [server._query(q, brief=True, asof=asof) for q in queries]
                    self._send(200, {"results": results})
                else:
                    self._send(404, {"message": "not found"})

            def do_GET(self) -> None:
                if self._failing():
                    return
                asof, path = split_asof(self.path)
                record = server.by_id(path.rsplit("/", 1)[-1])
                if (
                    path.startswith("/v1/vulns/")
                    and record is not None
                    and published_by(record, asof)
                ):
                    self._send(200, record)
                else:
                    self._send(404, {"message": "not found"})

        return Handler

    def _query(
        self, body: dict[str, Any], *, brief: bool = False, asof: datetime | None = None
    ) -> dict[str, Any]:
        name, version = body["package"]["name"], body["version"]
        with self._lock:
            self.queries.append((canonicalize_name(name), version))
        found = self.match(name, version, asof)
        if brief:
            found = [{"id": r["id"], "modified": r.get("modified", "")} for r in found]
        return {"vulns": found} if found else {}

    def __enter__(self) -> OsvServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(records: Path, *, by_folder: bool = False) -> Iterator[OsvServer]:
    """Run a server for the duration of a fixture."""
    with OsvServer(records, by_folder=by_folder) as server:
        yield server
