#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: it installs the
# nngrade wheel that sits beside this script, with its dependencies, into a virtual
# environment of its own, /autograder/nngrade-venv, which run_autograder uses.
set -euo pipefail
cd "$(dirname "$0")"
VENV=/autograder/nngrade-venv

newest_python() {
    # nngrade needs Python 3.11 or newer.
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

apt_install() {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

PYTHON=$(newest_python || true)
if [ -z "$PYTHON" ]; then
    # Ubuntu 22.04, Gradescope's default image, has Python 3.10 and packages 3.11.
    apt_install python3.11 python3.11-venv
    PYTHON=python3.11
fi
if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian and Ubuntu ship venv's pip separately.
    apt_install "$(basename "$PYTHON")-venv"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet ./nngrade-*.whl
"$VENV/bin/python" -I -m grader.cli --version
