#!/usr/bin/env bash
# asterisk-b24 — install, update or roll back one app from its unpacked bundle (docs/install.md).
#
#   ./install.sh [--prefix DIR] [--system] [--no-systemd] [--skip-node-check]    install, or update in place
#   ./install.sh [--prefix DIR] --rollback                                        back to the previous release
#   ./install.sh [--prefix DIR] --print-unit                                      the systemd unit it installs
#
# Layout under the prefix (default /opt/asterisk-b24/<app>):
#   releases/<version>/   one folder per release (this bundle's files)
#   current  -> releases/<version>   switched atomically (a new symlink renamed over the old one)
#   previous -> releases/<version>   the release before the current one; --rollback swaps the two
#   etc/      configuration (<app>.json, optional <app>.env)   never written by an update
#   var/      data and licence                                never written by an update
#   backups/  copies of the kept files (bundle.env KEEP) taken before each update; the last 5 stay
#
# A system install (root, no --prefix; or --system) also: points etc -> /etc/asterisk-b24 and
# var -> /var/lib/asterisk-b24/<app> (first install), creates the service user asterisk-b24, links
# the commands into /usr/local/bin, and — when systemd runs and --no-systemd is not given — installs, enables
# and (on updates / rollbacks) restarts asterisk-b24-<app>.service. With --prefix nothing outside the
# prefix is touched, so installs can be tried and tested as any user.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=/dev/null
. "$here/bundle.env" # APP VERSION LINKS DESCRIPTION SERVICE KEEP NODE_MIN

die() { echo "install.sh ($APP): $*" >&2; exit 1; }
say() { echo "$APP: $*"; }

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}

