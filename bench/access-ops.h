/* bench/access-ops.h: the operations bench-access measures (defined in
 * access-ops.c, called by access-main.c), with the calling convention of
 * the kernel the build stands for: regparm(3) on i386, as i386 kernels are
 * built; on x86-64 the ABI's own (arguments in registers already), so
 * BENCH_CC is empty there (GCC would warn that regparm is ignored). */
#ifndef BENCH_ACCESS_OPS_H
#define BENCH_ACCESS_OPS_H

#ifdef __i386__
# define BENCH_CC __attribute__((regparm(3)))
#else
# define BENCH_CC
#endif

BENCH_CC unsigned long sum_all(void);
BENCH_CC unsigned long sum_all_unrolled(void);
BENCH_CC unsigned long read_remote(unsigned int cpu);
BENCH_CC void add_remote(unsigned int cpu, unsigned long v);
BENCH_CC void add_this(unsigned long v);
/* Empty functions of each shape: the call overhead subtracted. */
BENCH_CC unsigned long empty0(void);
BENCH_CC void empty1(unsigned long v);
BENCH_CC unsigned long empty1r(unsigned int cpu);
BENCH_CC void empty2(unsigned int cpu, unsigned long v);

#endif /* BENCH_ACCESS_OPS_H */
