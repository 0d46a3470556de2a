"""Token formats the secrets part knows by name, the placeholder allowlist, and redaction.

The formats are facts about public token layouts (prefixes, lengths, alphabets); each
has a rule id of its own and says how many leading characters are a public prefix that
is safe to show when the rest is redacted.
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

PRAGMAS = ("pragma: allowlist secret", "gatekeeper: allow-secret")
#: values that are placeholders, not secrets (matched against the whole value)
DEFAULT_ALLOWLIST = (
    r"(?i).*(?:example|sample|placeholder|changeme|change[_-]me|dummy|fake|redacted|"
    r"your[_-].*[_-]here|xxxx|\*\*\*\*|test[_-]?(?:key|token|secret|password)).*",
    r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?",  # ${VAR} and $VAR references
    r"\{\{.*\}\}|<[^<>]+>|%\(?[A-Za-z_]*\)?s",  # templates and format slots
    # a note to the reader in angle brackets, closed or not (``<<go-get-one-yourself``,
    # ``<<TALK TO YOUR ADMIN``): words and dashes, never a generated value
    r"<{1,3}(?:[A-Za-z][a-z]*|[A-Z]+)(?:[- _](?:[A-Za-z][a-z]*|[A-Z]+))+>{0,3}",
    r".*\{[A-Za-z_][A-Za-z0-9_.:\[\]]*\}.*",  # str.format / f-string fields: built, not literal
    r"pk_(?:test|live)_\w+|sk_test_\w+",  # Stripe publishable keys are public; test keys
    # Mapbox's public token (``pk.`` and a JWT-like body) ships in web maps by design; its
    # secret scopes come in an ``sk.`` token, which stays judged
    r"pk\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
)


#: shapes of values that a name like ``token`` or ``key`` is often given and that are not
#: secrets; for the generic rule only (a named token format may look like these)
NOT_SECRET_SHAPES = tuple(
    re.compile(p)
    for p in (
        # kebab, snake or dotted identifiers, and keys namespaced by a slash (an error
        # code ``access_token/label_too_short``, a message key ``auth/invalid-token``): each
        # part a word with at most two runs of digits (``oauth2``, ``utf8mb4``, ``k8s``) or
        # a number, never letters and digits interleaved as in a generated key or a UUID
        # (``a3f2b1c4-5d6e-...``)
        r"[a-z]+[0-9]*(?:[a-z]+[0-9]*)?(?:[-_./](?:[a-z]+[0-9]*(?:[a-z]+[0-9]*)?|[0-9]+))+",
        # the NAME of a variable holding a secret (``EnvClientSecret = "APP_CLIENT_SECRET"``)
        r"[A-Z][A-Z0-9]*(?:__?[A-Z0-9]+)+",
        r"[./~][\w./-]*",  # a file path
        # an e-mail address: whom to write to or who wrote it (a login name at most)
        r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
        r"[A-Za-z_][\w-]*(?:\[[\w-]*\])+",  # a form field's name: ``user[password]``
        # code between two string literals (``"token: ").append(`` read as one value)
        r".*\)\s*\.\s*[A-Za-z_]\w*\s*\(.*",
        r"[\w.-]+(?:/[\w.-]+)*/[\w-]+\.[A-Za-z0-9]{1,5}",  # a relative path to a file
        # a dictionary word and a few digits: a test fixture's password, not a secret
        r"(?i)(?:password|passwd|secret|admin|changethis|letmein|qwerty|test|user|root|guest)"
        r"[0-9!@#$]{0,6}",
        # a password's hash as stored (bcrypt, argon2): what a server keeps instead of the
        # secret, seeded by fixtures; a token of a known format is still reported
        r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}",
        r"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+",
        # a regular expression (a URL route ``(?P<token>[\w\-_]*)``): a group's opening
        # ``(?P<name>``, ``(?:``, or an escaped class ``\w``, and a quantified class or group
        # or an anchor. Generated keys (hex, base64, base64url) hold no ``(``, ``[`` or ``\``,
        # and one dressed up as a pattern (``(?:<key>)+``) keeps its long run of letters and
        # digits, which no route or pattern needs
        r"(?!.*[A-Za-z0-9]{16})"
        r"(?=.*(?:\(\?(?:P?<[A-Za-z_]\w*>|[:=!])|\\[dwsDWS]))"
        r"(?=.*(?:[\])][*+?{]|\\[dwsDWS][*+?{]|^\^|\$$)).*",
    )
)


def local_url_password(line: str, password: str) -> bool:
    """True when ``password`` sits in a URL to this machine (``//u:pw@localhost``): the
    throwaway database of a test job or a compose file, not a credential to leak."""
    local = r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?![\w.-])"
    return re.search(rf"//[^:/@\s]*:{re.escape(password)}@{local}", line) is not None


def _always(value: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Format:
    """A token layout with a rule id of its own."""

    rule: str
    name: str
    regex: re.Pattern[str]
    #: how many leading characters are a public prefix, safe to show
    prefix: int
    #: False for a match the issuer cannot have made (a checksum that does not hold)
    issued: Callable[[str], bool] = _always
    #: what the rule's description adds about the format
    about: str = ""


#: the claims of jwt.io's example token, which tutorials and test suites paste as it is
_SAMPLE_CLAIMS = {"sub": "1234567890", "name": "John Doe"}


def jwt_issued(value: str) -> bool:
    """False for jwt.io's example token (subject ``1234567890``, ``John Doe``), whatever
    key signed it: a value everybody has seen is no one's credential. Any other token,
    or one whose claims cannot be read, may be real."""
    parts = value.split(".")
    if len(parts) != 3:
        return True
    body = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(body))
    except (ValueError, UnicodeDecodeError):
        return True
    return not (
        isinstance(claims, dict) and all(claims.get(k) == v for k, v in _SAMPLE_CLAIMS.items())
    )


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: GitHub's classic layout: a prefix, 30 random characters and 6 of checksum
_GITHUB_CLASSIC = re.compile(r"gh[opsur]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})")


def github_issued(value: str) -> bool:
    """Whether GitHub can have issued a token: the classic layout ends in the CRC32 of its
    30 random characters, written in base62 (digits, then capitals, then small letters)
    and padded with zeros to six. Documentation and test fixtures make tokens up
    (``ghs_16C7e42F…``) and their last six characters never hold; a token of any other
    length or of the ``github_pat_`` layout carries no checksum we can read and counts."""
    m = _GITHUB_CLASSIC.fullmatch(value)
    if m is None:
        return True
    n, digits = zlib.crc32(m.group(1).encode("ascii")), ""
    while n:
        n, r = divmod(n, 62)
        digits = _BASE62[r] + digits
    return digits.rjust(6, "0") == m.group(2)


FORMATS: tuple[Format, ...] = (
    Format(
        "secret-github-token",
        "GitHub token",
        re.compile(r"\b(?:gh[opsur]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})\b"),
        4,
        github_issued,
        "A classic token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_` and 36 characters) ends in "
        "a checksum of the rest; one whose checksum does not hold was made up (documentation "
        "examples, test fixtures) and is judged as a value, by the high-entropy rule.",
    ),
    Format(
        "secret-aws-access-key",
        "AWS access key id",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b"),
        4,
    ),
    Format(
        "secret-slack-token",
        "Slack token",
        re.compile(
            r"\bxox[abposre]-[A-Za-z0-9-]{10,250}|"
            r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/"
            r"[A-Za-z0-9_]{8,}"
        ),
        5,
    ),
    Format(
        "secret-stripe-live-key",
        "Stripe live key",
        re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,247}\b"),
        8,
    ),
    Format(
        "secret-private-key",
        "private key",
        re.compile(
            # a header followed (after optional Proc-Type/DEK-Info lines) by key material;
            # a header alone, as in documentation, is not a key
            r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[A-Za-z0-9:,\s-]|\\n){0,200}?[A-Za-z0-9+/=]{40,}"
            # and on to its footer when there is one, so the location covers the block
            r"(?:(?:[A-Za-z0-9+/=\s]|\\n){0,8000}?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?"
        ),
        0,
    ),
    Format(
        "secret-jwt",
        "JSON Web Token",
        # starts only where a run of token characters starts: with \b, "eyJ-eyJ-eyJ-..."
        # made every "eyJ" rescan the rest of the run (quadratic)
        re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
        3,
        issued=jwt_issued,
    ),
    Format(
        "secret-gcp-service-account",
        "Google Cloud service-account key",
        re.compile(r"\"private_key_id\"\s*:\s*\"(?P<v>[0-9a-f]{40})\""),
        0,
    ),
    Format(
        "secret-sentry-token",
        "Sentry auth token",
        # a user token (``sntryu_`` and 64 hex digits) or an organisation's (``sntrys_``, a
        # base64 JSON body, ``_`` and the secret); a DSN's public key is not one
        re.compile(
            r"\bsntryu_[0-9a-f]{64}\b|"
            r"\bsntrys_eyJ[A-Za-z0-9+/=]{16,2000}_[A-Za-z0-9+/=_-]{20,200}"
        ),
        7,
        about="Upload tokens for CI (`sntryu_`, `sntrys_`) grant write access to an "
        "organisation's projects; the public key of a DSN, which frontends ship, is not one.",
    ),
)
#: the words that make a name a secret's (lower case; the readers match without case)
SECRET_NOUN = (
    r"(?:secret|token|passw(?:or)?d|passwd|pwd|api[_-]?key|apikey|"
    r"access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|"
    # ``auth``, ``authorization``, ``authorize``; not ``author`` nor ``authority`` (a
    # Liquibase changeset's ``author="nscuro@protonmail.com"``, an OIDC issuer's URL)
    r"auth(?!or(?!i[sz](?:ation|e)))|"
    # a key named for what it does or who may use it: ``ENCRYPTION_KEY``, ``signingKey``,
    # ``ALGOLIA_ADMIN_KEY``, ``MASTER_KEY`` hold secrets; a bare ``key`` names a cache
    # entry, a message or a column too often to count
    r"(?:encrypt(?:ion)?|signing|master|admin|server|hmac|cipher|aes|license)[_-]?key)"
)
GENERIC = re.compile(
    rf"(?i)([A-Za-z0-9_.-]{{0,40}}{SECRET_NOUN}[A-Za-z0-9_.-]{{0,40}})"
    r"[\"']?\s*(?::=|=>|[:=])\s*[bru]?([\"'])([^\"'\s]{8,256})\2"
)


#: a JSON Reference into the same document (``#/components/schemas/AWSSecretParameter``,
#: ``#/$defs/api_key``): an OpenAPI or JSON Schema document maps a discriminator value such
#: as ``aws_secret`` to the schema of that name; each segment must read as a name
_LOCAL_REF = re.compile(r"#(?:/\$?[A-Za-z_][\w.-]*)+")
#: the words of a name: an acronym, a capitalised or lower-case word, a number
_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def local_reference(value: str) -> bool:
    """True for a pointer to a named part of the same document, never a generated key:
    every segment is spelled in words (acronyms of up to five capitals, a vowel in each
    word, three letters a word on average, at most two runs of digits), which random
    characters are not (``#/Xk2pQ9vL/...`` is judged as a value)."""
    if not _LOCAL_REF.fullmatch(value):
        return False
    return all(_named(segment.lstrip("$")) for segment in value[2:].split("/"))


def _named(segment: str) -> bool:
    words = _NAME_WORD.findall(re.sub(r"[_.-]+", "", segment))
    letters = [w for w in words if not w.isdigit()]
    if not letters or len(words) - len(letters) > 2:
        return False
    acronyms_short = all(len(w) <= 5 for w in letters if w.isupper())
    spoken = all(_VOWEL.search(w) for w in letters if not w.isupper())
    return acronyms_short and spoken and sum(map(len, letters)) >= 3 * len(letters)


#: a name that ends by saying it holds an identifier (``credentialId``, ``token_id``,
#: ``oauth_client_id``, ``API_KEY_IDS``): the id of a credential names it and grants nothing
_ID_SUFFIX = re.compile(r"(?:[_.-](?:id|ID|Id)|(?<=[a-z0-9])(?:Id|ID))[sS]?$")
#: the words before the suffix that make the "id" a credential itself: HashiCorp Vault's
#: AppRole ``secret_id`` is the role's password
_SECRET_ID_WORD = re.compile(r"(?i)(?:secret|passw(?:or)?d|passwd|pwd|pass|passphrase)$")


def names_an_identifier(name: str) -> bool:
    """True when ``name`` (what the generic rule paired a value with) says the value is an
    identifier, unless the word before its ``id`` is a secret's (``secret_id``)."""
    m = _ID_SUFFIX.search(name)
    return m is not None and not _SECRET_ID_WORD.search(name[: m.start()])


def names_tokenizer_or_token_count(name: str) -> bool:
    """True when ``name`` holds a secret noun only inside a word for a language model's
    tokenizer or its token counts (``HUGGINGFACE_TOKENIZER``, ``MAX_TOKENS``), and names
    no secret once those words are taken out (``TOKENIZER_API_TOKEN`` still does)."""
    return _NOT_A_SECRET_WORD.search(name) is not None and not _SECRET_NOUN.search(
        _NOT_A_SECRET_WORD.sub("", name)
    )


#: words that hold a secret noun without naming a secret: a language model's tokenizer
#: (``HUGGINGFACE_TOKENIZER = "Salesforce/SFR-Embedding-Mistral"``) and its token counts
_NOT_A_SECRET_WORD = re.compile(
    r"(?i)tokeni[sz](?:er|ed|ation|e)s?|(?:max|num|total)[_-]?tokens?|tokens?[_-]?(?:count|limit)s?"
)
_SECRET_NOUN = re.compile(rf"(?i){SECRET_NOUN}")


#: a namespace separator: Redis and cache keys (``app:session:``), paths, dotted and
#: kebab or snake names
_NAMESPACE_SEP = re.compile(r"::?|[/._-]")
#: one part of a namespaced key: a word with at most two runs of digits (``oauth2``,
#: ``v1``) or a number; letters and digits interleaved (``k3j9x2``) are generated
_NAMESPACE_PART = re.compile(r"[a-z]+[0-9]*(?:[a-z]+[0-9]*)?|[0-9]+")
#: five consonants in a row: hardly a word has them (``strengths``), while one in two
#: draws of twelve random lower-case letters does
_CONSONANTS = re.compile(r"[b-df-hj-np-tv-xz]{5,}")
#: a name that says its value is the start or the joint of a key, not a key
_PREFIX_NAME = re.compile(r"(?:prefix|namespace|separator|delimiter|keyspace)e?s?$", re.IGNORECASE)


def namespaced_key(name: str, value: str) -> bool:
    """True for a key, or the prefix of one, spelled in lower-case words joined by
    namespace separators (``casdoor:device_auth:``, ``oauth/state/``): what a Redis key or
    a cache namespace looks like, which a name such as ``deviceAuthRedisPrefix`` pairs with
    a word the generic rule looks for. Every part must read as a word (a vowel unless it
    is an abbreviation of three letters or fewer such as ``v1`` or ``db``, no long
    consonant runs, no interleaved digits), so a random tail keeps the value a secret.
    With a ``:``, two parts alone (``admin:hunter``) are the ``user:password`` of basic
    auth, so the value must end in a separator, have three parts or more, or sit under a
    name that says prefix or namespace."""
    body = value.rstrip(":/._-")
    if not body or len(value) - len(body) > 2 or not _NAMESPACE_SEP.search(value):
        return False
    parts = _NAMESPACE_SEP.split(body)
    for part in parts:
        if not _NAMESPACE_PART.fullmatch(part):
            return False
        letters = re.sub(r"[0-9]+", "", part)
        if len(letters) > 3 and (not _VOWEL.search(letters) or _CONSONANTS.search(letters)):
            return False
    if ":" not in value:
        return True
    return body != value or len(parts) >= 3 or _PREFIX_NAME.search(name) is not None


#: what joins the words of a name: ``_``, ``-``, ``.``, ``:`` and ``/`` (camelCase
#: boundaries go with the case)
_SEPARATORS = re.compile(r"[-_.:/]+")


def symbolic_constant(name: str, value: str) -> bool:
    """True for a value that spells its own name (``USER_API_KEY_CREATE__SUCCESS:
    'USER_API_KEY_CREATE__SUCCESS'``, ``"oauth2_endpoint_auth": "OAuth2EndpointAuth"``):
    a Redux action type, an enum or a feature flag, compared by what it is called. Case,
    separators and camelCase boundaries aside, the two are the same words; a generated
    key is never the name of the variable holding it."""
    own = _SEPARATORS.sub("", name).lower()
    if len(own) < 4:
        return False
    if _SEPARATORS.sub("", value).lower() == own:
        return True
    # a type namespaced by its slice or module (``SET_AUTH_TOKEN: "auth/SET_AUTH_TOKEN"``,
    # ``"@@auth/SET_TOKEN"``): the name after the last ``/`` or ``:``, and before it slice
    # names in words (``auth``, ``userSettings``; not ``XEJI59`` nor ``locsb8``)
    head, sep, tail = value.removeprefix("@@").rpartition("/")
    if not sep:
        head, sep, tail = value.rpartition(":")
    return (
        bool(head)
        and _SEPARATORS.sub("", tail).lower() == own
        and all(_slice_name(part) for part in re.split(r"[/:]", head))
    )


#: the name of a Redux slice or module: a lower-case word, camelCase words after it
_SLICE = re.compile(r"[a-z]+(?:[A-Z][a-z]+)*")


def _slice_name(part: str) -> bool:
    return _SLICE.fullmatch(part) is not None and all(
        _word(w.lower()) for w in _NAME_WORD.findall(part)
    )


#: a name spelled in words: letters and digits in parts joined by ``_``, ``.`` or ``-``
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)*")
#: a password's name: a person chooses its value, often in words (``BlueHorse42Staple``)
_PASSWORD_NAME = re.compile(r"(?i)passw(?:or)?d|passwd|pwd|passphrase")


def spelled_identifier(name: str, value: str) -> bool:
    """True for a value that is an identifier spelled in words (``OAuth2EndpointAuth``,
    ``ApiKeyCreated``, ``Auth.LoginSucceeded``), what a feature flag, an event or a type is
    called, unless its name says password (people choose those in words). Twelve
    characters or more in both cases, every word must read as one (see ``_word``), an
    acronym has up to five capitals, a lone capital stands before a word (the ``O`` of
    ``OAuth``) once at most, a version of up to three digits follows a word and precedes
    a capital or the end (``OAuth2``) once at most, nine letters in ten are in words with
    a vowel and words average three letters. Random base62 splits into short pieces,
    capitals and digits, and letter runs no word starts or holds (``Zx``, ``wlav``): about
    one draw of twelve characters in ten thousand passes, fewer as they get longer."""
    if len(value) < 12 or _PASSWORD_NAME.search(name) or not _IDENTIFIER.fullmatch(value):
        return False
    if not any(c.islower() for c in value) or not any(c.isupper() for c in value):
        return False  # one case: the snake and kebab shapes of NOT_SECRET_SHAPES judge it
    letters = spoken = words = digit_runs = initials = 0
    for part in re.split(r"[_.-]", value):
        tokens = _NAME_WORD.findall(part)
        for i, token in enumerate(tokens):
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token.isdigit():
                # a version after a word, before the next word or the end (``OAuth2``)
                digit_runs += 1
                if i == 0 or len(token) > 3 or after[:1].islower():
                    return False
                continue
            if token.isupper() and len(token) == 1:
                # a capital before a word (``OAuth``, ``ETag``), not before a digit or alone
                initials += 1
                if not after[1:2].islower():
                    return False
                continue
            if token.isupper():
                if len(token) > 5:
                    return False
            elif not _word(token.lower()):
                return False
            elif _VOWEL.search(token):
                spoken += len(token)
            words += 1
            letters += len(token)
    return (
        words >= 2
        and digit_runs <= 1
        and initials <= 1
        and spoken * 10 >= letters * 9
        and letters >= 3 * words
    )


#: four consonants in a row (``y`` counts as a vowel): rare inside one word of a name
#: (``Endpoint`` has three), common in random letters
_FOUR_CONSONANTS = re.compile(r"[b-df-hj-np-tv-xz]{4,}")
#: the consonants an English word may start with before its first vowel (``str`` of
#: ``Stream``, ``th`` of ``Theme``): random letters start ``wl``, ``gnd``, ``qk``
_ONSET = re.compile(
    r"(?:[b-df-hj-np-tv-z]|[bcfgpk][lr]|[dt][rw]|s[chklmnpqtw]|[ct]h|ph|sh|wh|wr|kn|gn|ps"
    r"|s[cp]r|spl|str|thr|shr|chr|sch)?(?=[aeiouy])"
)


#: a ``q`` without its ``u``, or ``j``, ``v`` or ``z`` before a consonant (``jz``, ``vb``):
#: letters that hardly ever meet in a word, and often in random ones (``zz`` of ``Buzz``
#: aside)
_ODD_PAIR = re.compile(r"q(?!u)|[jv](?=[b-df-hj-np-tv-xz])|z(?=[b-df-hj-np-tv-xy])")
#: the words of two letters names are made of: random letters make many others (``Oe``)
_TWO_LETTER_WORDS = frozenset(
    {"id", "is", "on", "in", "to", "by", "of", "up", "at", "or", "no", "my", "as", "if"}
    | {"do", "go", "me", "we", "it", "be", "an", "ok", "ui", "io", "db", "js", "os", "ip"}
)


def _word(word: str) -> bool:
    """A lower-cased word that reads as one: a common word of two letters (``id``, ``on``,
    ``db``); three letters without a vowel (``sql``); otherwise it starts as English words
    start, has a vowel for every four letters, no run of four consonants and no pair of
    ``_ODD_PAIR``."""
    if len(word) < 3:
        return word in _TWO_LETTER_WORDS
    if not _VOWEL.search(word):
        return len(word) <= 3
    if not _ONSET.match(word) or _FOUR_CONSONANTS.search(word) or _ODD_PAIR.search(word):
        return False
    return len(_VOWEL.findall(word)) * 4 >= len(word)


def looks_random(value: str) -> bool:
    """True when a value mixes character classes the way generated secrets do."""
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )
    if value.isalpha() and (len(value) < 20 or _spelled_name(value)):
        return False  # a word or a CamelCase name (``PasswordInput``), not a generated key
    if _escaped_words(value) or _phrase(value):
        return False
    return classes >= 2 and len(set(value)) > 4


