/* percpu-vm/arch/hosted.h: the arch part for user-space programs on the
 * hosted runtime (x86-64; included by percpu.h, do not include directly).
 *
 * A user-space program has no CPUs of its own: the hosted runtime keeps a
 * "current CPU" per thread, which a test sets with pcpu_hosted_set_cpu(n)
 * (runtime/include/percpu-vm/hosted.h).  VM mode works here because the
 * hosted runtime reserves the window at PERCPU_HOSTED_BASE and the hosted
 * link (ldscripts/percpu-hosted.lds) puts CPU 0's copy there.
 *
 * this_cpu_*() are plain C on this_cpu_ptr() (arch/c-ops.h): each thread is
 * its simulated CPU, so nothing else runs on "this CPU" in between.
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

/* Every tier is the C one: nothing else runs on a thread's CPU. */
#include <percpu-vm/arch/c-ops.h>
#define __pcpu_this_cpu_read        __pcpu_c_read
#define __pcpu_this_cpu_write       __pcpu_c_write
#define __pcpu_this_cpu_add         __pcpu_c_add
#define __pcpu_this_cpu_sub         __pcpu_c_sub
#define __pcpu_this_cpu_inc         __pcpu_c_inc
#define __pcpu_this_cpu_dec         __pcpu_c_dec
#define __pcpu_this_cpu_and         __pcpu_c_and
#define __pcpu_this_cpu_or          __pcpu_c_or
#define __pcpu_this_cpu_xchg        __pcpu_c_xchg
#define __pcpu_this_cpu_cmpxchg     __pcpu_c_cmpxchg
#define __pcpu_this_cpu_add_return  __pcpu_c_add_return

#endif /* PERCPU_VM_ARCH_HOSTED_H */
