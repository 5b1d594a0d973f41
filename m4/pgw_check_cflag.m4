# PGW_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Whether $CC compiles and links an empty program with FLAG and -Werror.
AC_DEFUN([PGW_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([pgw_var], [pgw_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [pgw_var], [
    pgw_save_CFLAGS=$CFLAGS
    pgw_save_LDFLAGS=$LDFLAGS
    CFLAGS="$CFLAGS $1 -Werror"
    LDFLAGS="$LDFLAGS $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
                   [AS_VAR_SET([pgw_var], [yes])], [AS_VAR_SET([pgw_var], [no])])
    CFLAGS=$pgw_save_CFLAGS
    LDFLAGS=$pgw_save_LDFLAGS])
  AS_VAR_IF([pgw_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([pgw_var])])
