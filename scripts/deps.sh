#!/bin/sh
# Installs the Debian packages Byline needs to build, run and test.
# Runs as root or through sudo; does nothing when everything is present.
set -eu

PKGS="build-essential meson ninja-build pkg-config
libmicrohttpd-dev libsqlite3-dev libsodium-dev libcmark-gfm-dev
libcmark-gfm-extensions-dev libjansson-dev libvips-dev zlib1g-dev
libbrotli-dev libcriterion-dev chromium fonts-dejavu-core libpq-dev
postgresql nginx-light
sqlite3 curl python3 default-jre-headless clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# Node.js and npm run the browser tests; accept any installed copy.
if ! command -v node >/dev/null 2>&1; then
	missing="$missing nodejs"
fi
if ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi

if [ -z "$missing" ]; then
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
echo "deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
