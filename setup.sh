#!/bin/sh
# The README's set-up: uv 0.13.9, then the locked environment (.venv/) from uv.lock.
#
# Uses the uv on the PATH if it is 0.13.9. Otherwise it installs uv into .uv/venv, a virtual environment
# of its own made with `python3 -m venv`: a pip install into the system Python itself is refused where
# that Python is "externally managed" (PEP 668: Debian 12, Ubuntu 23.04 and later, Homebrew). .uv/bin
# then holds only uv and uvx, so it can go on the PATH without hiding any other python3 or pip.
# Run it again at any time: it reinstalls nothing that is already right.
set -eu
cd "$(dirname "$0")"

UV_VERSION=0.13.9

is_pinned_uv() { # is_pinned_uv COMMAND: true when COMMAND is uv $UV_VERSION ("uv 0.13.9 (...)")
    version=$("$1" --version 2>/dev/null) || return 1
    version=${version#uv }
    [ "${version%% *}" = "$UV_VERSION" ]
}

if command -v uv >/dev/null 2>&1 && is_pinned_uv uv; then
    uv=uv
elif [ -x .uv/bin/uv ] && is_pinned_uv .uv/bin/uv; then
    uv=.uv/bin/uv
else
    echo "setup.sh: installing uv $UV_VERSION into .uv/ (python3 -m venv, then pip)"
    if ! python3 -m venv --clear .uv/venv; then
        echo "setup.sh: python3 -m venv failed. On Debian or Ubuntu: sudo apt install python3-venv" >&2
        exit 1
    fi
    .uv/venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    mkdir -p .uv/bin
    ln -sf ../venv/bin/uv .uv/bin/uv
    ln -sf ../venv/bin/uvx .uv/bin/uvx
    uv=.uv/bin/uv
fi

"$uv" sync --frozen

if [ "$uv" = .uv/bin/uv ] && [ "$(command -v uv 2>/dev/null)" != "$PWD/.uv/bin/uv" ]; then
    echo "setup.sh: done. uv is in .uv/bin; to run it as \`uv\` in this shell:"
    echo "    export PATH=\"$PWD/.uv/bin:\$PATH\""
fi
