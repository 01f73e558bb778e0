/* percpu-vm/arch/hosted.h: the arch part for user-space programs on the
 * hosted runtime (x86-64; included by percpu.h, do not include directly).
 *
 * A user-space program has no CPUs of its own: the hosted runtime keeps a
 * "current CPU" per thread, which a test sets with pcpu_hosted_set_cpu(n)
 * (runtime/include/percpu-vm/hosted.h).  VM mode works here because the
 * hosted runtime reserves the window at PERCPU_HOSTED_BASE and the hosted
 * link (ldscripts/percpu-hosted.lds) puts CPU 0's copy there.
 *
 * this_cpu_*() are plain C on this_cpu_ptr(): each thread is its simulated
 * CPU, so nothing else runs on "this CPU" in between.
 */
#ifndef PERCPU_VM_ARCH_HOSTED_H
#define PERCPU_VM_ARCH_HOSTED_H

#define __ARCH_HAS_VM_PERCPU 1

#ifdef __cplusplus
extern "C" {
#endif
/* Implemented by the hosted runtime (runtime/arch/hosted). */
unsigned pcpu_hosted_this_cpu(void);
#ifdef __cplusplus
}
#endif

#ifndef smp_processor_id
# define smp_processor_id() pcpu_hosted_this_cpu()
#endif

#define __pcpu_this_cpu_ptr(ptr) per_cpu_ptr(ptr, pcpu_hosted_this_cpu())

#define __pcpu_this_cpu_read(var)                                      \
	(__extension__({                                               \
		__typeof__(var) __pcpu_r = *__pcpu_this_cpu_ptr(&(var)); \
		__pcpu_r;                                              \
	}))
#define __pcpu_this_cpu_write(var, val) \
	do { *__pcpu_this_cpu_ptr(&(var)) = (val); } while (0)
#define __pcpu_this_cpu_add(var, val) \
	do { *__pcpu_this_cpu_ptr(&(var)) += (val); } while (0)
#define __pcpu_this_cpu_inc(var) __pcpu_this_cpu_add(var, 1)
#define __pcpu_this_cpu_dec(var) \
	do { *__pcpu_this_cpu_ptr(&(var)) -= 1; } while (0)

#endif /* PERCPU_VM_ARCH_HOSTED_H */
