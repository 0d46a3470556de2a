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

#: Laravel: what the config files, ``.env.example`` and ``phpunit.xml`` of the application
#: skeleton (laravel/laravel, 5.x to 12, checked against its tags) read, documented in
#: Laravel's configuration guide, with the names older skeletons used (MAIL_DRIVER,
#: QUEUE_DRIVER...), the framework's cache-path overrides and those of first-party
#: packages' published configs (Sanctum; Telescope, Pulse and Nightwatch switches); an
#: upgrade that adds a skeleton config file reads them anew.
LARAVEL_VARS = (
    *(f"APP_{n}" for n in ("NAME", "ENV", "KEY", "DEBUG", "URL", "TIMEZONE", "LOCALE")),
    *("APP_FALLBACK_LOCALE", "APP_FAKER_LOCALE", "APP_PREVIOUS_KEYS", "APP_LOG_LEVEL"),
    *("APP_MAINTENANCE_DRIVER", "APP_MAINTENANCE_STORE", "ASSET_URL", "APP_LOG"),
    *(f"AUTH_{n}" for n in ("GUARD", "PASSWORD_BROKER", "MODEL", "PASSWORD_TIMEOUT")),
    "AUTH_PASSWORD_RESET_TOKEN_TABLE",
    *("CACHE_STORE", "CACHE_DRIVER", "CACHE_PREFIX", "DYNAMODB_CACHE_TABLE"),
    *("DYNAMODB_ENDPOINT", "MEMCACHED_PERSISTENT_ID", "MEMCACHED_USERNAME"),
    *("MEMCACHED_PASSWORD", "MEMCACHED_HOST", "MEMCACHED_PORT"),
    *(f"DB_{n}" for n in ("CONNECTION", "URL", "HOST", "PORT", "DATABASE", "USERNAME")),
    *(f"DB_{n}" for n in ("PASSWORD", "SOCKET", "CHARSET", "COLLATION", "FOREIGN_KEYS")),
    *(f"DB_{n}" for n in ("CACHE_CONNECTION", "CACHE_TABLE", "CACHE_LOCK_CONNECTION")),
    *(f"DB_{n}" for n in ("CACHE_LOCK_TABLE", "QUEUE_CONNECTION", "QUEUE_TABLE", "QUEUE")),
    *("DB_QUEUE_RETRY_AFTER", "DATABASE_URL", "MYSQL_ATTR_SSL_CA"),
    *("DB_SSLMODE", "DB_ENCRYPT", "DB_TRUST_SERVER_CERTIFICATE"),
    *(f"APP_{n}_CACHE" for n in ("CONFIG", "EVENTS", "PACKAGES", "ROUTES", "SERVICES")),
    *(f"REDIS_{n}" for n in ("CLIENT", "CLUSTER", "PREFIX", "URL", "HOST", "USERNAME")),
    *(f"REDIS_{n}" for n in ("PASSWORD", "PORT", "DB", "CACHE_DB", "PERSISTENT", "QUEUE")),
    *(f"REDIS_{n}" for n in ("CACHE_CONNECTION", "CACHE_LOCK_CONNECTION")),
    *("REDIS_QUEUE_CONNECTION", "REDIS_QUEUE_RETRY_AFTER", "REDIS_MAX_RETRIES"),
    *(f"REDIS_BACKOFF_{n}" for n in ("ALGORITHM", "BASE", "CAP")),
    *("FILESYSTEM_DISK", "FILESYSTEM_DRIVER", "FILESYSTEM_CLOUD"),
    *(f"AWS_{n}" for n in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "DEFAULT_REGION", "BUCKET")),
    *("AWS_URL", "AWS_ENDPOINT", "AWS_USE_PATH_STYLE_ENDPOINT"),
    *(f"LOG_{n}" for n in ("CHANNEL", "STACK", "LEVEL", "DAILY_DAYS", "DEPRECATIONS_CHANNEL")),
    *(f"LOG_{n}" for n in ("DEPRECATIONS_TRACE", "SLACK_WEBHOOK_URL", "SLACK_USERNAME")),
    *(f"LOG_{n}" for n in ("SLACK_EMOJI", "PAPERTRAIL_HANDLER", "STDERR_FORMATTER")),
    *("LOG_SYSLOG_FACILITY", "PAPERTRAIL_URL", "PAPERTRAIL_PORT"),
    *(f"MAIL_{n}" for n in ("MAILER", "DRIVER", "SCHEME", "URL", "HOST", "PORT")),
    *(f"MAIL_{n}" for n in ("ENCRYPTION", "USERNAME", "PASSWORD", "EHLO_DOMAIN")),
    *(f"MAIL_{n}" for n in ("LOG_CHANNEL", "SENDMAIL_PATH", "FROM_ADDRESS", "FROM_NAME")),
    *("QUEUE_CONNECTION", "QUEUE_DRIVER", "QUEUE_FAILED_DRIVER"),
    *("BEANSTALKD_QUEUE_HOST", "BEANSTALKD_QUEUE", "BEANSTALKD_QUEUE_RETRY_AFTER"),
    *("SQS_PREFIX", "SQS_QUEUE", "SQS_SUFFIX", "SQS_KEY", "SQS_SECRET", "SQS_REGION"),
    *(f"SESSION_{n}" for n in ("DRIVER", "LIFETIME", "EXPIRE_ON_CLOSE", "ENCRYPT")),
    *(f"SESSION_{n}" for n in ("CONNECTION", "TABLE", "STORE", "COOKIE", "PATH", "DOMAIN")),
    *(f"SESSION_{n}" for n in ("SECURE_COOKIE", "HTTP_ONLY", "SAME_SITE")),
    "SESSION_PARTITIONED_COOKIE",
    *("BROADCAST_CONNECTION", "BROADCAST_DRIVER"),
    *(f"PUSHER_APP_{n}" for n in ("ID", "KEY", "SECRET", "CLUSTER")),
    *("PUSHER_HOST", "PUSHER_PORT", "PUSHER_SCHEME", "ABLY_KEY"),
    *(f"VITE_PUSHER_{n}" for n in ("APP_KEY", "APP_CLUSTER", "CLUSTER", "HOST", "PORT")),
    *("VITE_PUSHER_SCHEME", "VITE_APP_NAME", "MIX_PUSHER_APP_KEY", "MIX_PUSHER_APP_CLUSTER"),
    *("BCRYPT_ROUNDS", "HASH_VERIFY", "VIEW_COMPILED_PATH", "VIEW_CHECK_EXPIRATION"),
    *("POSTMARK_TOKEN", "POSTMARK_API_KEY", "POSTMARK_MESSAGE_STREAM_ID"),
    *("RESEND_KEY", "RESEND_API_KEY", "PHP_CLI_SERVER_WORKERS"),
    *("TELESCOPE_ENABLED", "PULSE_ENABLED", "NIGHTWATCH_ENABLED"),
    *("MAILGUN_DOMAIN", "MAILGUN_SECRET", "MAILGUN_ENDPOINT", "SPARKPOST_SECRET"),
    *("SES_KEY", "SES_SECRET", "SES_REGION"),
    *("SLACK_BOT_USER_OAUTH_TOKEN", "SLACK_BOT_USER_DEFAULT_CHANNEL"),
    *("SANCTUM_STATEFUL_DOMAINS", "SANCTUM_TOKEN_PREFIX"),
)

