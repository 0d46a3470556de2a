"""Which connection URLs are a development default: a local or compose host and the
password a database image ships with."""

from __future__ import annotations

import pytest

from gatekeeper.checks.security.secret_urls import credential_free_url, development_dsn


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


@pytest.mark.parametrize(
    "url",
    [
        "https://social.kobobooks.com:8443",  # a vendor's endpoint with its port
        "https://auth.example.com/oauth/authorize?response_type=code&scope=openid",
        "wss://realtime.example.com:443/socket?vsn=2.0.0",
        "https://api.example.com/v1/callback?token={token}",  # a slot, filled in later
        "https://api.example.com/v1/callback?access_token=${ACCESS_TOKEN}",
        "redis://cache.example.com:6379/0",
    ],
)
def test_an_address_with_no_credential_in_it_is_credential_free(url: str) -> None:
    assert credential_free_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://deploy:Zx8kLm2Qp9vR@example.org:8443/",  # a password in the userinfo
        "https://Zx8kLm2Qp9vR@example.org/",  # a token as the user
        "https://api.example.com/v1?access_token=Zx8kLm2Qp9vR",  # a token in the query
        "https://api.example.com:8443/v1?sig=Zx8kLm2Qp9vR&exp=1",
        "https://app.example.com/cb#access_token=Zx8kLm2Qp9vRt4Wq",  # in the fragment
        "https://api.example.com/v1?x=Zx8kLm2Qp9vRt4Wq7HtR3mN8",  # a long token, any name
        "otpauth://totp/app?secret=JBSWY3DPEHPK3PXP",  # not a network address
        "https://example.org:99999/",  # no port a URL can have
        "social.kobobooks.com:8443",  # no scheme
    ],
)
def test_a_url_carrying_a_credential_is_not_credential_free(url: str) -> None:
    assert not credential_free_url(url)