#: a run of ASCII letters in a phrase of another language: an acronym and the letters of
#: a word up to its next accented one (``API``, ``Schl`` of ``Schlüssel``), or a number
_TEXT_RUN = re.compile(r"[A-Z]{0,5}[a-z]{0,12}|[0-9]{1,4}")
#: a part of a hyphenated term: an acronym or a word (``API-sleutel``, ``X-Auth-Token``)
_TERM_PART = re.compile(r"[A-Z]{1,5}|[A-Z]?[a-z]+")


def _phrase(value: str) -> bool:
    """Words of a human language, as a translation file holds them: letters of another
    alphabet or script among which every run of ASCII letters reads as an acronym or a
    word (``API-nøgle``, ``APIキーを削除してもよろしいですか？``), or a hyphenated term of
    acronyms and words with a vowel (``API-sleutel``, ``X-Auth-Token``), one a
    word of four letters or more, acronyms half the parts at most, a lone capital only
    before two words or more (the ``X`` of a header's name). Generated
    keys are ASCII and mix cases and digits within their runs (``Zx8kLm2Q``)."""
    if any(not c.isascii() and c.isalpha() for c in value):
        return all(_TEXT_RUN.fullmatch(run) for run in re.findall(r"[A-Za-z0-9]+", value))
    parts = value.split("-")
    words = [p for p in parts if not p.isupper()]
    return (
        len(parts) >= 2
        and all(_TERM_PART.fullmatch(p) for p in parts)
        and all(len(p) > 1 for p in parts[1:])
        and (len(parts[0]) > 1 or len(parts) >= 3)
        and all(_VOWEL.search(w) and _word(w.lower()) for w in words)
        and any(len(w) >= 4 for w in words)
        and len(words) * 2 >= len(parts)
    )


