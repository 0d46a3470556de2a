"""Which connection URLs are a development default: a local or compose host and the
password a database image ships with."""

from __future__ import annotations

import pytest

from gatekeeper.checks.security.secret_urls import development_dsn


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:postgres@localhost:8079/postgres",
        "redis://localhost",
        "redis://127.0.0.1:6379/0",
        "postgres://svix:svix@db:5432/svix?sslmode=disable",  # the user's own name
        "amqp://guest:guest@rabbitmq:5672//",  # a compose service
        "mysql://root:@[::1]/app",  # an empty password
        "postgres://app:Password@host.docker.internal/app",
    ],
)
def test_a_local_url_with_a_default_password_is_a_development_default(url: str) -> None:
    assert development_dsn(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://app:Zx8kLm2Q@localhost/app",  # a password no image ships with
        "redis://:Zx8kLm2Q@redis:6379",
        "postgres://postgres:postgres@db.example.com/app",  # a host elsewhere
        "postgres://postgres:postgres@10.0.0.5/app",
        "mongodb://root:root@localhost,db2.example.com/app",  # several hosts
        "postgres://u:postgres@localhost/app?password=Zx8kLm2Q",  # a credential in the query
        "postgres://u:p@[localhost",  # not a URL Python can read
        "localhost:5432",  # no scheme: not a URL
    ],
)
def test_any_other_url_is_judged_as_a_value(url: str) -> None:
    assert not development_dsn(url)
