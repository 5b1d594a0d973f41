#!/bin/sh
# The browser test (make check-browser): starts `pintgw --demo` on an
# ephemeral port, waits for its "demo: http://…" line, and drives the demo
# page and the click-to-call widget in headless Chromium
# (browser.test.mjs). Needs node, npm (for playwright-core, installed once
# into node_modules here with npm ci) and Chromium (CHROMIUM, default
# /usr/bin/chromium). PINTGW names the binary (default ./pintgw).
# Screenshots go to artifacts/ here.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pintgw=${PINTGW:-./pintgw}
chromium=${CHROMIUM:-/usr/bin/chromium}

case $pintgw in
/*) ;;
*) pintgw=$(pwd)/$pintgw ;;
esac
if [ ! -x "$pintgw" ]; then
	echo "browser: no pintgw binary at $pintgw (set PINTGW)" >&2
	exit 1
fi
for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "browser: $tool is missing (scripts/setup.sh installs it)" >&2
		exit 1
	fi
done
if [ ! -x "$chromium" ]; then
	echo "browser: no Chromium at $chromium (set CHROMIUM; scripts/setup.sh installs it)" >&2
	exit 1
fi
export CHROMIUM="$chromium"

if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
	echo "browser: installing playwright-core (npm ci)"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pintgw-browser.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pintgw runs in a scratch directory: whatever demo mode writes stays there.
: >"$work/stdout"
(cd "$work" && exec "$pintgw" --demo --listen 127.0.0.1:0) >"$work/stdout" 2>"$work/stderr" &
pid=$!

url=""
tries=0
while [ $tries -lt 100 ]; do
	url=$(sed -n 's,^demo: \(http://[^ ]*\).*,\1,p' "$work/stdout" | head -n 1)
	[ -n "$url" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		break
	fi
	sleep 0.1
	tries=$((tries + 1))
done
if [ -z "$url" ]; then
	echo "browser: pintgw --demo printed no 'demo: http://…' line within 10 s" >&2
	sed 's/^/pintgw: /' "$work/stdout" "$work/stderr" >&2
	exit 1
fi
echo "# pintgw --demo at $url"

status=0
ARTIFACTS="$here/artifacts" node "$here/browser.test.mjs" "$url" || status=$?
if [ $status -ne 0 ]; then
	echo "# pintgw's log (last 40 lines):"
	tail -n 40 "$work/stderr" | sed 's/^/# /'
fi
exit $status
