"""Where the env-vars check finds documentation at head, beyond the default places.

The default places (``.env.example``, README and docs folders, compose files and the env
files they load) are read whole by :func:`documentation`. Markdown elsewhere, deployment
descriptors, config samples, YAML templates and INI files are searched only for the names
still undocumented (:func:`markdown_elsewhere`, :func:`deployments`, :func:`config_samples`):
one search at head each, then only the files naming one, outside tests and fixtures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gatekeeper.changes.globs import match_any
from gatekeeper.checks.envvars import configdocs, deploydocs
from gatekeeper.checks.envvars.docmarkdown import parse_markdown
from gatekeeper.checks.envvars.docs import (
    COMPOSE_FILES,
    DEFAULT_DOCS,
    ENV_CONFIG_FILES,
    MARKDOWN_FILES,
    MAX_MARKDOWN,
    NAMED_ENV_FILES,
    Documentation,
    compose_env_files,
    named_env_templates,
    parse_compose_comments,
    parse_doc,
    parse_env_config,
    parse_env_file,
    parse_families,
)
from gatekeeper.checks.envvars.model import FAMILY_MARK
from gatekeeper.checks.envvars.sides import MAX_SEARCHED, TEST_FILES
from gatekeeper.checks.interface import CheckContext


def documentation(ctx: CheckContext) -> Documentation:
    doc = Documentation()
    globs = tuple(ctx.config.get("docs", DEFAULT_DOCS))
    # the default places' globs reach into test folders and fixtures (``**/README.md``,
    # ``**/.env.example``): what a test sets up there is no reader's documentation
    skip = (*ctx.config.get("tests", TEST_FILES), *configdocs.NOT_SAMPLES[:3])
    texts = []
    for path in ctx.changes.head_paths(globs):
        if globs == DEFAULT_DOCS and match_any(path, skip):
            continue
        text = ctx.changes.text_at_head(path)
        if text is not None:
            parse_doc(path, text, doc)
            texts.append(text)
    # a root ``deploy.env`` the docs tell readers to copy is the example env file
    for path in named_env_templates(ctx.changes.head_paths(NAMED_ENV_FILES), texts):
        parse_env_file(path, ctx.changes.text_at_head(path) or "", doc, judged=False)
    # the env files a compose file loads list what the development stack sets: they
    # document names, but are no examples (their values are not judged here)
    for path in ctx.changes.head_paths(ENV_CONFIG_FILES):
        parse_env_config(path, ctx.changes.text_at_head(path) or "", doc)
    for compose in ctx.changes.head_paths(COMPOSE_FILES):
        compose_text = ctx.changes.text_at_head(compose) or ""
        parse_compose_comments(compose, compose_text, doc)
        for path in compose_env_files(compose, compose_text):
            text = ctx.changes.text_at_head(path)
            if text is not None:
                listed = Documentation()
                parse_env_file(path, text, listed)
                for name, (where, line) in listed.names.items():
                    doc.add(name, where, line)
    return doc


def markdown_elsewhere(ctx: CheckContext, doc: Documentation, names: list[str]) -> None:
    """Add the names of ``names`` that Markdown outside the default documentation places
    documents (a feature's README-like notes beside its code: ``utils/oauth/login.md``):
    one search at head for the names, then only the files naming one, outside tests,
    fixtures, vendored code and ``.github`` (templates). Read as documentation is read
    (code spans, tables, fenced assignments), so a name in prose only counts no more
    than it does in a README; a code comment or a test never counts. Skipped when the
    configuration names its own ``docs`` places: then those are the documentation."""
    wanted = sorted({n for n in names if not doc.find(n)})[:MAX_SEARCHED]
    if not wanted or tuple(ctx.config.get("docs", DEFAULT_DOCS)) != DEFAULT_DOCS:
        return
    # a family of names (``APP_*_URL``) is searched for by its literal start
    searched = sorted({n.partition(FAMILY_MARK)[0] for n in wanted})
    for path, text in _head_files_naming(ctx, searched, MARKDOWN_FILES, MAX_MARKDOWN):
        read = Documentation()
        parse_markdown(path, text, read)
        parse_families(path, text, read)
        for name in wanted:
            if where := read.find(name):
                doc.add(name, *where)


def deployments(
    ctx: CheckContext, doc: Documentation, names: list[str], app_reads: set[str]
) -> None:
    """Add the names of ``names`` that a deployment descriptor the project ships sets
    (deploydocs.py: compose files, fly.toml, render.yaml, Kubernetes manifests, Helm
    charts): one search at head, outside tests, fixtures, vendored code, ``.github``
    and ``.devcontainer``; only with the default ``docs``, as for Markdown elsewhere.
    A compose entry that passes the host's variable on documents only the names of
    ``app_reads``, the names read outside compose files."""
    wanted = sorted({n for n in names if FAMILY_MARK not in n and not doc.find(n)})
    if not wanted or tuple(ctx.config.get("docs", DEFAULT_DOCS)) != DEFAULT_DOCS:
        return
    charts = deploydocs.chart_folders(ctx.changes.head_paths(("**/Chart.yaml",)))
    # the folders external documentation is checked out into are not the project's own
    # deployment: what the pull request commits there is read as its change (check.py)
    external = [f"{str(f).strip('/')}/**" for f in ctx.config.get("external_docs", ())]
    found = _head_files_naming(
        ctx,
        wanted[:MAX_SEARCHED],
        deploydocs.SEARCHED,
        deploydocs.MAX_FILES,
        skip=(*deploydocs.NOT_DEPLOYMENTS, *external),
    )
    for path, text in found:
        for name, line, how in deploydocs.set_names(path, text, charts):
            if how == deploydocs.PASSED_ON and name not in app_reads:
                continue  # a compose file's own ${NAME} is not documented by itself
            if name in wanted and not doc.find(name):
                doc.add(name, path, line)
                ctx.add_details(f"env-vars: {name} is set by {how} ({path}:{line}).")


def config_samples(ctx: CheckContext, doc: Documentation, keys: set[str]) -> None:
    """Add the keys the config samples at head document (configdocs.py), then those of
    ``keys`` YAML templates name: asked only when a candidate variable stands for a
    configuration key."""
    tests = tuple(ctx.config.get("tests", TEST_FILES))
    skip = (*tests, *configdocs.NOT_SAMPLES)
    paths = configdocs.sample_paths(
        ctx.changes.head_paths(configdocs.SAMPLE_FILES), lambda p: match_any(p, skip)
    )
    read = []
    for path in paths:
        ctx.check_time()
        text = ctx.changes.text_at_head(path)
        if text is not None and configdocs.parse_sample(path, text, doc):
            read.append(path)
    if read:
        ctx.add_details(
            f"env-vars: configuration keys read from the config sample"
            f"{'s' if len(read) != 1 else ''} {', '.join(read)}."
        )
    _yaml_templates(ctx, doc, keys)
    _ini_files(ctx, doc, keys)


def _yaml_templates(ctx: CheckContext, doc: Documentation, keys: set[str]) -> None:
    """Add the undotted keys still undocumented that a YAML file at head names,
    commented out or set (configdocs.yaml_template_keys): one search at head for the
    keys, then only the files naming one, outside tests and the folders that hold no
    samples (a dotted viper key is a sample's nesting, read by config_samples)."""
    wanted = {k.lower() for k in keys if "." not in k and not doc.find_key(k)}
    yaml = ("*.yml", "*.yaml")
    for path, text in _head_files_naming(ctx, wanted, yaml, configdocs.MAX_TEMPLATES):
        configdocs.yaml_template_keys(path, text, wanted, doc)


def _ini_files(ctx: CheckContext, doc: Documentation, keys: set[str]) -> None:
    """Add the undotted keys still undocumented that an INI-style config file at head
    sets (configdocs.ini_keys), and the dotted ``section.option`` keys one sets under
    that section (configdocs.ini_section_keys: Airflow's options), found as
    _yaml_templates finds YAML files. At head, as
    every documentation place is read: a key added to the file by the change that
    reads it is documented, as a variable added to ``.env.example`` is."""
    wanted = {k.lower() for k in keys if not doc.find_key(k)}
    options = {k.rsplit(".", 1)[-1] for k in wanted}  # what a file of either kind names
    found = _head_files_naming(ctx, options, configdocs.INI_FILES, configdocs.MAX_TEMPLATES)
    for path, text in found:
        configdocs.ini_keys(path, text, {k for k in wanted if "." not in k}, doc)
        configdocs.ini_section_keys(path, text, {k for k in wanted if "." in k}, doc)


def _shallow(path: str) -> tuple[int, str]:
    return path.count("/"), path


def _head_files_naming(
    ctx: CheckContext,
    names: Iterable[str],
    globs: tuple[str, ...],
    limit: int,
    skip: tuple[str, ...] = (),
) -> Iterator[tuple[str, str]]:
    """The files at head matching ``globs`` that name one of ``names`` (one search), outside
    tests and the folders that hold no documentation, shallowest first, at most ``limit``,
    each with its text."""
    wanted = list(names)
    found = ctx.changes.head_files_containing(wanted, globs) if wanted else None
    skip = (*ctx.config.get("tests", TEST_FILES), *configdocs.NOT_SAMPLES, *skip)
    paths = sorted((p for p in found or () if not match_any(p, skip)), key=_shallow)
    for path in paths[:limit]:
        ctx.check_time()
        text = ctx.changes.text_at_head(path)
        if text is not None:
            yield path, text
