"""Dropwizard's YAML configuration as an environment reader (text_spring): found by its
server block, line by line (cases.yml has the reads it gives)."""

from __future__ import annotations

from gatekeeper.checks.envvars.text_spring import is_dropwizard_config


def test_the_dropwizard_reading_is_linear_in_a_block_of_blank_lines() -> None:
    # a pumped server block with no connectors: read line by line, nothing backtracks
    text = "server:\n" + "   \n" * 200_000 + "  port: ${PUMPED_PORT}\n"
    assert not is_dropwizard_config("config/server.yml", text)
    assert is_dropwizard_config("config/server.yml", text + "  adminConnectors:\n")
    # only a YAML file, and only under a top-level server key
    assert not is_dropwizard_config("config/server.json", text + "  adminConnectors:\n")
    assert not is_dropwizard_config("a.yml", "other:\n  adminConnectors:\n")
