"""Tests of gatekeeper.sandbox: running the PR's code, guarding the gate's process."""
