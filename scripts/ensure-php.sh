#!/usr/bin/env bash
# Makes sure php-cli (with pdo_mysql) is on this machine: the Itgrix-style PHP hooks
# (apps/connector/src/hooks/php/) and their tests need it; the MariaDB hook example uses PDO.
# Installs Debian's php-cli / php-mysql only when missing; runs `apt-get update` only when the
# first install attempt fails (a stale or empty package list). Every apt call is time-bounded.
# Exits non-zero when php is still missing, so CI stops here instead of failing later.
set -uo pipefail

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
if ! command -v php >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qi '^pdo_mysql$'; then
  missing+=(php-mysql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

# DPkg::Lock::Timeout: parallel test workers (and other ensure-*.sh) may hold the dpkg lock.
install() { timeout 900 $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }

if ! install; then
  timeout 300 $SUDO apt-get -o DPkg::Lock::Timeout=120 update >/dev/null 2>&1 || true
  install || true
fi

if command -v php >/dev/null 2>&1; then
  php -m 2>/dev/null | grep -qi '^pdo_mysql$' || echo "ensure-php: pdo_mysql is missing (apt-get install -y php-mysql)" >&2
  echo "ensure-php: php $(php -r 'echo PHP_VERSION;') ready" >&2
  exit 0
fi
echo "ensure-php: php-cli could not be installed (apt-get install -y php-cli)" >&2
exit 1