_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")


def _escaped_words(value: str) -> bool:
    """A word of another script written as ``\\u`` escapes, as bundlers emit translations
    (``password: "\\uBE44\\uBC00\\uBC88\\uD638"``, Korean for "password"): every escape
    a letter outside ASCII and escapes the whole value. A key spelled that way would be
    letters of a script, which no generated secret is."""
    escapes = _UNICODE_ESCAPE.findall(value)
    if not escapes or len(escapes) * 6 != len(value):
        return False
    return all((ch := chr(int(h, 16))).isalpha() and ord(ch) > 0x7F for h in escapes)


#: a camelCase or PascalCase name: words of a capital (or the first, lower-case) and
#: lower-case letters
_CAMEL = re.compile(r"[A-Za-z][a-z]+(?:[A-Z][a-z]+)*")
_CAMEL_WORD = re.compile(r"[A-Z]?[a-z]+")
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)


def _spelled_name(value: str) -> bool:
    """A long name spelled in words (``DeletePersonalAccessTokenByName``): every word has
    a vowel and they average three letters or more. Random letters fall into that shape
    about once in ten thousand draws at 24 characters, and almost never beyond."""
    if not _CAMEL.fullmatch(value):
        return False
    words = _CAMEL_WORD.findall(value)
    return sum(map(len, words)) >= 3 * len(words) and all(_VOWEL.search(w) for w in words)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    size = len(value)
    return -sum(c / size * math.log2(c / size) for c in counts.values()) if size else 0.0


