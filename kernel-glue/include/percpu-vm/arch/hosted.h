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
/* Implemented by the hosted runtime (runtime/arch/hosted; declared again
 * here because its header needs C11, and this one must not). */
unsigned pcpu_hosted_this_cpu(void) __PCPU_ATTR_THIS_CPU;

/* VM mode for a program linked with percpu-hosted.lds
 * (kernel-glue/arch/hosted/percpu_hosted.c): set up the hosted window at
 * PERCPU_HOSTED_BASE for CPUs 0..nr_cpus-1, with the program's own
 * .data.percpu/.bss.percpu as the static area (its loaded copy is taken as
 * the template), fill __per_cpu_offset and hand the runtime to
 * __alloc_percpu().  Returns 0, or a runtime error code with a one-line
 * explanation in err.  Call before any per-CPU access other than CPU 0's;
 * pcpu_hosted_vm_stop() gives the window back. */
struct pcpu_runtime;
int pcpu_hosted_vm_start(unsigned nr_cpus, char *err, size_t err_len);
void pcpu_hosted_vm_stop(void);
struct pcpu_runtime *pcpu_hosted_vm_runtime(void);
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
