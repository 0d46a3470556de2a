"""A weak hash that only names things: MD5 or SHA-1 turned into a cache key or a file name.

Bandit's B324 (and B303) fire on every MD5 and SHA-1, with high confidence, because it
cannot tell a digest that protects something from one that merely names it. A reviewer
can: ``make_cache_key`` hashing a URL, or ``_url_to_filename`` turning an image URL into a
file name, store nothing an attacker gains by a collision, and nobody blocks them. The
same MD5 beside a password, a token or a signature is the bug bandit means.

So a weak-hash finding is a naming one when the function that holds it is named for a
cache entry, a file, an ETag, a checksum or a lock, and nothing in that function's source (its
name, parameters, names, strings and comments) speaks of secrets, credentials,
signatures or key material. Module-level code, lambdas and anonymous helpers have no such
name and keep bandit's verdict: the purpose must be stated, not guessed.
"""

from __future__ import annotations

import ast
import functools
import re

#: bandit tests for MD5/SHA-1 and friends
WEAK_HASH_TESTS = frozenset({"B303", "B324"})
#: words of a function's name that say its digest names a thing
NAMING_WORDS = frozenset({
    "cache", "cached", "filename", "filenames", "etag", "etags", "checksum", "checksums",
    "slug", "gravatar", "avatar", "color", "colour", "dedupe", "dedup", "shard", "bucket",
    # a lock's key (bookwyrm's ``item_lock`` hashes a remote id to name a Redis mutex)
    "lock", "locks", "mutex",
})  # fmt: skip
#: words anywhere in the function that say the digest may protect something
SECURITY_WORDS = frozenset({
    "password", "passwords", "passwd", "pwd", "secret", "secrets", "token", "tokens",
    "sign", "signed", "signature", "signatures", "signing", "hmac", "salt", "salted",
    "credential", "credentials", "auth", "authenticate", "authentication", "nonce", "otp",
    "csrf", "session", "sessions", "cipher", "encrypt", "encrypted", "decrypt", "apikey",
    "private", "verify", "verification", "integrity", "tamper", "login", "pin", "mac",
})  # fmt: skip
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


@functools.lru_cache(maxsize=4)
def _parsed(source: str) -> ast.Module | None:
    """The file's tree, parsed once for all its weak-hash findings (None: unparseable)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def naming_function(source: str, line: int) -> str | None:
    """The function around ``line`` when its weak hash only names things, else None.

    None also when ``source`` does not parse or the line is outside any named function.
    """
    tree = _parsed(source)
    if tree is None:
        return None
    holder: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            if node.lineno <= line <= end and (holder is None or node.lineno >= holder.lineno):
                holder = node  # the innermost function holding the line
    if holder is None or not _words(holder.name) & NAMING_WORDS:
        return None
    lines = source.splitlines()
    first = min([holder.lineno, *(d.lineno for d in holder.decorator_list)])
    body = "\n".join(lines[first - 1 : holder.end_lineno or holder.lineno])
    if _words(body) & SECURITY_WORDS:
        return None
    return holder.name
