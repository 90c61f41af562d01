#!/usr/bin/env bash
# Makes sure a Chromium for the browser tests exists at /usr/bin/chromium (used through playwright-core
# with executablePath; playwright's own browser downloads are never used).
# Installs the Debian package `chromium` with apt-get when it is missing: one `apt-get update`, then
# `apt-get install -y chromium`. No other downloads. Needs root (or sudo without a password).
set -uo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: $CHROMIUM is missing and this user cannot install packages (not root, no sudo)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "ensure-chromium: installing the Debian package chromium" >&2
$SUDO apt-get update >/dev/null || { echo "ensure-chromium: apt-get update failed" >&2; exit 1; }
$SUDO apt-get install -y chromium >/dev/null || {
  echo "ensure-chromium: apt-get install chromium failed" >&2; exit 1; }

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium was installed but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $($CHROMIUM --version 2>/dev/null || echo chromium installed)" >&2
exit 0
