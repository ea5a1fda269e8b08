# Shared set-up for bin/demo and bin/test: sourced, not run on its own.
# Installs the locked Python dependencies into .venv (uv lives in .tools) and,
# when run as root on Debian, the system libraries WeasyPrint and the tests need.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UV_VERSION=0.13.8

python_ok() {
    # $1 can make a virtual environment (Debian splits that into python3-venv) and is at least version $2.
    "$1" -c "import sys, ensurepip; sys.exit(sys.version_info < ($2,))" 2>/dev/null
}

find_python() {
    # The first usable Python at least $1 (e.g. "3, 12").
    local candidate
    for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
        "$HOME"/.pyenv/versions/3.14*/bin/python3 "$HOME"/.pyenv/versions/3.13*/bin/python3 \
        "$HOME"/.pyenv/versions/3.12*/bin/python3; do
        [ -n "$candidate" ] || continue
        if python_ok "$candidate" "$1"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

apt_install() {
    # Installs the Debian packages that are missing, when we are root and apt exists.
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "Please install these system packages first: ${missing[*]}" >&2
        exit 1
    fi
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# WeasyPrint draws PDFs with Pango; DejaVu gives it a font to embed.
apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

if ! PYTHON_BIN=$(find_python "3, 12"); then
    # A brand-new Debian: its python3 may lack venv support, or be missing altogether.
    apt_install python3 python3-venv
fi
MANAGED_PYTHON=""
if ! PYTHON_BIN=$(find_python "3, 12"); then
    # An older Python (Debian 12 has 3.11, Ubuntu 22.04 has 3.10): it can still install uv,
    # and uv installs a Python 3.12+ of its own for the project, where downloads are possible.
    PYTHON_BIN=$(find_python "3, 8") || {
        echo "Restride needs Python 3.12 or newer with venv: install it, or set PYTHON=/path/to/python3.12" >&2
        exit 1
    }
    MANAGED_PYTHON=yes
fi
if [ ! -x .tools/bin/uv ] || [ "$(.tools/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$PYTHON_BIN" -m venv --clear .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PROJECT_ENVIRONMENT=.venv
if [ -z "$MANAGED_PYTHON" ]; then
    export UV_PYTHON="$PYTHON_BIN" UV_PYTHON_DOWNLOADS=never
else
    export UV_PYTHON_DOWNLOADS=automatic
    if ! UV_PYTHON=$(.tools/bin/uv python find --quiet ">=3.12" 2>/dev/null); then
        echo "$("$PYTHON_BIN" -V) is older than Restride needs (3.12): asking uv to install a Python 3.12+ for it."
        if ! .tools/bin/uv python install 3.13 || ! UV_PYTHON=$(.tools/bin/uv python find --quiet ">=3.12"); then
            cat >&2 <<'ADVICE'
Restride needs Python 3.12 or newer, and uv could not download one here. Either
  - allow downloads from https://github.com/astral-sh/python-build-standalone and run this again, or
  - install Python 3.12+ with its venv module and run again with PYTHON=/path/to/python3.12:
      Debian 12:     it packages no Python 3.12; build one with pyenv (https://github.com/pyenv/pyenv)
                     or move to Debian 13, whose python3 is 3.13
      Ubuntu 22.04:  add-apt-repository ppa:deadsnakes/ppa && apt install python3.12 python3.12-venv
ADVICE
            exit 1
        fi
    fi
    export UV_PYTHON
fi
