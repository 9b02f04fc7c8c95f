#!/usr/bin/env bash
# Writes requirements/*.txt from requirements/*.in: the same pinned versions, each with the
# sha256 of every file PyPI holds for it, so `make setup` can install with --require-hashes
# (a changed or substituted file then fails the install instead of running).
#
# Run after changing a version in a .in file. Uses uv's `pip compile --no-deps`, which keeps
# exactly the versions given and resolves nothing; uv is taken from PATH, or a pinned release
# is installed into a throwaway virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
uv=$(command -v uv || true)
if [[ -z "$uv" ]]; then
    tools=$(mktemp -d)
    trap 'rm -rf "$tools"' EXIT
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --disable-pip-version-check -q "uv==$UV_VERSION"
    uv="$tools/bin/uv"
fi

compile() {  # compile PYTHON_VERSION NAME
    "$uv" pip compile --quiet --no-deps --generate-hashes --no-annotate \
        --custom-compile-command "scripts/hash-locks.sh" \
        --python-version "$1" \
        "requirements/$2.in" -o "requirements/$2.txt"
}

compile 3.11 lock
compile 3.10 lock-py310
# Rasa declares Python <3.11; its files are the same for 3.10 and 3.11 (pure-Python wheels).
compile 3.10 rasa
echo "Wrote requirements/lock.txt, lock-py310.txt and rasa.txt with hashes."
