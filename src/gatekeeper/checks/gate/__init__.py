"""The ``gate`` check: a change to the gate itself, or to what could stand in for it,
needs a human's approval."""

from gatekeeper.checks.gate.check import GateCheck

__all__ = ["GateCheck"]
