"""Tokens of known formats for the secret tests, each built from pieces so that this
repository holds no whole token a scanner (ours, or GitHub's push protection) would flag.
None was ever issued: they only have the shape of the real thing."""

from __future__ import annotations

AWS = "AKIA" + "2E3F4G5H6I7J2K3L"
SLACK = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
PAT = (
    "github_pat_"
    + "11ABCDEFG0"
    + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab"
)
JWT = (
    "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
SENTRY_USER = "sntryu_" + "3f2b8c1e9a4d4e6b8f1a2c3d4e5f6a7b" * 2
SENTRY_ORG = (
    "sntrys_"
    + "eyJpYXQiOjE2OTQ2NjU5OTEuMjQ1NjY5LCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyJ9"
    + "_Zx8kLm2Qp9vRt4WqZx8kLm2Qp9vRt4WqAb3dE6gH01"
)
#: a random-looking value of no token format: what the generic (name and entropy) rule
#: reports under a secret's name
RANDOM = "Zx8kLm2Qp9vRt4Wq" + "7HtR3mN8"
