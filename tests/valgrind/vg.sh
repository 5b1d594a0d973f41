#!/bin/sh
# tests/valgrind/vg.sh BINARY [ARGS]: BINARY under valgrind's memcheck,
# one log per process in VG_LOGS (vg.PID.log). A clean process leaves an
# empty log: no invalid access, no uninitialised value used, no definite
# or indirect leak at exit.
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect \
	--log-file="${VG_LOGS:?}/vg.%p.log" "$@"
