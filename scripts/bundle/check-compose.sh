#!/usr/bin/env bash
# Checks docker/compose.yaml with `docker-compose config` (Debian's docker-compose package: the docker
# CLI here has no compose plugin and there is no engine, so the file is validated, not run).
# Installs docker-compose when missing (apt-get update only if the first install fails).
# Exits non-zero when the file is invalid or docker-compose cannot be installed.
set -uo pipefail
cd "$(dirname "$0")/../.."

if ! command -v docker-compose >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  # Other installs may hold the dpkg lock (parallel CI steps): wait for it instead of failing.
  install() { timeout 600 $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends docker-compose >/dev/null 2>&1; }
  if ! install; then
    timeout 300 $SUDO apt-get -o DPkg::Lock::Timeout=120 update >/dev/null 2>&1 || true
    install || true
  fi
fi
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: docker-compose is not installed and could not be installed (apt-get install -y docker-compose)" >&2
  exit 3
fi

# Values the file interpolates, so the check does not depend on the caller's environment.
export ASTERISK_B24_VERSION="${ASTERISK_B24_VERSION:-0.1.0}"
if ! out=$(timeout 120 docker-compose -f docker/compose.yaml config 2>&1); then
  echo "check-compose: docker/compose.yaml is not valid:" >&2
  echo "$out" >&2
  exit 1
fi
services=$(timeout 60 docker-compose -f docker/compose.yaml config --services | tr '\n' ' ')
echo "check-compose: docker/compose.yaml is valid ($(docker-compose version --short 2>/dev/null || echo docker-compose)); services: ${services% }"