def redact(value: str, prefix: int = 0) -> str:
    """A secret as it may be shown: its public prefix and, when long, its last 4 characters.

    A value too short to show any of it is described by its length, so a finding never
    reads "added: …" with nothing a reviewer can match against the line."""
    if value.startswith("-----BEGIN"):
        return value.split("-----")[1].join(("-----", "-----…"))
    head = value[:prefix] if len(value) > prefix + 8 else ""
    tail = value[-4:] if len(value) - len(head) >= 16 else ""
    if not head and not tail:
        return f"… ({len(value)} characters, not shown)"
    return f"{head}…{tail}"


#: words that mark a value as made up: for documentation, a mock or a test fixture
_MADE_UP = re.compile(
    r"(?i)mock|fake|dummy|example|sample|placeholder|changeme|change[_-]me|redacted|"
    r"not[_-]?(?:(?:an?|the)[_-]?)?(?:real|secret|valid|key|token|password)|notreal|invalid|"
    r"foobar|"
    r"lorem|ipsum|xxxx|your[_-]|insert[_-]|replace[_-]?me|\btodo\b|\bfixme\b|"
    # a blank to fill in (simple-login's ``OIDC_CLIENT_SECRET=to_fill``)
    r"\bto[_-]?fill\b|\bfill[_-]?(?:me|in)\b"
)


