#!/usr/bin/env bash
# Makes sure Redis, PostgreSQL and MariaDB answer on 127.0.0.1 (the integration tests need them).
# Starts a stopped service with the machine's own command; never installs or reconfigures one.
# A service that still does not answer is reported; the tests that need it then FAIL (CI=true).
set -uo pipefail

wait_for() { # name, check command
  for _ in $(seq 1 30); do eval "$2" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "ensure-services: $1 is not answering" >&2; return 1
}

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1
    wait_for redis "redis-cli -h 127.0.0.1 ping"
  else
    echo "ensure-services: redis-server is not installed (apt-get install redis-server)" >&2
  fi
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1
  wait_for postgresql "pg_isready -h 127.0.0.1"
fi

if command -v mariadb >/dev/null 2>&1 && ! mariadb -uroot -h127.0.0.1 -e 'select 1' >/dev/null 2>&1; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1
  wait_for mariadb "mariadb -uroot -h127.0.0.1 -e 'select 1'"
fi
exit 0