#: Phoenix: what the ``config/runtime.exs`` that ``mix phx.new`` (1.6 to 1.8) generates reads
#: with ``System.get_env``/``System.fetch_env!`` (DATABASE_PATH for ``--database sqlite3``,
#: DATABASE_URL for PostgreSQL and MySQL); ``rel/overlays/bin/server`` sets PHX_SERVER
PHOENIX_VARS = (
    *("PHX_HOST", "PHX_SERVER", "PORT", "SECRET_KEY_BASE", "DATABASE_URL", "DATABASE_PATH"),
    *("POOL_SIZE", "ECTO_IPV6", "DNS_CLUSTER_QUERY"),
)

_PHOENIX_DEP = re.compile(r"\{\s*:phoenix\s*,")
#: blanks within the line only: ``\s*`` after ``^`` crosses blank lines, quadratic on a
#: file of them
_RAILS_GEM = re.compile(r"""^[ \t]*gem[ \t]*\(?[ \t]*["']rails["']""", re.MULTILINE)
_DJANGO_DEP = re.compile(r"""(?im)^[ \t]*["']?django\b(?![-_])""")


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
        "Laravel", ("composer.json",), lambda text: '"laravel/framework"' in text, LARAVEL_VARS
    ),
    Framework("Phoenix", ("mix.exs",), lambda text: bool(_PHOENIX_DEP.search(text)), PHOENIX_VARS),
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
