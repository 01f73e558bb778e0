/* percpu-vm/arch/x86_64.h: the x86-64 kernel arch part (included by
 * percpu.h when PERCPU_ARCH_X86_64 is defined or the compiler targets the
 * kernel code model; do not include directly).
 *
 * Each CPU runs with a GS base of __per_cpu_offset[cpu]: in VM mode
 * cpu << PERCPU_SHIFT, so `%gs:var` is exactly CPU n's copy of `var`; in
 * classic mode area_n - __per_cpu_start, with the same effect.  Long mode
 * ignores segment bases except those of %fs and %gs, which come from MSRs
 * (IA32_GS_BASE) rather than descriptors: kernel-glue/arch/x86_64/
 * percpu_cpu.c sets it with wrmsr, or with wrgsbase where the kernel has
 * enabled CR4.FSGSBASE.  A kernel that returns to user mode keeps this
 * value in GS while it runs and swaps it with IA32_KERNEL_GS_BASE (swapgs)
 * on entry and exit, as Linux does.
 *
 * this_cpu_*() are single %gs-prefixed instructions for 1-, 2-, 4- and
 * 8-byte objects (arch/x86-segment-ops.h; x86-64 has 8-byte integer
 * instructions, so no cmpxchg loop is needed), atomic with respect to
 * interrupts on the local CPU.  In the kernel code model (-mcmodel=kernel)
 * a per-CPU variable's address is a sign-extended 32-bit displacement, or
 * RIP-relative: `%gs:var(%rip)` is GS base + &var as well, so either
 * encoding reaches this CPU's copy.  The window must therefore lie in the
 * top 2 GiB with the image (ldscripts/kernel-x86_64.lds, configure
 * --with-percpu-base-x86-64).
 */
#ifndef PERCPU_VM_ARCH_X86_64_H
#define PERCPU_VM_ARCH_X86_64_H

#define __ARCH_HAS_VM_PERCPU 1

typedef unsigned long __pcpu_u64;

#ifdef __cplusplus
extern "C" {
#endif

/* Set CPU `cpu`'s pcpu_cpu_number and pcpu_this_cpu_off (call after
 * __per_cpu_offset is filled, before the CPU uses this_cpu_*). */
void pcpu_x86_64_init_cpu(unsigned int cpu);
/* CPU `cpu`'s GS base: __per_cpu_offset[cpu] (VM mode: cpu << shift). */
unsigned long pcpu_x86_64_gs_base(unsigned int cpu);
/* Run on CPU `cpu` itself, after pcpu_x86_64_init_cpu(cpu): make its GS
 * base pcpu_x86_64_gs_base(cpu), with wrmsr to IA32_GS_BASE (any x86-64
 * CPU, ring 0) or with wrgsbase (needs CR4.FSGSBASE set; the kernel checks
 * CPUID.7.0:EBX[0] and sets it first). */
void pcpu_x86_64_set_gs_base_msr(unsigned int cpu);
void pcpu_x86_64_set_gs_base_fsgsbase(unsigned int cpu);

/* Never defined: a this_cpu op on an object of another size fails to link
 * (or, with optimisation, to compile). */
extern void __pcpu_x86_64_bad_size(void)
	__attribute__((error("this_cpu_*() on x86-64 takes a 1, 2, 4 or 8 byte object")));

#ifdef __cplusplus
}
#endif

/* The MSR holding the active GS base. */
#define PCPU_X86_64_MSR_GS_BASE 0xc0000101u

/* The 8-byte cases of x86-segment-ops.h: the same single instructions with
 * the q suffix.  An immediate must fit a sign-extended 32 bits ("e"). */
#define __PCPU_SEG "%%gs:"
#define __PCPU_X86_BAD_SIZE() __pcpu_x86_64_bad_size()
#define __PCPU_X86_READ8(var, out) \
	__asm__ __volatile__("movq " __PCPU_SEG "%1, %0" : "=r"(out) : "m"(var))
#define __PCPU_X86_OP8(op, var, outc, val, new_from_old) \
	__asm__ __volatile__(op "q %1, " __PCPU_SEG "%0" : outc(var) : "er"(val) : "cc")
#define __PCPU_X86_INCDEC8(op, var, new_from_old) \
	__asm__ __volatile__(op "q " __PCPU_SEG "%0" : "+m"(var) : : "cc")
#define __PCPU_X86_XADD8(var, inout, addend) \
	__asm__ __volatile__("xaddq %0, " __PCPU_SEG "%1" : "+r"(inout), "+m"(var) : : "cc")
#define __PCPU_X86_CMPXCHG8(var, o, n) \
	__asm__ __volatile__("cmpxchgq %2, " __PCPU_SEG "%1" : "+a"(o), "+m"(var) : "r"(n) : "cc")
#define __PCPU_X86_XCHG8(var, o, n) \
	__asm__ __volatile__(__pcpu_x86_xchg_loop("q") : "=&a"(o), "+m"(var) : "r"(n) : "cc")

#include <percpu-vm/arch/x86-segment-ops.h>

#endif /* PERCPU_VM_ARCH_X86_64_H */
