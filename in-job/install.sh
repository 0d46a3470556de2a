#!/usr/bin/env bash
# Install gatekeeper for the job's own Python, the in-job action's first step.
#
# gatekeeper goes into a virtual environment made from the job's interpreter (same Python
# version), with its dependencies exactly as locked for the image (requirements/in-job.txt,
# every file checked against its hash). The job's own site-packages are linked in *after*
# gatekeeper's, so gatekeeper runs on its locked versions while the migrations round trip and
# the checks' imports find what the job installed and gatekeeper does not: alembic,
# SQLAlchemy, Django, psycopg, the application itself. Nothing in the job's environment is
# installed, upgraded or removed.
#
# Environment: GK_PYTHON  the job's interpreter (default: python, else python3, on PATH)
#              GK_VENV    where to make the environment (default: $RUNNER_TEMP/gatekeeper)
#              GK_LINK_ONLY=1  only (re)link the job's site-packages into GK_VENV
# Prints the gatekeeper executable's path, and writes it as the step output `gatekeeper`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=${GK_PYTHON:-}
if [ -z "$py" ]; then
  py=$(command -v python || command -v python3 || true)
fi
if [ -z "$py" ] || ! "$py" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "::error title=gatekeeper in-job::needs Python 3.11 or newer in the job (actions/setup-python), found '${py:-none}'" >&2
  exit 2
fi
venv=${GK_VENV:-${RUNNER_TEMP:-/tmp}/gatekeeper}

if [ "${GK_LINK_ONLY:-}" != "1" ]; then
  "$py" -m venv --clear "$venv"
  pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps)
  "${pip[@]}" --require-hashes -r "$here/../requirements/in-job.txt"
  if [ -s "$here/gatekeeper.txt" ]; then
    # a release: the very wheel published to PyPI, pinned by version and hash
    "${pip[@]}" --require-hashes -r "$here/gatekeeper.txt"
  else
    # a branch or a fork of the action: build this checkout with the locked build tools
    "${pip[@]}" --require-hashes -r "$here/../requirements/build.txt"
    "${pip[@]}" --no-build-isolation "$here/.."
  fi
fi

# The job's site-packages, after gatekeeper's own. site.addsitedir also runs the .pth files
# there, so editable installs of the application resolve as they do in the job.
ours=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$py" - "$ours/zz_gatekeeper_job_site.pth" <<'PY'
import sys, sysconfig
paths = sysconfig.get_paths()
found = []
for key in ("purelib", "platlib"):
    if paths[key] not in found:
        found.append(paths[key])
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write("import site; " + "; ".join(f"site.addsitedir({p!r})" for p in found) + "\n")
PY
echo "$venv/bin/gatekeeper"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "gatekeeper=$venv/bin/gatekeeper" >>"$GITHUB_OUTPUT"
fi