prefix=""
rollback=0
print_unit=0
system=""
systemd_wanted=1
node_check=1
user=asterisk-b24
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --rollback) rollback=1; shift ;;
    --print-unit) print_unit=1; shift ;;
    --system) system=1; shift ;;
    --no-systemd) systemd_wanted=0; shift ;;
    --skip-node-check) node_check=0; shift ;;
    --user) [ $# -ge 2 ] || die "--user needs a name"; user=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option \"$1\" (see --help)" ;;
  esac
done
[ "${ASTERISK_B24_NO_SYSTEMD:-}" = "1" ] && systemd_wanted=0

# Node.js on this machine (the bundle carries everything else), checked before anything is written.
if [ "$rollback" = 0 ] && [ "$print_unit" = 0 ] && [ "$node_check" = 1 ]; then
  node_bin=${ASTERISK_B24_NODE:-node}
  command -v "$node_bin" >/dev/null 2>&1 || die "Node.js >= $NODE_MIN is needed and \"$node_bin\" is not on PATH (or use --skip-node-check)"
  node_version=$("$node_bin" -p 'process.versions.node')
  if ! "$node_bin" -e '
    const [a, b] = process.argv[1].split(".").map(Number), [x, y] = process.versions.node.split(".").map(Number);
    process.exit(x > a || (x === a && y >= b) ? 0 : 1);' "$NODE_MIN"; then
    die "Node.js >= $NODE_MIN is needed, this machine has $node_version"
  fi
fi

if [ -z "$system" ]; then
  if [ "$(id -u)" = 0 ] && [ -z "$prefix" ]; then system=1; else system=0; fi
fi
if [ -z "$prefix" ]; then
  # Run from an installed release (<prefix>/releases/<v>/install.sh): work on that prefix.
  if [ "$(basename "$(dirname "$here")")" = releases ]; then
    prefix=$(dirname "$(dirname "$here")")
  else
    prefix=/opt/asterisk-b24/$APP
  fi
fi
if [ "$rollback" = 1 ] || [ "$print_unit" = 1 ]; then
  [ -d "$prefix" ] || die "nothing is installed in $prefix"
else
  mkdir -p "$prefix"
fi
prefix=$(cd "$prefix" && pwd)
[ "$system" = 1 ] && [ "$(id -u)" != 0 ] && die "--system needs root"

use_systemd=0
if [ "$system" = 1 ] && [ -n "$SERVICE" ] && [ "$systemd_wanted" = 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  use_systemd=1
fi
unit_name="asterisk-b24-$APP.service"

render_unit() { # the unit template with this install's paths and user
  local etc_real var_real
  etc_real=$(readlink -f "$prefix/etc")
  var_real=$(readlink -f "$prefix/var")
  sed -e "s#@PREFIX@#$prefix#g" -e "s#@CONFIG@#$etc_real#g" -e "s#@DATA@#$var_real#g" -e "s#@USER@#$user#g" \
    "$here/packaging/$APP.service"
}

if [ "$print_unit" = 1 ]; then
  [ -n "$SERVICE" ] || die "$APP has no service"
  [ -e "$prefix/etc" ] && [ -e "$prefix/var" ] || die "not installed in $prefix yet"
  render_unit
  exit 0
fi

# One install at a time per prefix.
mkdir -p "$prefix/releases"
lock="$prefix/.install.lock"
mkdir "$lock" 2>/dev/null || die "another install is running on $prefix (or one crashed: remove $lock)"
trap 'rm -rf "$lock"' EXIT

link_target() { # prints the release version a symlink points at, or nothing
  if [ -L "$prefix/$1" ]; then basename "$(readlink "$prefix/$1")"; fi
}
switch_link() { # name, version — atomic: a new symlink renamed over the old one
  ln -sfn "releases/$2" "$prefix/.$1.new"
  mv -Tf "$prefix/.$1.new" "$prefix/$1"
}
restart_service() {
  if [ "$use_systemd" = 1 ] && systemctl is-active --quiet "$unit_name"; then
    say "restarting $unit_name"
    systemctl restart "$unit_name"
  fi
}

if [ "$rollback" = 1 ]; then
  cur=$(link_target current)
  prev=$(link_target previous)
  [ -n "$prev" ] && [ -d "$prefix/releases/$prev" ] || die "no previous release to roll back to in $prefix"
  switch_link current "$prev"
  if [ -n "$cur" ] && [ -d "$prefix/releases/$cur" ]; then switch_link previous "$cur"; fi
  say "rolled back from ${cur:-?} to $prev in $prefix (configuration and data unchanged)"
  restart_service
  exit 0
fi

# Service user (system installs of services only).
if [ "$system" = 1 ] && [ -n "$SERVICE" ] && ! id -u "$user" >/dev/null 2>&1; then
  say "creating system user $user"
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
  else
    adduser -S -D -H -h /nonexistent -s /sbin/nologin "$user"
  fi
fi

# Configuration and data folders: created once, never written by an update.
if [ ! -e "$prefix/etc" ]; then
  if [ "$system" = 1 ]; then
    mkdir -p /etc/asterisk-b24 && ln -s /etc/asterisk-b24 "$prefix/etc"
  else
    mkdir -p "$prefix/etc"
  fi
fi
if [ ! -e "$prefix/var" ]; then
  if [ "$system" = 1 ]; then
    mkdir -p "/var/lib/asterisk-b24/$APP" && ln -s "/var/lib/asterisk-b24/$APP" "$prefix/var"
  else
    mkdir -p "$prefix/var"
  fi
  if [ "$system" = 1 ] && [ -n "$SERVICE" ]; then
    chown "$user:$user" "$prefix/var/" && chmod 0750 "$prefix/var/"
  fi
fi
config="$prefix/etc/$APP.json"
if [ -f "$here/config.example.json" ] && [ ! -e "$config" ]; then
  cp "$here/config.example.json" "$config"
  if [ "$system" = 1 ] && [ -n "$SERVICE" ]; then
    chown "root:$user" "$config" && chmod 0640 "$config"
  else
    chmod 0600 "$config"
  fi
  say "wrote $config from the example: edit it before starting"
fi

old=$(link_target current)

# Copies of the kept files before switching release (cheap insurance; restore by hand if needed).
if [ -n "$old" ] && [ "$old" != "$VERSION" ] && [ -n "$KEEP" ]; then
  backup="$prefix/backups/$old-$(date -u +%Y%m%dT%H%M%SZ)"
  for item in $KEEP; do
    src="$prefix/${item%/}"
    [ -e "$src" ] || continue
    mkdir -p "$backup/$(dirname "${item%/}")"
    if [ -d "$src" ]; then
      mkdir -p "$backup/${item%/}" && cp -a "$src/." "$backup/${item%/}/"
    else
      cp -a "$src" "$backup/${item%/}"
    fi
  done
  if [ -d "$backup" ]; then say "kept files copied to $backup"; fi
  # shellcheck disable=SC2012
  ls -1dt "$prefix"/backups/*/ 2>/dev/null | tail -n +6 | while read -r stale; do rm -rf "$stale"; done
fi

# The release folder: copied next to the others, then moved into place.
staging="$prefix/releases/.staging-$VERSION-$$"
rm -rf "$staging"
mkdir -p "$staging"
cp -a "$here/." "$staging/"
if [ -d "$prefix/releases/$VERSION" ]; then
  # Re-installing the same version: swap the folder (the `current` link keeps its name).
  mv "$prefix/releases/$VERSION" "$prefix/releases/.replaced-$VERSION-$$"
  mv "$staging" "$prefix/releases/$VERSION"
  rm -rf "$prefix/releases/.replaced-$VERSION-$$"
else
  mv "$staging" "$prefix/releases/$VERSION"
fi

switch_link current "$VERSION"
if [ -n "$old" ] && [ "$old" != "$VERSION" ] && [ -d "$prefix/releases/$old" ]; then
  switch_link previous "$old"
fi

# Only the current and the previous release stay.
keep_prev=$(link_target previous)
for dir in "$prefix"/releases/* "$prefix"/releases/.staging-* "$prefix"/releases/.replaced-*; do
  [ -e "$dir" ] || continue
  name=$(basename "$dir")
  [ "$name" = "$VERSION" ] && continue
  [ -n "$keep_prev" ] && [ "$name" = "$keep_prev" ] && continue
  rm -rf "$dir"
done

if [ "$system" = 1 ]; then
  mkdir -p /usr/local/bin
  for link in $LINKS; do # bin:command
    ln -sfn "$prefix/current/bin/${link%%:*}" "/usr/local/bin/${link#*:}"
  done
fi

if [ "$use_systemd" = 1 ]; then
  render_unit >"/etc/systemd/system/$unit_name.new"
  mv -f "/etc/systemd/system/$unit_name.new" "/etc/systemd/system/$unit_name"
  systemctl daemon-reload
  systemctl enable --quiet "$unit_name"
  if [ -n "$old" ]; then
    restart_service
  else
    say "installed $unit_name (enabled, not started): edit $config, then: systemctl start $unit_name"
  fi
elif [ "$system" = 1 ] && [ -n "$SERVICE" ]; then
  say "systemd not used here; the unit file is $prefix/current/packaging/$APP.service"
fi

if [ -n "$old" ] && [ "$old" != "$VERSION" ]; then
  say "updated $old -> $VERSION in $prefix (roll back: $prefix/current/install.sh --rollback)"
else
  say "installed $VERSION in $prefix"
fi
