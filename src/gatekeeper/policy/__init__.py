"""The policy: what a platform team decides the gate enforces.

``model`` holds the effective, validated policy the engine consumes; ``load`` reads
YAML with line marks, merges presets and overrides; ``schema`` assembles the JSON Schema.
"""
