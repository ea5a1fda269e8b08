# Shared set-up for bin/demo and bin/test: sourced, not run on its own.
# Installs the locked Python dependencies into .venv (uv lives in .tools) and,
# when run as root on Debian, the system libraries WeasyPrint and the tests need.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UV_VERSION=0.13.8

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3 \
        "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
        [ -n "$candidate" ] || continue
        # It must be 3.12+ and able to make a virtual environment (Debian splits that into python3-venv).
        if "$candidate" -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
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

if ! PYTHON_BIN=$(find_python); then
    # A brand-new Debian: its python3 may lack venv support, or be missing altogether.
    apt_install python3 python3-venv
    PYTHON_BIN=$(find_python) || {
        echo "Restride needs Python 3.12 or newer with venv: install it, or set PYTHON=/path/to/python3.12" >&2
        exit 1
    }
fi
if [ ! -x .tools/bin/uv ] || [ "$(.tools/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$PYTHON_BIN" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PROJECT_ENVIRONMENT=.venv UV_PYTHON="$PYTHON_BIN" UV_PYTHON_DOWNLOADS=never
