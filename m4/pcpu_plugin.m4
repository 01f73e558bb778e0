# PCPU_PLUGIN_GCC_CHECK(PREFIX, GCC)
# Finds the plugin headers of GCC and a C++ compiler of the same version to
# build a plugin for it.  Sets PREFIX_GCC, PREFIX_CXX, PREFIX_INCDIR,
# PREFIX_VERSION (e.g. 12).  GCC refuses plugins built for another version,
# so each GCC gets its own build.
AC_DEFUN([PCPU_PLUGIN_GCC_CHECK], [
  AC_MSG_CHECKING([plugin headers of $2])
  $1_GCC=$2
  $1_INCDIR="`$2 -print-file-name=plugin 2>/dev/null`/include"
  AS_IF([test -f "$$1_INCDIR/gcc-plugin.h"], [AC_MSG_RESULT([$$1_INCDIR])], [
    AC_MSG_RESULT([no])
    pcpu_v=`$2 -dumpversion 2>/dev/null | cut -d. -f1`
    AC_MSG_ERROR([no GCC plugin headers for $2: install the Debian package gcc-${pcpu_v:-12}-plugin-dev])])
  $1_VERSION=`$2 -dumpversion | cut -d. -f1`
  $1_CXX=
  AS_CASE([$2], [*gcc-[[0-9]]*], [AC_PATH_PROG([$1_CXX], [`basename $2 | $SED 's/gcc/g++/'`])])
  AS_IF([test -z "$$1_CXX"], [
    pcpu_cxxv=`$CXX -dumpversion 2>/dev/null | cut -d. -f1`
    AS_IF([test "x$pcpu_cxxv" = "x$$1_VERSION"], [$1_CXX=$CXX],
      [AC_MSG_ERROR([no g++ of version $$1_VERSION to build the plugin for $2: install g++-$$1_VERSION])])])
  AC_SUBST([$1_GCC])
  AC_SUBST([$1_CXX])
  AC_SUBST([$1_INCDIR])
  AC_SUBST([$1_VERSION])
])
