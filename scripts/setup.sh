#!/bin/sh
# Set up a Debian 12 machine (as root) to build, test and run pintgw:
# install the Debian packages that are missing, generate the build system
# and configure it. Arguments are passed on to ./configure.
#
#   ./scripts/setup.sh && make -j2 check
#
# Quiet and quick when everything is already there.
set -eu
cd "$(dirname "$0")/.."

packages="gcc make autoconf automake pkg-config
	libosip2-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev
	libcmocka-dev libsqlite3-dev libssl-dev libexpat1-dev libinih-dev
	sip-tester curl jq perl clang libclang-rt-14-dev valgrind
	chromium chromium-driver"
# make check-browser runs node and npm too; one installed another way
# (NodeSource's nodejs brings its own npm) is kept as it is.
command -v node >/dev/null 2>&1 || packages="$packages nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing Debian packages:$missing" >&2
		echo "setup: run this script as root (or install them with apt-get)" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x configure ] || [ ! -f Makefile.in ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null
fi
./configure --quiet "$@"
