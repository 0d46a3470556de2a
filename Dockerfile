# The gatekeeper GitHub Action: `gatekeeper action` in a small Python image.
# Each layer is commented with why it is there; keep the image small and the layers few.

# Slim Debian with the Python gatekeeper is tested on; no compilers needed (all wheels).
FROM python:3.11-slim-bookworm

# Keep pip quiet and small, and Python from writing .pyc files into layers at run time.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# git: the gate reads base and head from the repository's history.
# postgresql: a server for the migrations check's round trip (initdb/pg_ctl on PATH below).
# One layer, no recommends, apt lists removed: they are most of the image otherwise.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git postgresql \
    && rm -rf /var/lib/apt/lists/*
ENV PATH="/usr/lib/postgresql/15/bin:${PATH}"

# The workspace is mounted from the runner and owned by another uid; without this git
# refuses to read it ("dubious ownership"). No USER: the runner's mounts expect root.
RUN git config --system --add safe.directory '*'

# Only what the package build needs, so a change to tests or docs keeps this layer cached.
COPY pyproject.toml README.md /opt/gatekeeper/
COPY src /opt/gatekeeper/src

# gatekeeper with every check's optional tools; the source copy is dropped afterwards.
RUN pip install "/opt/gatekeeper[all]" \
    && rm -rf /opt/gatekeeper

# The action runs in the mounted workspace; inputs arrive as INPUT_* variables.
WORKDIR /github/workspace
ENTRYPOINT ["gatekeeper", "action"]
