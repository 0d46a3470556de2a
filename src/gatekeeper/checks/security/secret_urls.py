"""Connection URLs that hold no credential: a public endpoint, or a development default.

An address alone grants nothing: ``https://social.kobobooks.com:8443`` under a name such
as ``social_authorization_host`` names where a client signs in, not what it signs in
with. A URL is a credential's carrier only through its user information
(``//user:password@``) or a token in its query or fragment (``?access_token=…``).

A DSN in a development env file (``postgresql://postgres:postgres@localhost/postgres``,
``redis://localhost``) points at a database on the developer's machine or in the
project's compose network and logs in, if at all, with the password the database image
ships with. Anyone who can reach that host can read the same default from the image's
documentation, so the URL grants nothing. A URL to any other host, or with any other
password, is still judged as a value.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from gatekeeper.checks.security.secret_formats import entropy, is_placeholder, looks_random

#: this machine, however it is written (the same hosts ``local_url_password`` accepts)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"})
#: a compose service name (``db``, ``svix-pg``, ``redis_cache``): one label, resolved only
#: inside the project's own container network; a dotted name may be anywhere
_SERVICE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")
#: the passwords database and broker images ship with, which their documentation prints
#: (the user's own name is one too: ``svix:svix``, ``guest:guest``)
DEFAULT_PASSWORDS = frozenset(
    {"postgres", "password", "secret", "pass", "root", "admin", "guest", "test", "dev",
     "mysql", "redis", "changeme"}
)  # fmt: skip
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
#: a query parameter that may carry a credential of its own (``?password=``, ``?token=``)
_SECRET_PARAM = re.compile(r"key|secret|token|pass|pwd|auth|cred|sig", re.IGNORECASE)


def development_dsn(value: str) -> bool:
    """True for a URL to this machine or a compose service whose password, if any, is a
    well-known default: no credential, as anyone who can reach the host knows it. A
    strong password, a host elsewhere, several hosts, or a query parameter named like a
    credential keep the URL a value to judge."""
    if not _SCHEME.match(value) or "," in value:
        return False
    try:
        url = urlsplit(value)
        host, _port = url.hostname or "", url.port
    except ValueError:
        return False
    if host not in LOCAL_HOSTS and not _SERVICE_NAME.fullmatch(host):
        return False
    if url.fragment or any(_SECRET_PARAM.search(k) for k, _ in parse_qsl(url.query)):
        return False
    password = unquote(url.password or "")
    user = unquote(url.username or "")
    return password in ("", user) or password.lower() in DEFAULT_PASSWORDS


def default_login(value: str) -> bool:
    """True for ``user:password`` whose password is the user's own name or a default
    an image's documentation prints (``dispatch:dispatch``, ``admin:secret``), as
    :func:`development_dsn` accepts in a URL; any other password keeps it judged."""
    user, sep, password = value.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][\w.-]*", user) or ":" in password:
        return False
    return password == user or password.lower() in DEFAULT_PASSWORDS


#: a value filled in later, not a literal: ``{token}``, ``${TOKEN}``, ``<token>``, ``%s``
_SLOT = re.compile(r"\{[^{}]*\}|\$\{?\w+\}?|<[^<>]+>|%\(?\w*\)?s|:\w+")
#: below this many characters a query value under a plain name (``page=2``, ``lang=en``)
#: is no token; one under a credential's name (``?token=``) is judged from eight on
_PLAIN_TOKEN_LENGTH = 20
_NAMED_TOKEN_LENGTH = 8
#: the entropy floor of the generic rule: what falls under it is a word or a count
_TOKEN_ENTROPY = 3.0


#: schemes of network addresses: a value of another ``word://`` shape is judged as a value
_NETWORK_SCHEMES = frozenset(
    {"http", "https", "ws", "wss", "ftp", "ftps", "sftp", "ssh", "grpc", "grpcs", "tcp",
     "udp", "ldap", "ldaps", "redis", "rediss", "postgres", "postgresql", "mysql", "mongodb",
     "mongodb+srv", "amqp", "amqps", "nats", "smtp", "smtps", "imap", "imaps"}
)  # fmt: skip


def credential_free_url(value: str) -> bool:
    """True for a URL that carries no credential: a scheme, a host (and perhaps a port),
    no user information, and no query or fragment value that reads as a token (one under
    a credential's name such as ``token`` or ``sig``, or a long random one under any
    name). Its path is not judged here, as it was not before ports were allowed: a token
    of a known format in it (a Slack webhook) is still found by that format's rule."""
    if not _SCHEME.match(value) or any(c.isspace() for c in value):
        return False
    try:
        url = urlsplit(value)
        host, _port = url.hostname, url.port
    except ValueError:
        return False
    if url.scheme.lower() not in _NETWORK_SCHEMES or not host or "@" in url.netloc:
        return False
    for part in (url.query, url.fragment):
        for name, param in parse_qsl(part, keep_blank_values=True):
            if _token(param, named=_SECRET_PARAM.search(name) is not None):
                return False
    return True


def _token(value: str, *, named: bool) -> bool:
    """A query value that may be a credential: long enough for its name, not a slot to
    fill in or a placeholder, and random-looking."""
    if len(value) < (_NAMED_TOKEN_LENGTH if named else _PLAIN_TOKEN_LENGTH):
        return False
    if _SLOT.fullmatch(value) or is_placeholder(value):
        return False
    return entropy(value) >= _TOKEN_ENTROPY and looks_random(value)