#: a value that calls itself a password: lower-case words around "password" or "secret"
#: and at most a few digits and a mark (``securepassword123``, ``parentpassword1!``), the
#: way documentation and API examples write one; no generator makes such a value
_SAYS_PASSWORD = re.compile(r"[a-z]{0,20}(?:password|passwd|secret)[a-z]{0,20}\d{0,4}[!.?]?")


def says_made_up(value: str) -> bool:
    """Whether a value calls itself made up (``this_is_not_the_secret``, ``fake-key``,
    ``changeme``), the first of :func:`is_placeholder`'s tests."""
    return _MADE_UP.search(value) is not None


def is_placeholder(value: str) -> bool:
    """True for a value that is obviously not a credential: it says it is made up
    (``$argon2id$iammocked…``, ``fake-token``) or calls itself a password
    (``securepassword123``), or counting runs, repeats and echoed chunks make up half of it
    (``AC12345beefbeef67890beefbeef122586``), or what is left once they and punctuation
    are taken out is a word or too little to be a secret (``oauth|1234``, ``user-0000``,
    ``abcdef123456``, ``abc123def456``)."""
    if _MADE_UP.search(value) or _SAYS_PASSWORD.fullmatch(value):
        return True
    stripped = _strip_runs(value)
    if stripped == value:
        return False  # nothing to discount: entropy and shape decide elsewhere
    if len(stripped) * 2 <= len(value):
        return True  # mostly counting, repeats and echoed chunks: ``AC12345beefbeef...``
    rest = re.sub(r"[\W_]+", "", stripped)
    # a word of one case, or capitalised (``Harbor12345``, a product's default password)
    return len(rest) < 6 or (
        rest.isalpha() and (rest.islower() or rest.isupper() or rest.istitle())
    )


def _strip_runs(value: str) -> str:
    out, pos = [], 0
    for m in re.finditer(
        # counting runs (the three-letter chunks sample values are typed from: ``abc123def456``),
        # a character repeated, and a chunk of 3 to 8 echoed straight after itself
        # (``beefbeef``, ``258625862586``), which no generator writes by chance
        r"(?:0?1234(?:5(?:6(?:7(?:89?)?)?)?)?|9876(?:5(?:4(?:3(?:21?)?)?)?)?|abcdef?|(.)\1{3,}"
        r"|(.{3,8}?)\2+|abc|def|xyz|123|456|789)",
        value,
        re.I,
    ):
        out.append(value[pos : m.start()])
        pos = m.end()
    return "".join(out) + value[pos:]
