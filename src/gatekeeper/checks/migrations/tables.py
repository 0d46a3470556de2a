"""Which tables are large: the fact that decides whether a lock is worth blocking on.

Building an index without CONCURRENTLY, validating a constraint, SET NOT NULL or a table
rewrite hold a lock for as long as the table takes to scan: moments on a table of a
thousand rows, an outage on one of a hundred million. The gate cannot count rows. The
policy can name the large tables (``checks.migrations.large_tables``, globs; ``["*"]``
for every table, as ``strict`` does); without that list a table is presumed large when
its name says it records things as they happen (``website_event``, ``audit_log``,
``metrics``, ``link_clicks``, a tracer's ``spans``, ``messageattempt`` written as one
word), the tables that grow without bound (not ``views``: a table of saved views is as
often a few rows of settings as one of page views), or when the merged migrations say so
(precedent.py, djtogether.py; not the often-indexed sign on a hub many tables reference,
hubs.py). A hub named for events or activity alone is not presumed large by its name
either: ten other tables pointing at it make it an entity (pretalx's conference ``event``);
a hub named for logs, audits, metrics or messages still is.
On a large table these findings are errors, on any other table warnings that say what
would make them block.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.model import Level

#: rules whose harm is a lock held for as long as the table takes to scan or rewrite
SIZE_RULES = frozenset({
    "index-not-concurrent", "unique-constraint", "constraint-not-valid", "set-not-null",
    "volatile-default", "add-primary-key-column",
})  # fmt: skip
#: words of a table name that say it records events as they happen (grows without bound)
GROWING_WORDS = frozenset({
    "event", "events", "log", "logs", "audit", "audits", "metric", "metrics", "history",
    "histories", "activity", "activities", "analytics", "pageview", "pageviews", "telemetry",
    "tracking", "clicks", "visits", "impressions", "heartbeat", "heartbeats",
    "span", "spans", "trace", "traces",
})  # fmt: skip
#: of :data:`GROWING_WORDS`, those that name a thing people plan or do (a conference, a
#: calendar entry, a workout) as often as a record of traffic: on a hub (hubs.py) they
#: presume nothing; ``audit_logs`` or ``metrics`` stay large however many tables point at them
ENTITY_WORDS = frozenset({"event", "events", "activity", "activities"})
#: words that say so only as the name's last word, the thing each row is: a chat, mail or
#: queue message (``messages``, ``EmailMessage``, ``queue_message``), a mailing's
#: recipients, a webhook's deliveries, a user's notifications grow with the product's
#: traffic, but ``message_templates`` or ``notification_settings`` are a few rows
HEAD_WORDS = frozenset({
    "message", "messages", "recipients", "deliveries", "notifications", "attempt", "attempts",
})  # fmt: skip
#: what a table records, as the first half of a name written as one word: with one of
#: the words above after it (``messageattempt``, ``eventlog``, ``auditlog``,
#: ``webhookdeliveries``) the name is read as the two words it joins. Only these: a name
#: that merely ends in the letters of such a word (``catalog``, ``backlog``, ``dialog``,
#: ``changelog``, ``prevent``) is one word
SUBJECT_WORDS = frozenset({
    "access", "account", "action", "activity", "admin", "api", "app", "audit", "auth",
    "call", "chat", "click", "delivery", "device", "email", "error", "event", "job", "login",
    "mail", "message", "notification", "order", "page", "payment", "push", "request",
    "search", "security", "session", "sms", "sync", "system", "task", "usage", "user",
    "visit", "webhook",
})  # fmt: skip
SETTING = "checks.migrations.large_tables"

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


_SIZE_WORDS = GROWING_WORDS | HEAD_WORDS


def split_compound(word: str) -> list[str]:
    """``word`` as the two words it joins when it is one of :data:`SUBJECT_WORDS` (or a
    size word) followed by a size word (``messageattempt`` -> message, attempt), else
    ``[word]``."""
    if word in _SIZE_WORDS:
        return [word]
    for tail in sorted(_SIZE_WORDS, key=len, reverse=True):
        head = word[: -len(tail)]
        if word.endswith(tail) and (head in SUBJECT_WORDS or head in _SIZE_WORDS):
            return [head, tail]
    return [word]


def _growing(bare: str) -> list[str]:
    """The words of table name ``bare`` that presume it large: any of
    :data:`GROWING_WORDS`, else a last word in :data:`HEAD_WORDS` (sorted; [] for none)."""
    words = [part for w in _WORD.findall(bare) for part in split_compound(w.lower())]
    return sorted(set(words) & GROWING_WORDS) or sorted(set(words[-1:]) & HEAD_WORDS)


def named_growing(names: Iterable[str]) -> bool:
    """Whether a table known by ``names`` is presumed large by a word of
    :data:`GROWING_WORDS` in its name (the presumption a hub overrules)."""
    known = [n.strip('"`') for n in names if n and n != "?"]
    return bool(known) and any(w in GROWING_WORDS for w in _growing(known[-1].rsplit(".", 1)[-1]))


@dataclass(frozen=True, slots=True)
class Sizes:
    """The policy's large tables (globs), or None: presumed from the table's name."""

    listed: tuple[str, ...] | None = None
    #: without a list: tables the merged migrations indexed CONCURRENTLY (precedent.py),
    #: lower-cased name -> the file that did
    indexed_concurrently: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: without a list: tables many merged migrations came back to index (precedent.py),
    #: lower-cased name -> how many did
    indexed_often: Mapping[str, int] = dataclasses.field(default_factory=dict)
    #: without a list: Django models the merged migrations declare many indexes on
    #: (djtogether.py), lower-cased name -> how many
    indexed_many_ways: Mapping[str, int] = dataclasses.field(default_factory=dict)
    #: without a list: of the tables in ``indexed_often``, the hubs (hubs.py) that many other
    #: tables reference, lower-cased name -> how many: indexing them often is no sign
    hubs: Mapping[str, int] = dataclasses.field(default_factory=dict)
    #: without a list: a table's names before the merged migrations renamed it, under which
    #: ``indexed_often`` counted too (precedent.former_names)
    formers: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    #: without a list: tables the merged migrations made TimescaleDB hypertables
    #: (precedent.hypertables), lower-cased name -> the file that did
    hypertables: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> Sizes:
        """From the check's config (``large_tables`` absent: presume by name)."""
        listed = config.get("large_tables")
        return cls(None if listed is None else tuple(str(g) for g in listed))

    def why_large(self, names: Iterable[str]) -> str | None:
        """Why a table known by ``names`` is large ("" when listed by ``*``), or None."""
        known = [n.strip('"`') for n in names if n and n != "?"]
        if not known:
            return None
        if self.listed is not None:
            for glob in self.listed:
                if any(fnmatch.fnmatchcase(n.lower(), glob.lower()) for n in known):
                    return "" if glob == "*" else f"{known[0]} is listed in {SETTING}"
            return None
        bare = known[-1].rsplit(".", 1)[-1]  # the name without its schema
        precedent = next(
            (self.indexed_concurrently[n.rsplit(".", 1)[-1].lower()] for n in known
             if n.rsplit(".", 1)[-1].lower() in self.indexed_concurrently),
            None,
        )  # fmt: skip
        if precedent is not None:
            return (
                f"{known[0]} is treated as large: {precedent} built an index on it "
                f"CONCURRENTLY (list the real large tables in {SETTING})"
            )
        bare_names = [n.rsplit(".", 1)[-1].lower() for n in known]
        series = next((self.hypertables[k] for k in bare_names if k in self.hypertables), None)
        if series is not None:
            return (
                f"{known[0]} is treated as large: {series} made it a TimescaleDB hypertable, a "
                "time series that grows without bound (build its indexes WITH "
                "(timescaledb.transaction_per_chunk), which locks one chunk at a time; list the "
                f"real large tables in {SETTING})"
            )
        often = next(
            ((n, self.indexed_often[key]) for n in known
             if (key := n.rsplit(".", 1)[-1].lower()) in self.indexed_often
             and key not in self.hubs),
            None,
        )  # fmt: skip
        if often is not None:
            before = sorted(self.formers.get(often[0].rsplit(".", 1)[-1].lower(), ()))
            named = f" (also as {', '.join(before)}, its name before)" if before else ""
            return (
                f"{known[0]} is treated as large: {often[1]} merged migrations came back to "
                f"add indexes on it{named} after it was created, as a growing table needs "
                f"(list the real large tables in {SETTING})"
            )
        ways = next((self.indexed_many_ways[n.lower()] for n in known
                     if n.lower() in self.indexed_many_ways), None)  # fmt: skip
        if ways is not None:
            return (
                f"{known[0]} is treated as large: the merged migrations declare {ways} indexes "
                f"on more than one of its columns, which only a table too large to scan needs "
                f"(list the real large tables in {SETTING})"
            )
        grows = _growing(bare)
        hub = self._hub(known)
        # an entity many tables point at (pretalx's conference ``event``), unless the team
        # also came back to index it again and again, as a growing table needs
        entity = hub is not None and hub not in self.indexed_often
        if grows and not (set(grows) <= ENTITY_WORDS and entity):
            return (
                f"{known[0]} is presumed large: its name ('{grows[0]}') says it gains rows as "
                f"things happen (list the real large tables in {SETTING})"
            )
        return None

    def _hub(self, names: Iterable[str]) -> str | None:
        """The lower-cased bare name under which ``names`` is a hub (hubs.py), or None."""
        keys = (n.strip('"`').rsplit(".", 1)[-1].lower() for n in names)
        return next((k for k in keys if k in self.hubs), None)

    @staticmethod
    def weighs(hit: Hit) -> bool:
        """Whether the level of ``hit`` depends on its table's size."""
        return (hit.rule in SIZE_RULES or hit.sized) and bool(hit.table)

    def judge(self, hit: Hit) -> Hit:
        """``hit`` at the level its table's size gives it (others unchanged)."""
        if not self.weighs(hit):
            return hit  # an unknown table keeps the rule's own level: fail closed
        why = self.why_large(hit.table)
        if why is not None:
            message = f"{hit.message} ({why})." if why else hit.message
            return dataclasses.replace(hit, level=Level.ERROR, message=message)
        table = hit.table[0]
        hub = self._hub(hit.table)
        if self.listed is None and hub is not None and hub not in self.indexed_often:
            fact = (
                f"{table} is not presumed large: its name says it records things as they "
                f"happen, but {self.hubs[hub]} other tables reference it, an entity (a "
                f"conference, a calendar entry) rather than a record of the traffic; if it "
                f"is large, list it in {SETTING}"
            )
        elif self.listed is None and hub is not None:
            fact = (
                f"{table} is not presumed large: {self.indexed_often[hub]} merged migrations came "
                f"back to index it, but {self.hubs[hub]} other tables reference it, an entity "
                f"that grows with its customers rather than with the traffic, whose new "
                f"features bring new indexes; if it is large, list it in {SETTING}"
            )
        elif self.listed is None:
            fact = (
                f"{table} is not presumed large (by default only tables named for events, "
                f"logs, messages, attempts, notifications, metrics, audits, spans or history are, "
                f"and those the merged migrations indexed concurrently, came back to index "
                f"often or declare many indexes on); "
                f"if it is, list it in {SETTING}"
            )
        else:
            fact = f"{table} is not in {SETTING}"
        message = f"{hit.message} Brief on a small table: a warning, since {fact}."
        return dataclasses.replace(hit, level=Level.WARNING, message=message)
