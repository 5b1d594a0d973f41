#!/bin/sh
# Style lint (STYLE.md rule 20 and hygiene): banned functions, trailing
# white space, tabs-for-indent in C, no commented-out #if 0.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 99
status=0

csrc=$(find pint web gateway tests bench -name '*.[ch]' 2>/dev/null | sort)

banned='(^|[^A-Za-z0-9_.>])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|strdup|strndup|alloca)[[:space:]]*\('
hits=$(printf '%s\n' $csrc | xargs -r grep -nE "$banned")
if [ -n "$hits" ]; then
	printf 'banned function (use a bounded, checked equivalent):\n%s\n' "$hits"
	status=1
fi

hits=$(printf '%s\n' $csrc | xargs -r grep -nE '^[[:space:]]*#[[:space:]]*if[[:space:]]+0\b')
if [ -n "$hits" ]; then
	printf 'no #if 0 blocks:\n%s\n' "$hits"
	status=1
fi

text=$(find . -path ./.git -prune -o -path ./build-aux -prune -o \
	-path ./autom4te.cache -prune -o -path ./tests/fuzz/corpus -prune -o \
	-path ./tests/data -prune -o -path ./fuzz-work -prune -o \
	-path ./tests/browser/node_modules -prune -o -type f \
	\( -name '*.[ch]' -o -name '*.sh' -o -name '*.md' -o -name '*.am' \
	   -o -name '*.ac' -o -name '*.m4' -o -name '*.conf' -o -name '*.xml' \
	   -o -name '*.js' -o -name '*.html' -o -name '*.css' -o -name '*.yaml' \
	   -o -name run \) -print | sort)
hits=$(printf '%s\n' $text | xargs -r grep -nE '[[:space:]]+$')
if [ -n "$hits" ]; then
	printf 'trailing white space:\n%s\n' "$hits"
	status=1
fi

[ $status -eq 0 ] && echo "style: ok"
exit $status
