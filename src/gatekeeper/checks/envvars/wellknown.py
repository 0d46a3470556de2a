"""Variables a platform sets for every process: GitHub Actions', Windows', a POSIX shell's.

Nobody documents them; the env-vars check never asks for them.
"""

from __future__ import annotations

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
    "RUNNER_*",
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
)
