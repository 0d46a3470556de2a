"""Reporters: pure functions from a Verdict to text, one module per format."""
