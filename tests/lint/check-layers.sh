#!/bin/sh
# Layering (DESIGN.md §3): gateway -> {web, pint}; web and pint never
# include each other nor gateway/. Third-party headers stay behind their
# layer: osip in pint/, libmicrohttpd and curl in web/, sqlite in
# gateway/store*.c.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 99
status=0

check() {   # dir pattern message
	hits=$(find "$1" -name '*.[ch]' 2>/dev/null | sort | xargs -r grep -nE "$2")
	if [ -n "$hits" ]; then
		printf '%s\n%s\n' "$3" "$hits"
		status=1
	fi
}

check pint '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(web|gateway)/' \
	'pint/ must not include web/ or gateway/:'
check web '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(pint|gateway)/' \
	'web/ must not include pint/ or gateway/:'
check pint '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(microhttpd|curl/|sqlite3|jansson)' \
	'pint/ must not include HTTP, JSON or store libraries:'
check web '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(osip|sqlite3)' \
	'web/ must not include SIP or store libraries:'
check gateway '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(microhttpd|curl/)' \
	'gateway/ reaches HTTP only through web/:'

for f in $(find pint web gateway -name '*.[ch]' 2>/dev/null | sort); do
	case $f in
	gateway/store.c|gateway/store_*.c) ;;
	*) if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<sqlite3' "$f"; then
		echo "$f: sqlite3.h belongs to gateway/store*.c only"
		status=1
	   fi ;;
	esac
done

[ $status -eq 0 ] && echo "layers: ok"
exit $status
