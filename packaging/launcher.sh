#!/bin/sh
# @APP@ launcher (asterisk-b24 bundle): runs the compiled app with this machine's Node.js.
# Node is taken from $ASTERISK_B24_NODE, else from PATH; lib/@APP@.mjs checks it is >= @NODE_MIN@.
# Works through symlinks (/usr/local/bin/@COMMAND@ → <prefix>/current/bin/@APP@).
self=$(readlink -f "$0")
root=$(dirname "$(dirname "$self")")
node=${ASTERISK_B24_NODE:-node}
if ! command -v "$node" >/dev/null 2>&1; then
  echo "@APP@: Node.js >= @NODE_MIN@ is needed, but \"$node\" was not found (install Node.js or set ASTERISK_B24_NODE=/path/to/node)" >&2
  exit 127
fi
exec "$node" "$root/lib/@APP@.mjs" "$@"
