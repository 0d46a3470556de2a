"""Attacks on round 27's changes to the generic secret rule: a Redux action type
namespaced by its slice (``SET_AUTH_TOKEN: 'auth/SET_AUTH_TOKEN'``) is a name, and
Mapbox's public ``pk.`` token ships in web maps by design; a key named for its use
(``ENCRYPTION_KEY``, ``ALGOLIA_ADMIN_KEY``) is now judged, where a bare ``key`` is not.

A random prefix or tail around a constant's name, a generated value in a namespace's
place, Mapbox's secret ``sk.`` token and a ``pk.`` value of any other shape still block.
"""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.checks.security.secret_formats import symbolic_constant
from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    blocking_rules,
    text_of,
)

#: the body of a Mapbox token (a JWT-like payload and a signature), made up
MAPBOX_BODY = (
    "eyJ1IjoiZGVtbyIsImEiOiJjbDB4eXoxMjMwMDBhM2pwN2VyZWd6Y2t4In0" + ".Zx8kLm2Qp9vRt4WqAbCdEf"
)
BASE62 = string.ascii_letters + string.digits


def test_no_random_namespace_passes_for_a_slice() -> None:
    # the property: a generated value before the constant's name is never a namespace
    rng = random.Random(27)
    for n in (6, 8, 10, 12, 16, 24, 32):
        for _ in range(300):
            head = "".join(rng.choice(BASE62) for _ in range(n))
            if head.isalpha():
                continue  # letters alone may spell a word; the draw is judged elsewhere
            for sep in ("/", ":", "@@"):
                value = f"{head}{sep}SET_AUTH_TOKEN" if sep != "@@" else f"@@{head}/SET_AUTH_TOKEN"
                assert not symbolic_constant("SET_AUTH_TOKEN", value), value


@pytest.mark.parametrize(
    "line",
    [
        # a key in the namespace's place, or after the name
        "  SET_AUTH_TOKEN: 'Xk9vQ2pLw8/SET_AUTH_TOKEN',\n",
        "  API_TOKEN: 'a8Kd9x2Lq7:API_TOKEN',\n",
        "  SET_AUTH_TOKEN: 'auth/SET_AUTH_TOKEN/Xk9vQ2pLw8Zr',\n",
        "  SET_AUTH_TOKEN: 'auth/Xk9vQ2pLw8Zr',\n",
        # Mapbox's secret token, and a pk. value that is not a Mapbox token
        f"  mapboxToken: 'sk.{MAPBOX_BODY}',\n",
        "  api_token: 'pk.Zx8kLm2Qp9vRt4WqAbCdEf',\n",
        # keys named for their use
        "  ENCRYPTION_KEY: '3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b',\n",
        "  signingKey: 'Zx8kLm2Qp9vRt4WqAb3dE6gH',\n",
        "  ALGOLIA_ADMIN_KEY: '3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b',\n",
    ],
)
def test_a_key_dressed_as_a_name_or_public_token_still_blocks(
    attack: AttackFactory, line: str
) -> None:
    js = "export default {\n" + line + "};\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"client/src/constants/keys.js": js}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]
    assert "Xk9vQ2pLw8Zr" not in text_of(verdict)


def test_bare_key_names_stay_unjudged(attack: AttackFactory) -> None:
    # the widening is a closed list: a cache key, a storage key, a sort key are names
    js = (
        "export const cacheKey = 'Zx8kLm2Qp9vRt4WqAb3dE6gH';\n"
        "export const storageKey = 'Zx8kLm2Qp9vRt4WqAb3dE6gH';\n"
        "export const sortKey = 'Zx8kLm2Qp9vRt4WqAb3dE6gH';\n"
    )
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/keys.js": js}).judge()
    assert blocking_rules(verdict) == []
