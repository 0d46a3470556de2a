"""Values real PRs add that are not secrets, each beside the twin that must fire: the
round-27 probe of the generic rule and the token formats, kept as regression cases."""

from __future__ import annotations

import pytest

from tests.fake_tokens import AWS, GH, SENTRY_ORG, SENTRY_USER, SLACK, STRIPE

from .helpers import rules, run_part

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
HEX32 = "3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b"
B62 = "Zx8kLm2Qp9vRt4WqAb3dE6gH"
MAPBOX = "eyJ1IjoiZGVtbyIsImEiOiJjbDB4eXoxMjMwMDBhM2pwN2VyZWd6Y2t4In0" + ".Zx8kLm2Qp9vRt4WqAbCdEf"
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ci@x"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("app.py", 'user_id = "3f2b8c1e-9a4d-4e6b-8f1a-2c3d4e5f6a7b"\n'),
        ("app.py", 'ORDER_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"\n'),
        ("app.py", f'checksum = "{SHA256}"\n'),
        ("Cargo.lock", f'[[package]]\nname = "a"\nchecksum = "{SHA256}"\n'),
        ("requirements.txt", f"a==1.0 --hash=sha256:{SHA256}\n"),
        ("go.sum", "github.com/a/b v1.2.3 h1:Kz9XwYpLm2Qp9vRt4WqZx8kLm2Qp9vRt4WqZx8k=\n"),
        ("app.css", ".a { color: #1a2b3c; background: #ffcc00aa; }\n"),
        ("authorized_keys", SSH + "\n"),
        ("config.py", 'API_KEY = "your-api-key-here"\n'),
        (
            "docker-compose.yml",
            "services:\n  app:\n    environment:\n      API_SECRET: ${API_SECRET}\n",
        ),
        ("templates/secret.yaml", "data:\n  api-key: {{ .Values.apiKey | b64enc }}\n"),
        ("web/config.ts", 'const googleClientId = "1234-abcdefghij.apps.googleusercontent.com";\n'),
        ("web/stripe.ts", 'const stripeKey = "pk_' + 'live_51HqLyjWDarjtT1zdp7dc4eC39HqLyjW";\n'),
        ("app.ts", 'const tokenExpiredKey = "auth.password.reset_token_expired";\n'),
        ("ci.py", 'TOKEN_ENV = "GITHUB_TOKEN"\n'),
        ("config.py", 'DATABASE_URL = "postgres://postgres:postgres@localhost:5432/app"\n'),
        ("docs/sentry.txt", "User tokens start with sntryu_ and org tokens with sntrys_.\n"),
        # round 27: a Redux action type namespaced by its slice spells its name
        ("actions.ts", 'export const SET_AUTH_TOKEN = "auth/SET_AUTH_TOKEN";\n'),
        ("actions.js", "  REFRESH_TOKEN_SUCCESS: '@@session/REFRESH_TOKEN_SUCCESS',\n"),
        ("actions.ts", "SAVE_API_KEY = 'settings:apiKeys:SAVE_API_KEY'\n"),
        # round 27: Mapbox's public token ships in web maps by design
        ("web/map.ts", f'mapboxgl.accessToken = "pk.{MAPBOX}";\n'),
        # round 27: a key named for its use, holding no key
        ("config.py", 'ENCRYPTION_KEY = "aes-256-gcm"\nSIGNING_KEY = "RS256"\n'),
        ("config.ts", 'const masterKeyId = "3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b";\n'),
        ("config.ts", "const cacheKey = 'Zx8kLm2Qp9vRt4WqAb3dE6gH';\n"),
    ],
)
def test_values_that_are_no_secrets_stay_quiet(path: str, text: str) -> None:
    assert run_part("secrets", {"a.txt": "a\n"}, {"a.txt": "a\n", path: text}) == []


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [
        ("config.py", f'aws_access_key_id = "{AWS}"\n', "secret-aws-access-key"),
        ("ci.sh", f"export GITHUB_TOKEN={GH}\n", "secret-github-token"),
        ("notify.py", f'SLACK = "{SLACK}"\n', "secret-slack-token"),
        ("web/stripe.ts", f'const stripeKey = "{STRIPE}";\n', "secret-stripe-live-key"),
        ("config.py", f'api_key = "{HEX32}"\n', "secret-high-entropy"),
        ("actions.ts", 'SET_AUTH_TOKEN = "Xk9vQ2pLw8/SET_AUTH_TOKEN"\n', "secret-high-entropy"),
        ("server/map.py", f'MAPBOX_TOKEN = "sk.{MAPBOX}"\n', "secret-high-entropy"),
        # round 27: Sentry's auth tokens, unquoted in CI, were missed
        ("ci.sh", f"export SENTRY_AUTH_TOKEN={SENTRY_USER}\n", "secret-sentry-token"),
        (".github/workflows/r.yml", f"env:\n  TOKEN: {SENTRY_ORG}\n", "secret-sentry-token"),
        # round 27: keys named for their use were not judged at all
        ("config.py", f'ENCRYPTION_KEY = "{HEX32}"\n', "secret-high-entropy"),
        ("config.ts", f'const signingKey = "{B62}";\n', "secret-high-entropy"),
        ("search.py", f'ALGOLIA_ADMIN_KEY = "{HEX32}"\n', "secret-high-entropy"),
        ("config.rb", f'MASTER_KEY = "{B62}"\n', "secret-high-entropy"),
        ("push.py", f'HMAC_KEY = "{B62}"\n', "secret-high-entropy"),
    ],
)
def test_the_twins_that_are_secrets_fire(path: str, text: str, rule: str) -> None:
    found = run_part("secrets", {"a.txt": "a\n"}, {"a.txt": "a\n", path: text})
    assert rules(found) == [rule]


def test_a_sentry_token_is_never_shown_whole() -> None:
    found = run_part("secrets", {}, {"ci.sh": f"SENTRY_AUTH_TOKEN={SENTRY_ORG}\n"})
    assert rules(found) == ["secret-sentry-token"]
    assert SENTRY_ORG not in found[0].message and SENTRY_ORG[-8:] not in found[0].fingerprint
