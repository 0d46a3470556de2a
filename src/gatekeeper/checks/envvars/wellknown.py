"""Variables a platform sets for every process: GitHub Actions', Windows', a POSIX shell's.

Nobody documents them; the env-vars check never asks for them.
"""

from __future__ import annotations

#: what a GitHub Actions runner sets (its variables reference, plus the workspace and
#: tracking ones every runner sets): only these, since applications name their own
#: settings RUNNER_* too (nango's RUNNER_TYPE, RUNNER_SERVICE_URL)
RUNNER_VARS = tuple(
    f"RUNNER_{name}"
    for name in (
        "NAME", "OS", "ARCH", "TEMP", "TOOL_CACHE", "DEBUG", "ENVIRONMENT", "WORKSPACE",
        "PERFLOG", "TRACKING_ID",
    )
)  # fmt: skip
GITHUB_ACTIONS_VARS = tuple(
    f"GITHUB_{name}"
    for name in [
        "ACTION",
        "ACTION_PATH",
        "ACTION_REPOSITORY",
        "ACTIONS",
        "ACTOR",
        "ACTOR_ID",
        "API_URL",
        "BASE_REF",
        "ENV",
        "EVENT_NAME",
        "EVENT_PATH",
        "GRAPHQL_URL",
        "HEAD_REF",
        "JOB",
        "OUTPUT",
        "PATH",
        "REF",
        "REF_NAME",
        "REF_PROTECTED",
        "REF_TYPE",
        "REPOSITORY",
        "REPOSITORY_ID",
        "REPOSITORY_OWNER",
        "REPOSITORY_OWNER_ID",
        "RETENTION_DAYS",
        "RUN_ATTEMPT",
        "RUN_ID",
        "RUN_NUMBER",
        "SERVER_URL",
        "SHA",
        "STATE",
        "STEP_SUMMARY",
        "TRIGGERING_ACTOR",
        "WORKFLOW",
        "WORKFLOW_REF",
        "WORKFLOW_SHA",
        "WORKSPACE",
    ]
)
#: Windows' own variables (names are case-insensitive there: the usual spellings); not
#: USERNAME, which an application may read as a credential of its own
_WINDOWS = (
    "APPDATA LOCALAPPDATA USERPROFILE ALLUSERSPROFILE PROGRAMDATA ProgramData PROGRAMFILES"
    " ProgramFiles ProgramFiles(x86) SYSTEMROOT SystemRoot WINDIR windir SYSTEMDRIVE"
    " SystemDrive HOMEDRIVE HOMEPATH COMPUTERNAME PATHEXT COMSPEC ComSpec"
)
WINDOWS_VARS = tuple(_WINDOWS.split())
#: OpenTelemetry's SDK configuration ("Environment Variable Specification" of the
#: OpenTelemetry specification): every SDK reads them, and a service that reads one itself
#: gives it the meaning the specification documents (electric's Rust server reads
#: OTEL_TRACES_SAMPLER_ARG for its sampler); named one by one, so an application's own
#: OTEL_-prefixed setting is still its own
_OPENTELEMETRY = (
    "SDK_DISABLED RESOURCE_ATTRIBUTES SERVICE_NAME LOG_LEVEL PROPAGATORS TRACES_SAMPLER"
    " TRACES_SAMPLER_ARG TRACES_EXPORTER METRICS_EXPORTER LOGS_EXPORTER"
    " METRIC_EXPORT_INTERVAL METRIC_EXPORT_TIMEOUT METRICS_EXEMPLAR_FILTER"
    " BSP_SCHEDULE_DELAY BSP_EXPORT_TIMEOUT BSP_MAX_QUEUE_SIZE BSP_MAX_EXPORT_BATCH_SIZE"
    " BLRP_SCHEDULE_DELAY BLRP_EXPORT_TIMEOUT BLRP_MAX_QUEUE_SIZE BLRP_MAX_EXPORT_BATCH_SIZE"
    " ATTRIBUTE_VALUE_LENGTH_LIMIT ATTRIBUTE_COUNT_LIMIT SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"
    " SPAN_ATTRIBUTE_COUNT_LIMIT SPAN_EVENT_COUNT_LIMIT SPAN_LINK_COUNT_LIMIT"
    " EVENT_ATTRIBUTE_COUNT_LIMIT LINK_ATTRIBUTE_COUNT_LIMIT"
    " EXPORTER_OTLP_ENDPOINT EXPORTER_OTLP_TRACES_ENDPOINT EXPORTER_OTLP_METRICS_ENDPOINT"
    " EXPORTER_OTLP_LOGS_ENDPOINT EXPORTER_OTLP_PROTOCOL EXPORTER_OTLP_TRACES_PROTOCOL"
    " EXPORTER_OTLP_METRICS_PROTOCOL EXPORTER_OTLP_LOGS_PROTOCOL EXPORTER_OTLP_HEADERS"
    " EXPORTER_OTLP_TRACES_HEADERS EXPORTER_OTLP_METRICS_HEADERS EXPORTER_OTLP_LOGS_HEADERS"
    " EXPORTER_OTLP_TIMEOUT EXPORTER_OTLP_TRACES_TIMEOUT EXPORTER_OTLP_METRICS_TIMEOUT"
    " EXPORTER_OTLP_LOGS_TIMEOUT EXPORTER_OTLP_COMPRESSION EXPORTER_OTLP_INSECURE"
    " EXPORTER_OTLP_CERTIFICATE EXPORTER_OTLP_CLIENT_KEY EXPORTER_OTLP_CLIENT_CERTIFICATE"
    " EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE EXPORTER_ZIPKIN_ENDPOINT"
    " EXPORTER_ZIPKIN_TIMEOUT EXPORTER_PROMETHEUS_HOST EXPORTER_PROMETHEUS_PORT"
)
OPENTELEMETRY_VARS = tuple(f"OTEL_{name}" for name in _OPENTELEMETRY.split())
#: variables every platform sets; nobody documents them
PLATFORM_VARS = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "PWD",
    "OLDPWD",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TERM",
    "TMPDIR",
    "TEMP",
    "TMP",
    "TZ",
    "HOSTNAME",
    "CI",
    # what GitHub Actions sets for every step (an app's own GITHUB_CLIENT_SECRET is not)
    *GITHUB_ACTIONS_VARS,
    *RUNNER_VARS,
    "ACTIONS_*",
    "PYTHON*",
    "VIRTUAL_ENV",
    "NODE_ENV",
    "DEBUG",
    "EDITOR",
    "VISUAL",
    "BROWSER",
    "PAGER",
    "DISPLAY",
    "XDG_*",
    "SSH_AUTH_SOCK",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "JAVA_HOME",
    "GOPATH",
    "GOROOT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "KUBERNETES_SERVICE_*",
    "PORT",
    "GITHUB_TOKEN",
    # what Windows sets for every process (komga's application-windows.yml puts its data
    # under ${LOCALAPPDATA}); spelled as Windows and as programs write them
    *WINDOWS_VARS,
    *OPENTELEMETRY_VARS,
)
