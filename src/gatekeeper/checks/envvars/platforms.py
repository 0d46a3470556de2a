"""Variables a CI system or hosting platform sets itself, which need no documentation.

Code that runs in CI or on a host often asks where it runs: Prefect reads GitLab's
``CI_COMMIT_SHA`` and Azure's ``BUILD_SOURCEVERSION`` to name a deployment's version,
dub reads Vercel's ``VERCEL_GIT_COMMIT_REF``. The platform sets and documents these;
nobody deploying the application configures them. Each list below holds the names the
platform's own reference documents (the page beside it).

A whole prefix is allowed only where the platform reserves it and applications do not
use it for their own settings: GitLab's ``CI_*``, GitHub's ``ACTIONS_*``, AWS Lambda's
``AWS_LAMBDA_*``, Kubernetes' service links. Elsewhere the prefix is also what an
application's *own* settings for that platform are called (GitHub runner's ``RUNNER_*``
beside nango's ``RUNNER_TYPE``; ``VERCEL_TOKEN``, ``HEROKU_API_KEY``,
``BITBUCKET_CLIENT_SECRET``, ``FLY_API_TOKEN``,
``CIRCLE_TOKEN``, ``GITLAB_TOKEN``) or a common word (Azure's ``BUILD_*``, ``SYSTEM_*``,
``AGENT_*`` beside an application's ``BUILD_VERSION`` or ``AGENT_MODEL``), so only the
documented names are allowed there: a new API token still needs its documentation.

``checks.env-vars.platform_vars: false`` turns these lists off; ``allow`` adds names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gatekeeper.changes.globs import matcher
from gatekeeper.checks.envvars.wellknown import RUNNER_VARS


@dataclass(frozen=True)
class Platform:
    """A CI system or host: its name, its reference page, the names (globs) it sets."""

    name: str
    source: str
    names: tuple[str, ...]


def _prefixed(prefix: str, names: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in names.split())


#: Vercel exposes its system variables again under a framework's public prefix
_VERCEL_SYSTEM = (
    "ENV TARGET_ENV URL BRANCH_URL PROJECT_PRODUCTION_URL REGION DEPLOYMENT_ID PROJECT_ID"
    " SKEW_PROTECTION_ENABLED AUTOMATION_BYPASS_SECRET OIDC_TOKEN GIT_PROVIDER GIT_REPO_SLUG"
    " GIT_REPO_OWNER GIT_REPO_ID GIT_COMMIT_REF GIT_COMMIT_SHA GIT_COMMIT_MESSAGE"
    " GIT_COMMIT_AUTHOR_LOGIN GIT_COMMIT_AUTHOR_NAME GIT_PREVIOUS_SHA GIT_PULL_REQUEST_ID"
)
_VERCEL_FRAMEWORK_PREFIXES = (
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "NUXT_ENV_",
    "PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
    "REDWOOD_ENV_",
    "SANITY_STUDIO_",
)

PLATFORMS = (
    Platform(
        "GitLab CI/CD",
        "https://docs.gitlab.com/ci/variables/predefined_variables/",
        (
            "CI_*",
            "GITLAB_CI",
            "GITLAB_FEATURES",
            "GITLAB_USER_EMAIL",
            "GITLAB_USER_ID",
            "GITLAB_USER_LOGIN",
            "GITLAB_USER_NAME",
            "CHAT_CHANNEL",
            "CHAT_INPUT",
            "CHAT_USER_ID",
            "TRIGGER_PAYLOAD",
        ),
    ),
    Platform(
        "GitHub Actions runner",
        "https://docs.github.com/actions/reference/variables-reference",
        (*RUNNER_VARS, "ACTIONS_*", "GITHUB_ACTIONS"),
    ),
    Platform(
        "Bitbucket Pipelines",
        "https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/",
        _prefixed(
            "BITBUCKET_",
            "BUILD_NUMBER CLONE_DIR COMMIT WORKSPACE REPO_SLUG REPO_UUID REPO_FULL_NAME"
            " REPO_OWNER REPO_OWNER_UUID REPO_IS_PRIVATE BRANCH TAG BOOKMARK PARALLEL_STEP"
            " PARALLEL_STEP_COUNT PR_ID PR_DESTINATION_BRANCH PR_DESTINATION_COMMIT"
            " GIT_HTTP_ORIGIN GIT_SSH_ORIGIN EXIT_CODE STEP_UUID STEP_RUN_NUMBER"
            " STEP_TRIGGERER_UUID STEP_OIDC_TOKEN PIPELINE_UUID PROJECT_KEY PROJECT_UUID"
            " DEPLOYMENT_ENVIRONMENT DEPLOYMENT_ENVIRONMENT_UUID SSH_KEY_FILE DOCKER_HOST_INTERNAL",
        ),
    ),
    Platform(
        "Azure Pipelines",
        "https://learn.microsoft.com/azure/devops/pipelines/build/variables",
        (
            "TF_BUILD",
            *_prefixed(
                "AGENT_",
                "BUILDDIRECTORY CONTAINERMAPPING HOMEDIRECTORY ID JOBNAME JOBSTATUS"
                " MACHINENAME NAME OS OSARCHITECTURE TEMPDIRECTORY TOOLSDIRECTORY WORKFOLDER",
            ),
            *_prefixed(
                "BUILD_",
                "ARTIFACTSTAGINGDIRECTORY BUILDID BUILDNUMBER BUILDURI BINARIESDIRECTORY"
                " CONTAINERID CRONSCHEDULE_DISPLAYNAME DEFINITIONNAME DEFINITIONVERSION"
                " QUEUEDBY QUEUEDBYID REASON REPOSITORY_CLEAN REPOSITORY_LOCALPATH"
                " REPOSITORY_ID REPOSITORY_NAME REPOSITORY_PROVIDER REPOSITORY_TFVC_WORKSPACE"
                " REPOSITORY_URI REQUESTEDFOR REQUESTEDFOREMAIL REQUESTEDFORID SOURCEBRANCH"
                " SOURCEBRANCHNAME SOURCESDIRECTORY SOURCEVERSION SOURCEVERSIONMESSAGE"
                " STAGINGDIRECTORY REPOSITORY_GIT_SUBMODULECHECKOUT SOURCETFVCSHELVESET"
                " TRIGGEREDBY_BUILDID TRIGGEREDBY_DEFINITIONID TRIGGEREDBY_DEFINITIONNAME"
                " TRIGGEREDBY_BUILDNUMBER TRIGGEREDBY_PROJECTID",
            ),
            *_prefixed(
                "SYSTEM_",
                "ACCESSTOKEN COLLECTIONID COLLECTIONURI DEFAULTWORKINGDIRECTORY DEFINITIONID"
                " HOSTTYPE JOBATTEMPT JOBDISPLAYNAME JOBID JOBNAME PHASEATTEMPT"
                " PHASEDISPLAYNAME PHASENAME PLANID PULLREQUEST_ISFORK"
                " PULLREQUEST_PULLREQUESTID PULLREQUEST_PULLREQUESTNUMBER"
                " PULLREQUEST_TARGETBRANCH PULLREQUEST_TARGETBRANCHNAME"
                " PULLREQUEST_SOURCEBRANCH PULLREQUEST_SOURCECOMMITID"
                " PULLREQUEST_SOURCEREPOSITORYURI STAGEATTEMPT STAGEDISPLAYNAME STAGENAME"
                " TEAMFOUNDATIONCOLLECTIONURI TEAMPROJECT TEAMPROJECTID TIMELINEID DEBUG"
                " TEAMFOUNDATIONSERVERURI SERVERTYPE",
            ),
        ),
    ),
    Platform(
        "CircleCI",
        "https://circleci.com/docs/reference/variables/",
        (
            "CIRCLECI",
            *_prefixed(
                "CIRCLE_",
                "BRANCH BUILD_NUM BUILD_URL JOB NODE_INDEX NODE_TOTAL OIDC_TOKEN OIDC_TOKEN_V2"
                " PR_NUMBER PR_REPONAME PR_USERNAME PREVIOUS_BUILD_NUM PROJECT_REPONAME"
                " PROJECT_USERNAME PULL_REQUEST PULL_REQUESTS REPOSITORY_URL SHA1 TAG"
                " USERNAME WORKFLOW_ID WORKFLOW_JOB_ID WORKFLOW_WORKSPACE_ID WORKING_DIRECTORY"
                " PIPELINE_ID COMPARE_URL",
            ),
        ),
    ),
    Platform(
        "Travis CI",
        "https://docs.travis-ci.com/user/environment-variables/#default-environment-variables",
        (
            "TRAVIS",
            "HAS_JOSH_K_SEAL_OF_APPROVAL",
            *_prefixed(
                "TRAVIS_",
                "ALLOW_FAILURE APP_HOST BRANCH BUILD_DIR BUILD_ID BUILD_NUMBER BUILD_WEB_URL"
                " COMMIT COMMIT_MESSAGE COMMIT_RANGE COMPILER CPU_ARCH DEBUG_MODE DIST"
                " EVENT_TYPE JOB_ID JOB_NAME JOB_NUMBER JOB_WEB_URL OS_NAME OSX_IMAGE"
                " PULL_REQUEST PULL_REQUEST_BRANCH PULL_REQUEST_SHA PULL_REQUEST_SLUG"
                " REPO_SLUG SECURE_ENV_VARS SUDO TAG TEST_RESULT",
            ),
        ),
    ),
    Platform(
        "Buildkite",
        "https://buildkite.com/docs/pipelines/configure/environment-variables",
        (
            "BUILDKITE",
            *_prefixed(
                "BUILDKITE_",
                "AGENT_ID AGENT_NAME BRANCH BUILD_AUTHOR BUILD_AUTHOR_EMAIL BUILD_CHECKOUT_PATH"
                " BUILD_CREATOR BUILD_CREATOR_EMAIL BUILD_ID BUILD_NUMBER BUILD_URL COMMAND"
                " COMMIT JOB_ID LABEL MESSAGE ORGANIZATION_SLUG PARALLEL_JOB"
                " PARALLEL_JOB_COUNT PIPELINE_DEFAULT_BRANCH PIPELINE_ID PIPELINE_SLUG"
                " PULL_REQUEST PULL_REQUEST_BASE_BRANCH PULL_REQUEST_REPO REBUILT_FROM_BUILD_ID"
                " REPO RETRY_COUNT SOURCE STEP_ID STEP_KEY TAG TIMEOUT"
                " TRIGGERED_FROM_BUILD_ID TRIGGERED_FROM_BUILD_NUMBER",
            ),
        ),
    ),
    Platform(
        "Jenkins",
        "https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#using-environment-variables",
        (
            "JENKINS_URL",
            "JENKINS_HOME",
            "BUILD_NUMBER",
            "BUILD_ID",
            "BUILD_URL",
            "BUILD_TAG",
            "BUILD_DISPLAY_NAME",
            "JOB_NAME",
            "JOB_BASE_NAME",
            "JOB_URL",
            "EXECUTOR_NUMBER",
            "GIT_COMMIT",
            "GIT_PREVIOUS_COMMIT",
            "GIT_PREVIOUS_SUCCESSFUL_COMMIT",
            "GIT_BRANCH",
            "GIT_LOCAL_BRANCH",
            "GIT_URL",
            "CHANGE_ID",
            "CHANGE_URL",
            "CHANGE_TITLE",
            "CHANGE_AUTHOR",
            "CHANGE_BRANCH",
            "CHANGE_TARGET",
        ),
    ),
    Platform(
        "Vercel",
        "https://vercel.com/docs/environment-variables/system-environment-variables",
        (
            "VERCEL",
            *_prefixed("VERCEL_", _VERCEL_SYSTEM),
            *(
                name
                for prefix in _VERCEL_FRAMEWORK_PREFIXES
                for name in _prefixed(f"{prefix}VERCEL_", _VERCEL_SYSTEM)
            ),
        ),
    ),
    Platform(
        "Netlify",
        "https://docs.netlify.com/build/configure-builds/environment-variables/",
        # its generic names (URL, CONTEXT, BRANCH, HEAD, SITE_NAME...) are also common
        # application settings: not listed
        (
            "NETLIFY",
            "NETLIFY_DEV",
            "NETLIFY_LOCAL",
            "NETLIFY_IMAGES_CDN_DOMAIN",
            "DEPLOY_URL",
            "DEPLOY_PRIME_URL",
            "DEPLOY_ID",
            "COMMIT_REF",
            "CACHED_COMMIT_REF",
            "REVIEW_ID",
            "INCOMING_HOOK_TITLE",
            "INCOMING_HOOK_URL",
            "INCOMING_HOOK_BODY",
        ),
    ),
    Platform(
        "Heroku",
        "https://devcenter.heroku.com/articles/dyno-metadata",
        (
            "DYNO",
            *_prefixed(
                "HEROKU_",
                "APP_ID APP_NAME DYNO_ID RELEASE_CREATED_AT RELEASE_VERSION SLUG_COMMIT"
                " SLUG_DESCRIPTION BRANCH PR_NUMBER TEST_RUN_BRANCH TEST_RUN_COMMIT_VERSION"
                " TEST_RUN_ID",
            ),
        ),
    ),
    Platform(
        "Render",
        "https://render.com/docs/environment-variables#all-runtimes",
        (
            "RENDER",
            "IS_PULL_REQUEST",
            *_prefixed(
                "RENDER_",
                "DISCOVERY_SERVICE EXTERNAL_HOSTNAME EXTERNAL_URL GIT_BRANCH GIT_COMMIT"
                " GIT_REPO_SLUG INSTANCE_ID SERVICE_ID SERVICE_NAME SERVICE_TYPE CPU_COUNT",
            ),
        ),
    ),
    Platform(
        "Fly.io",
        "https://fly.io/docs/machines/runtime-environment/",
        (
            "PRIMARY_REGION",
            *_prefixed(
                "FLY_",
                "APP_NAME MACHINE_ID ALLOC_ID REGION PUBLIC_IP IMAGE_REF MACHINE_VERSION"
                " PRIVATE_IP PROCESS_GROUP VM_MEMORY_MB",
            ),
        ),
    ),
    Platform(
        "Railway",
        "https://docs.railway.com/reference/variables#railway-provided-variables",
        _prefixed(
            "RAILWAY_",
            "PUBLIC_DOMAIN PRIVATE_DOMAIN TCP_PROXY_DOMAIN TCP_PROXY_PORT TCP_APPLICATION_PORT"
            " PROJECT_NAME PROJECT_ID ENVIRONMENT_NAME ENVIRONMENT_ID ENVIRONMENT SERVICE_NAME"
            " SERVICE_ID REPLICA_ID REPLICA_REGION DEPLOYMENT_ID SNAPSHOT_ID VOLUME_NAME"
            " VOLUME_MOUNT_PATH GIT_COMMIT_SHA GIT_AUTHOR GIT_BRANCH GIT_REPO_NAME"
            " GIT_REPO_OWNER GIT_COMMIT_MESSAGE",
        ),
    ),
    Platform(
        "AWS Lambda and ECS",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
        (
            "AWS_LAMBDA_*",
            "AWS_EXECUTION_ENV",
            "LAMBDA_TASK_ROOT",
            "LAMBDA_RUNTIME_DIR",
            "_HANDLER",
            "_X_AMZN_TRACE_ID",
            "ECS_CONTAINER_METADATA_URI",
            "ECS_CONTAINER_METADATA_URI_V4",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ),
    ),
    Platform(
        "Google Cloud Run",
        "https://cloud.google.com/run/docs/container-contract#env-vars",
        (
            "K_SERVICE",
            "K_REVISION",
            "K_CONFIGURATION",
            "CLOUD_RUN_JOB",
            "CLOUD_RUN_EXECUTION",
            "CLOUD_RUN_TASK_INDEX",
            "CLOUD_RUN_TASK_COUNT",
            "CLOUD_RUN_TASK_ATTEMPT",
        ),
    ),
    Platform(
        # the runtime's own settings and those its container images set (C# is read)
        ".NET runtime and ASP.NET Core host",
        "https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-environment-variables",
        (
            "DOTNET_ROOT",
            "DOTNET_RUNNING_IN_CONTAINER",
            "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT",
            "DOTNET_CLI_TELEMETRY_OPTOUT",
            "DOTNET_NOLOGO",
            # https://learn.microsoft.com/en-us/aspnet/core/fundamentals/environments
            "DOTNET_ENVIRONMENT",
            "ASPNETCORE_ENVIRONMENT",
            "ASPNETCORE_URLS",
            "ASPNETCORE_HTTP_PORTS",
            "ASPNETCORE_HTTPS_PORTS",
        ),
    ),
    Platform(
        # a development container's own names: Growstuff's development config reads
        # CODESPACE_NAME to allow the forwarded host. GITHUB_TOKEN and GITHUB_USER, which a
        # codespace also sets, are as often an application's own settings: not listed
        "GitHub Codespaces",
        "https://docs.github.com/codespaces/developing-in-a-codespace/default-environment-variables-for-your-codespace",
        (
            "CODESPACES",
            "CODESPACE_NAME",
            "CODESPACE_VSCODE_FOLDER",
            "GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN",
        ),
    ),
    Platform(
        "Kubernetes",
        "https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables",
        ("KUBERNETES_SERVICE_*", "KUBERNETES_PORT", "KUBERNETES_PORT_*"),
    ),
)


def platform_vars() -> tuple[str, ...]:
    """Every name (or glob) the CI systems and hosts above set themselves."""
    return tuple(name for platform in PLATFORMS for name in platform.names)


def name_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A test for "``name`` is one of ``patterns``" (names or globs): the hundreds of
    plain names go into a set, only the few globs into one regular expression (a regular
    expression of every name took a quarter of a second to compile and was slow to ask)."""
    exact: set[str] = set()
    globs: list[str] = []
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            globs.append(pattern)
        else:
            exact.add(pattern)
    by_glob = matcher(globs)
    return lambda name: name in exact or by_glob(name)
