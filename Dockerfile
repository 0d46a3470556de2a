# The gatekeeper GitHub Action: `gatekeeper action` in a small Python image.
# Each layer is commented with why it is there; keep the image small and the layers few.
# Released images are built by .github/workflows/release.yml and used by digest; CI builds
# this file and runs tests/container against it (docs/releasing.md).

# Slim Debian 13 (trixie) with Python 3.13, pinned by digest so a rebuild starts from the same
# files. 3.13, not the package's 3.11 minimum: bandit parses a repository with the image's
# Python, and 3.11 cannot read PEP 695 generics or PEP 701 f-strings (security fails closed).
# The digest is the multi-platform index of python:3.13.15-slim-trixie (Debian 13.6) as
# publicly recorded on 2026-09-08, copied from that record because no image registry is
# reachable where it was set: confirm it with `docker buildx imagetools inspect
# python:3.13-slim-trixie` at the next release (docs/releasing.md). Machines that cannot
# pull it pass --build-arg BASE_IMAGE=<a local image> (.ci/standin-base).
ARG BASE_IMAGE=python:3.13-slim-trixie@sha256:9d2e5553305c7c7b0097999bb17187c69b921ccd6bc9d40e4bb5ebe652c00285

# --- stage 1: gatekeeper's wheel, built with the locked build tools (requirements/build.txt).
FROM ${BASE_IMAGE} AS wheel

# Quiet, cache-free pip in both stages.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The build tools, each file checked against its hash.
COPY requirements/build.txt /tmp/build.txt
RUN pip install --require-hashes --no-deps -r /tmp/build.txt

# Only what the package build needs, so a change to tests or docs keeps these layers cached.
COPY pyproject.toml README.md /opt/gatekeeper/
COPY src /opt/gatekeeper/src
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /dist /opt/gatekeeper

# --- stage 2: the action's image.
FROM ${BASE_IMAGE}

# Keep pip quiet and small, and Python from writing .pyc files into layers at run time.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# apt must never stop to ask; an ARG, so it does not linger in the action's environment.
ARG DEBIAN_FRONTEND=noninteractive

# git: the gate reads base and head from the repository's history.
# postgresql: a server for the migrations check's round trip (initdb/pg_ctl on PATH below);
# the round trip makes its own throwaway cluster, so the package's default one (39 MB and a
# config in /etc) is never created.
# dpkg leaves out what no check uses: PostgreSQL's JIT (LLVM and Z3, 150 MB; without its
# provider the server simply runs without JIT), translations, manuals and docs (copyrights kept).
# trixie's PostgreSQL is 17: the build fails if a new base brings another major, whose bin/
# the PATH below would miss. One layer, no recommends, apt lists and archives removed: they
# are most of the image otherwise.
RUN printf 'path-exclude=%s\n' '/usr/lib/*/libLLVM*' '/usr/lib/*/libz3.so*' \
        '/usr/lib/postgresql/*/lib/llvmjit*' '/usr/lib/postgresql/*/lib/bitcode/*' \
        '/usr/share/locale/*' '/usr/share/man/*' '/usr/share/doc/*' \
        > /etc/dpkg/dpkg.cfg.d/gatekeeper-slim \
    && echo 'path-include=/usr/share/doc/*/copyright' >> /etc/dpkg/dpkg.cfg.d/gatekeeper-slim \
    && mkdir -p /etc/postgresql-common/createcluster.d \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/gatekeeper.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends git postgresql \
    && test -x /usr/lib/postgresql/17/bin/initdb \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
ENV PATH="/usr/lib/postgresql/17/bin:${PATH}"

# The workspace is mounted from the runner and owned by another uid; without this git
# refuses to read it ("dubious ownership"). No USER: the runner's mounts expect root.
RUN git config --system --add safe.directory '*'

# gatekeeper's dependencies exactly as locked (requirements/image.txt: every file checked
# against its hash), then the wheel from stage 1 without resolving anything; pip check
# fails the build if the lock and the wheel's requirements ever disagree.
COPY requirements/image.txt /tmp/image.txt
COPY --from=wheel /dist /tmp/dist
RUN pip install --require-hashes --no-deps -r /tmp/image.txt \
    && pip install --no-deps /tmp/dist/*.whl \
    && pip check \
    && rm -rf /tmp/image.txt /tmp/dist /root/.cache

# The action runs in the mounted workspace; inputs arrive as INPUT_* variables.
WORKDIR /github/workspace
ENTRYPOINT ["gatekeeper", "action"]
