"""Settings read through Airflow's configuration: ``conf.getint("opencve", "max_tasks")``.

Airflow takes each option of its configuration either from ``airflow.cfg`` (``[opencve]``
then ``max_tasks = 10``) or from the variable ``AIRFLOW__OPENCVE__MAX_TASKS``, which wins.
A project running its own code in Airflow keeps its settings in a section of its own and
ships an ``airflow.cfg`` sample listing them; a new option read with no entry there (and
no variable documented) is as undocumented as a new ``os.environ`` read.

The read carries its option as a key, ``section.option`` (lower-case), so the sample's
entry under that section documents it (configdocs.ini_section_keys). Options of the
sections Airflow itself defines (``core``, ``webserver``, ``celery``...) are Airflow's,
documented by Airflow, and are not reads of the project's settings.
"""

from __future__ import annotations

import ast

from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.python_values import Lookup, Param, evaluate, keyword

#: the module whose ``conf`` object reads Airflow's configuration
MODULE = "airflow.configuration"
#: ``conf``'s methods that read one option
GETTERS = frozenset({
    "get", "getint", "getfloat", "getboolean", "getjson", "getlist", "getimport",
    "getenum", "getenumlist", "gettimedelta", "get_mandatory_value", "get_mandatory_list_value",
    "has_option",
})  # fmt: skip
#: the sections of Airflow's own configuration (its config.yml and the providers'): their
#: options are Airflow's settings, documented by Airflow
AIRFLOW_SECTIONS = frozenset({
    "core", "database", "logging", "metrics", "traces", "secrets", "cli", "debug", "api",
    "api_auth", "lineage", "operators", "webserver", "email", "smtp", "sentry", "scheduler",
    "triggerer", "kerberos", "sensors", "celery", "celery_broker_transport_options",
    "celery_kubernetes_executor", "local_kubernetes_executor", "dask", "elasticsearch",
    "elasticsearch_configs", "opensearch", "opensearch_configs", "kubernetes",
    "kubernetes_executor", "kubernetes_environment_variables", "kubernetes_secrets", "fab",
    "imap", "hive", "ldap", "github_enterprise", "atlas", "openlineage", "aws",
    "aws_lambda_executor", "aws_ecs_executor", "aws_batch_executor", "azure_remote_logging",
    "dag_processor", "workers", "execution_api", "usage_data_collection", "common.io",
    "smtp_provider", "admin", "mesos", "hive_metastore", "cosmos", "standard",
})  # fmt: skip


def airflow_read(call: ast.Call, method: str, lookup: Lookup) -> EnvRead | None:
    """The read of ``conf.<method>(section, option)``; None when the call reads no option
    of the project's own (another method, one of Airflow's sections, a helper's parameter).
    A section or option computed at run time otherwise is a dynamic read."""
    if method not in GETTERS:
        return None
    args: list[ast.AST] = list(call.args[:2])
    for name in ("section", "key")[len(args) :]:
        found = keyword(call, name)
        if found is None:
            break
        args.append(found)
    how = f"airflow conf.{method}()"
    values = [evaluate(a, lookup) for a in args]
    if any(isinstance(v, Param) for v in values):
        return None  # a helper's parameter: its callers' options are not followed
    if len(values) != 2 or not all(isinstance(v, tuple) and len(v) == 1 for v in values):
        return EnvRead("", call.lineno, how)
    section, option = (str(v[0]).lower() for v in values if isinstance(v, tuple))
    if section in AIRFLOW_SECTIONS or not section or not option:
        return None
    name = f"AIRFLOW__{section.upper()}__{option.upper()}".replace(".", "_")
    return EnvRead(name, call.lineno, how, keys=(f"{section}.{option}",))
