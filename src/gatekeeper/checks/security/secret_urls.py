"""Connection URLs that hold no credential: a development default, not a committed secret.

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
