"""Built-in checks. Each registers through the ``gatekeeper.checks`` entry-point group."""
