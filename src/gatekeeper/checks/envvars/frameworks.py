"""Variables a framework defines and documents itself, allowed in repositories built on it.

An application that reads ``RAILS_MAX_THREADS`` or ``DJANGO_SETTINGS_MODULE`` reads the
framework's setting, documented by the framework (like the platform's ``PATH``): asking
the application to document it again is noise. Each list holds only names the
framework's own documentation or generated files define (sources beside each list), and
applies only when the repository is built on that framework, as its base shows: a
``Gemfile`` naming the ``rails`` gem, a Django ``manage.py`` or dependency, a
``package.json``. An application's own variables in such a repository still need their
documentation. ``checks.env-vars.framework_vars: false`` turns the lists off.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: Rails: the Rails guides (Configuring Rails Applications; Threading) and the files
#: ``rails new`` generates (config/puma.rb, config/database.yml, config/queue.yml,
#: config/environments/production.rb, Dockerfile) read these; RACK_ENV is Rack's.
RAILS_VARS = (
    "RAILS_ENV",
    "RACK_ENV",
    "RAILS_MAX_THREADS",
    "RAILS_MIN_THREADS",
    "RAILS_LOG_TO_STDOUT",
    "RAILS_LOG_LEVEL",
    "RAILS_SERVE_STATIC_FILES",
    "RAILS_MASTER_KEY",
    "SECRET_KEY_BASE",
    "SECRET_KEY_BASE_DUMMY",
    "SOLID_QUEUE_IN_PUMA",
    "JOB_CONCURRENCY",
    "WEB_CONCURRENCY",
    "PIDFILE",
    "PORT",
)
#: Django: django-admin and settings documentation, async safety documentation.
DJANGO_VARS = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
#: Node.js: the CLI documentation's environment variables (NODE_ENV is a platform variable).
NODE_VARS = (
    "NODE_OPTIONS",
    "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "NODE_DEBUG",
    "NODE_PATH",
    "NODE_NO_WARNINGS",
    "UV_THREADPOOL_SIZE",
)

#: Cargo: "Environment variables Cargo sets for crates" and "... for build scripts" in
#: the Cargo Book (read with ``env!``/``option_env!`` or, in build.rs, ``env::var``);
#: the standard library's RUST_BACKTRACE/RUST_LIB_BACKTRACE/RUST_MIN_STACK.
CARGO_VARS = (
    "CARGO",
    "CARGO_*",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "NUM_JOBS",
    "OPT_LEVEL",
    "PROFILE",
    "RUSTC",
    "RUSTC_LINKER",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTDOC",
    "RUSTFLAGS",
    "DEP_*",
    "RUST_BACKTRACE",
    "RUST_LIB_BACKTRACE",
    "RUST_MIN_STACK",
)

_RAILS_GEM = re.compile(r"""^\s*gem\s*\(?\s*["']rails["']""", re.MULTILINE)
_DJANGO_DEP = re.compile(r"""(?im)^\s*["']?django\b(?![-_])""")


@dataclass(frozen=True)
class Framework:
    """A framework: its name, how a repository shows it is built on it, its variables."""

    name: str
    files: tuple[str, ...]
    uses: Callable[[str], bool]
    names: tuple[str, ...]


FRAMEWORKS = (
    Framework("Rails", ("Gemfile",), lambda text: bool(_RAILS_GEM.search(text)), RAILS_VARS),
    Framework(
        "Django",
        ("manage.py", "requirements.txt", "pyproject.toml", "setup.cfg", "Pipfile"),
        lambda text: (
            "django" in text.lower()
            and ("DJANGO_SETTINGS_MODULE" in text or bool(_DJANGO_DEP.search(text)))
        ),
        DJANGO_VARS,
    ),
    Framework("Node.js", ("package.json",), lambda text: True, NODE_VARS),
    Framework(
        "Cargo",
        ("Cargo.toml",),
        lambda text: "[package]" in text or "[workspace]" in text,
        CARGO_VARS,
    ),
)


def framework_vars(read: Callable[[str], str | None]) -> tuple[tuple[str, ...], list[str]]:
    """The variables of every framework the repository (``read`` at base) is built on,
    and those frameworks' names."""
    names: list[str] = []
    found: list[str] = []
    for fw in FRAMEWORKS:
        if any((text := read(path)) is not None and fw.uses(text) for path in fw.files):
            names += fw.names
            found.append(fw.name)
    return tuple(names), found
