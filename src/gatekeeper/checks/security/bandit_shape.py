"""A bandit finding's node with its string literals emptied: the second key head and base
hits are matched on.

Matching on the flagged node's text (bandit_scan.py) makes an edit to a literal inside a
flagged call a new finding: peeringdb added ``target="_blank"`` to six ``mark_safe(f'<a
href="{identifier}">...')`` calls that were flagged at base, and all six came back as new.
What such a finding is about (what is interpolated, which names are called with what) is
in the node's structure, not in the literal text around it, so a head hit left over by
the exact match may still cancel a base hit of the same test, in the same file, whose node
has the same structure once every literal is emptied. A changed structure stays new:
``call("ls", shell=True)`` turned into ``call(command, shell=True)`` keeps no shape in
common with what it was.

A node that is a literal alone (B104's ``"0.0.0.0"``, B105's password string) has no
structure left without its text, so it gets no shape and matches exactly or not at all.
"""

from __future__ import annotations

import ast

#: a shape shorter than this says too little to stand for a finding's code
MIN_SHAPE = 6


class _Emptied(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(""), node)
        if isinstance(node.value, bytes):
            return ast.copy_location(ast.Constant(b""), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        # an f-string keeps what it interpolates, in order; its literal parts go
        kept = [self.visit(v) for v in node.values if isinstance(v, ast.FormattedValue)]
        return ast.copy_location(ast.JoinedStr(values=kept), node)


def shape(node: str) -> str:
    """``node`` (a flagged node's normalised source) with every string literal emptied,
    unparsed; "" when it does not parse, holds no literal, or is nothing but literals."""
    try:
        tree: ast.AST = ast.parse(node, mode="eval")
    except (SyntaxError, ValueError):
        return ""
    if not any(isinstance(n, (ast.Constant, ast.JoinedStr)) for n in ast.walk(tree)):
        return ""  # no literal to empty: the exact match already said all
    if not any(isinstance(n, (ast.Name, ast.Attribute, ast.Call)) for n in ast.walk(tree)):
        return ""  # literals only: their text is the finding
    emptied = ast.fix_missing_locations(_Emptied().visit(tree))
    text = ast.unparse(emptied)
    return text if len(text) >= MIN_SHAPE else ""


def stem(node: str) -> str:
    """The node's text before its first string literal (``mark_safe(f``), which a base
    statement holding a node of the same shape must contain too; "" when that prefix is
    too short to narrow anything."""
    cut = min((i for i in (node.find('"'), node.find("'")) if i >= 0), default=-1)
    head = node[:cut].rstrip("rbfRBFuU") if cut > 0 else ""
    return head if len(head) >= MIN_SHAPE else ""
