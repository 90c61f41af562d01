#!/usr/bin/env bash
# Makes sure ffmpeg is on this machine: the recording stage converts wav → mp3 with it
# (apps/connector/src/recordings/convert.ts) and its tests need it. Installs Debian's ffmpeg
# only when `ffmpeg` is missing; runs `apt-get update` only when the first install attempt
# fails (a stale or empty package list). Exits non-zero when ffmpeg is still missing, so CI
# stops here instead of failing later.
set -uo pipefail

if command -v ffmpeg >/dev/null 2>&1; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# Other installs may hold the dpkg lock (parallel CI steps): wait for it instead of failing.
install() { timeout 900 $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends ffmpeg >/dev/null 2>&1; }

if ! install; then
  timeout 300 $SUDO apt-get -o DPkg::Lock::Timeout=120 update >/dev/null 2>&1 || true
  install || true
fi

if command -v ffmpeg >/dev/null 2>&1; then
  echo "ensure-ffmpeg: $(ffmpeg -version 2>/dev/null | head -1) installed" >&2
  exit 0
fi
echo "ensure-ffmpeg: ffmpeg could not be installed (apt-get install -y ffmpeg)" >&2
exit 1
