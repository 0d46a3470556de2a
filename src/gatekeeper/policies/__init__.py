"""Presets a policy can ``extends:`` by name (``recommended``, ``strict``, ``agents``).

Documented in ``docs/policy.md``; loaded with :mod:`importlib.resources` so they work
from a wheel or a zip as well as from a source tree.
"""
