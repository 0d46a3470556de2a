"""Committed ``.env`` files: values that could be credentials, outside example files.

An env file the PR adds or extends with a password, a token or a URL is a credential
leak whatever the value's shape; flags, ports, public build settings and template
placeholders are not (:func:`_inert`). A file committed at base already is judged by
what the PR adds to it (:func:`env_findings`).
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangedFile, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.security.common import MakeFinding, Part
from gatekeeper.checks.security.secret_formats import entropy, says_made_up
from gatekeeper.checks.security.secret_urls import DEFAULT_PASSWORDS, development_dsn
from gatekeeper.model import Finding

ENV_FILES = (".env", ".env.*", "*.env")
#: example files document variables; some projects name them ``example.env`` (prefix),
#: which the suffix forms alone miss
ENV_TEMPLATES = (
    "*.example",
    "*.sample",
    "*.template",
    "*.dist",
    "*.defaults",
    "*.tpl",
    "example.*",
    "sample.*",
    "template.*",
    "*.example.env",
    "*.sample.env",
    "*.template.env",
)
RULE_ENV = "env-file-committed"
# the value is stripped in code: a lazy group before a trailing \s*$ is quadratic in a
# line of blanks
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$")

#: a part of an env file's name that makes it an example: ``.env.example.complete``,
#: ``.env.sample.local``, ``.env.production.example.bak`` (a copy of an example)
_EXAMPLE_PART = re.compile(r"(?:example|sample|template|tmpl|tpl|dist|defaults?)s?", re.IGNORECASE)


#: suffixes of a document, not of an env file any tool loads (``.env.dev.txt``)
_TEXT_SUFFIXES = (".txt", ".md", ".rst")


def is_env_file(path: str) -> bool:
    """A real env file: named ``.env``, ``.env.*`` or ``*.env``, not a text document
    (``.env.dev.txt``), and no part of its name after the ``env`` says it is an example
    (the secrets rules still read an example's added lines for tokens of known formats,
    like any other file)."""
    if not match_any(path, ENV_FILES) or match_any(path, ENV_TEMPLATES):
        return False
    name = path.rsplit("/", 1)[-1]
    if name.lower().endswith(_TEXT_SUFFIXES):
        return False  # a copy to start from (glific's config/.env.dev.txt): nothing loads it
    parts = re.split(r"[._-]", name[name.lower().find("env") + 3 :])
    return not any(_EXAMPLE_PART.fullmatch(part) for part in parts)


#: values that switch or size something and cannot be a credential: a flag, a port, a
#: count (a short number only under a name that does not say it is a secret, e.g. a PIN)
_FLAG = re.compile(r"(?:true|false|yes|no|on|off)", re.IGNORECASE)
_SMALL_NUMBER = re.compile(r"-?\d{1,5}")
_SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASS|PWD|PIN|CRED|AUTH|PRIVATE", re.IGNORECASE)
#: a name that says its value switches something on or off (``OAUTH_SERVER_ENABLED``):
#: 0 or 1 under it is a flag even when another word of the name says secret
_SWITCH_NAME = re.compile(r"(?:^|_)(?:ENABLED?|DISABLED?)$", re.IGNORECASE)
#: a version number (``VARIANT=3.2.4``, ``NODE_VERSION=20.11.1``, ``PG_VERSION=16.4-bookworm``):
#: Growstuff's .devcontainer/.env names the Ruby image to build; no credential is dotted digits
#: (a suffix only from the few words images and releases use: no room to hide a token)
_VERSION = re.compile(
    r"v?\d{1,4}(?:\.\d{1,4}){1,3}"
    r"(?:-(?:alpine|slim|bookworm|bullseye|buster|jammy|focal|noble|lts|(?:rc|beta|alpha)\d{0,2}))?"
)
#: this machine, by name or address, with a port at most (``APP_DOMAIN=localhost:3100`` in
#: a Rails app's ``.env.test``): where a test or a developer's server listens, no credential
_LOCAL_HOST = re.compile(
    r"(?:localhost|[\w-]+\.localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|host\.docker\.internal)"
    r"(?::\d{1,5})?"
)
#: a value cut short to show its shape (``SAML_SP_PRIVATE_KEY="MIIE..."``, the first
#: letters every PEM body starts with): too few characters before the dots to be a key
_ELIDED = re.compile(r"[\w+/=-]{0,8}(?:\.\.\.|…)")


#: prefixes frontend build tools embed in the client bundle by design, so a value under
#: them is public whatever it is: Vite, Next.js, Create React App, Vue CLI, Nuxt, Expo,
#: Gatsby, Storybook, SvelteKit and Astro (``PUBLIC_``). A token of a named format under
#: such a name is still found by the scanner's own rules.
PUBLIC_ENV_PREFIXES = (
    "VITE_", "NEXT_PUBLIC_", "REACT_APP_", "VUE_APP_", "NUXT_PUBLIC_", "EXPO_PUBLIC_",
    "GATSBY_", "STORYBOOK_", "PUBLIC_",
)  # fmt: skip
#: a template action (Jinja ``{{ secret(16) }}``, Go ``{{ .Base }}``, ``{% if %}``): the
#: value is filled in when the file is rendered, so the committed text holds none
_TEMPLATE_ACTION = re.compile(r"\{\{[^{}]*\}\}|\{%[^%]*%\}")


def _inert(name: str, value: str) -> bool:
    """True for a value no one could use as a credential (``DEBUG=false``, ``PORT=5432``),
    a public build setting (``VITE_THEME=dark``) or a template placeholder
    (``SECRET_KEY={{ secret(16) }}``); a literal next to a placeholder still counts."""
    if name.upper().startswith(PUBLIC_ENV_PREFIXES):
        return True
    if _TEMPLATE_ACTION.search(value):
        # what is left once rendered away is judged as the value
        value = _TEMPLATE_ACTION.sub("", value).strip()
        if not re.search(r"[A-Za-z0-9]", value):
            return True
    if _FLAG.fullmatch(value) or _ELIDED.fullmatch(value):
        return True
    if value in ("0", "1") and _SWITCH_NAME.search(name):
        return True
    if _SECRET_NAME.search(name):
        return False
    return any(p.fullmatch(value) is not None for p in (_SMALL_NUMBER, _VERSION, _LOCAL_HOST))


#: a file's path (``/priv/cert/glific-CA.pem``, ``./keys/dev.pem``): it names where a
#: credential may be kept, and holds none itself
_FILE_PATH = re.compile(r"(?:/|\./|\.\./|~/)[\w.@+-]+(?:/[\w.@+-]+)*/?")


def _names_no_secret(value: str) -> bool:
    """A value that says it is made up (``this_is_not_the_secret``, ``fake-key``) or is a
    file's path: no credential whatever the name (a short number under a secret's name,
    ``OAUTH_PIN=1234``, still is one)."""
    if "://" in value:
        return False  # a URL is judged by its parts (secret_urls.py), not by a word in it
    return says_made_up(value) or _FILE_PATH.fullmatch(value) is not None


#: an enum-like setting (``wrapper``, ``info``, ``us-east``, ``EUR``): a lower-case word
#: or a few joined, or a short code in capitals, plain (low entropy), as a template
#: documents an option's choice
_SETTING_WORD = re.compile(
    r"[a-z]{2,16}(?:[-_][a-z0-9]{1,16}){0,3}"
    # or a code in capitals (``PROVIDER_LCSC_CURRENCY=EUR``, ``LOG_LEVEL=INFO``)
    r"|[A-Z]{2,8}"
)
#: a setting may list a few such words (``OIDC_SCOPES=openid email profile``)
_MAX_WORDS = 8
#: bits per character above which a lower-case "word" may be a generated string
_WORD_ENTROPY = 3.6


def _setting_word(name: str, value: str) -> bool:
    """A plain word (or a few, space-separated) under a name that does not say secret:
    no credential, once the file is a long-standing committed one (see
    :func:`env_findings`)."""
    words = value.split()
    return (
        0 < len(words) <= _MAX_WORDS
        and all(_SETTING_WORD.fullmatch(word) is not None for word in words)
        and entropy(value) < _WORD_ENTROPY
        and not _SECRET_NAME.search(name)
    )


def env_findings(f: ChangedFile, text: str, part: Part, make: MakeFinding) -> list[Finding]:
    """One finding per .env file whose added lines give variables values that could be
    credentials (flags and small numbers cannot: see :func:`_inert`). A file that was
    committed at base already (AppFlowy-Cloud's ``deploy.env``, the template self-hosters
    copy) is judged by what the PR adds to it: a new option set to a plain word
    (``SMTP_TLS_KIND=wrapper``) is a setting and a URL to a local or compose host with a
    default password (``postgres://postgres:postgres@localhost/app``, svix's
    ``development.env``) and a password that is such a default itself
    (``FLIPPER_PASSWORD="password"`` in casa's codespaces env) development defaults,
    while any other password, a token, another URL or any value under a secret's name
    still counts; a newly committed env file is judged whole."""
    added = f.added_lines()
    settled = f.status is FileStatus.MODIFIED
    # a file with template actions is a template a setup tool renders for each install:
    # its literals are defaults, like an .env.example's, unless the name says secret
    template = _TEMPLATE_ACTION.search(text) is not None
    names: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _ENV_LINE.match(line)
        if n not in added or m is None or line.lstrip().startswith("#"):
            continue
        value = m.group(2).split(" #", 1)[0].strip().strip("\"'")
        if template and not _SECRET_NAME.search(m.group(1)):
            continue
        if settled and (
            _setting_word(m.group(1), value)
            or development_dsn(value)
            or value.lower() in DEFAULT_PASSWORDS
        ):
            continue
        if value and not _inert(m.group(1), value) and not _names_no_secret(value):
            names.append((n, m.group(1)))
    if not names:
        return []
    listed = ", ".join(name for _, name in names[:10]) + (" …" if len(names) > 10 else "")
    return [
        make(
            RULE_ENV,
            f"{f.path} is committed with values for {listed}.",
            path=f.path,
            line=names[0][0],
            evidence=f.path,
            level=part.level,
        )
    ]
