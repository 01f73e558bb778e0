# tests/hosted/run-expected.sh: sourced (after tests/test-env.sh) by the
# tests that run the hosted run program (tests/hosted/run-*.c).  It
# simulates 4 CPUs, or every configured CPU when there are fewer; sets
# HOSTED_RUN_EXPECTED to the output it must print for that count.
case $PERCPU_NR_CPUS in
1) HOSTED_RUN_EXPECTED=$top_srcdir/tests/hosted/run-1cpu.expected ;;
2|3) HOSTED_RUN_EXPECTED=$top_srcdir/tests/hosted/run-${PERCPU_NR_CPUS}cpus.expected ;;
*) HOSTED_RUN_EXPECTED=$top_srcdir/tests/hosted/run.expected ;;
esac
