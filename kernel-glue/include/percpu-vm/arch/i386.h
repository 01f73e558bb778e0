/* percpu-vm/arch/i386.h: the i386 arch part (included by percpu.h; do not
 * include directly).
 *
 * Each CPU runs with a %fs data segment whose base is __per_cpu_offset[cpu]
 * (kernel-glue/arch/i386/percpu_cpu.c builds the descriptor).  In VM mode
 * that is cpu << PERCPU_SHIFT, so `%fs:var` is exactly CPU n's copy of
 * `var`; in classic mode it is area_n - __per_cpu_start, with the same
 * effect.  this_cpu_*() therefore compile to single %fs-prefixed
 * instructions for 1-, 2- and 4-byte objects, which are atomic with respect
 * to interrupts on the local CPU, so they need no preemption or interrupt
 * disabling (the point of this_cpu ops).
 *
 * 8-byte objects: i386 has no 8-byte integer move, so they go through
 * cmpxchg8b on %fs:var, still one instruction per attempt and so atomic with
 * respect to local interrupts (a read then a cmpxchg8b retried until no
 * interrupt changed the value in between).  The instructions themselves are
 * shared with x86-64 (arch/x86-segment-ops.h); this file supplies %fs and
 * the 8-byte cases.
 */
#ifndef PERCPU_VM_ARCH_I386_H
#define PERCPU_VM_ARCH_I386_H

#define __ARCH_HAS_VM_PERCPU 1

/* C90 has no long long; __extension__ keeps -Wpedantic quiet in gnu89. */
__extension__ typedef unsigned long long __pcpu_u64;

#ifdef __cplusplus
extern "C" {
#endif

/* Set CPU `cpu`'s pcpu_cpu_number and pcpu_this_cpu_off (call after
 * __per_cpu_offset is filled, before the CPU uses this_cpu_*). */
void pcpu_i386_init_cpu(unsigned int cpu);
/* The GDT descriptor for CPU `cpu`'s %fs: a flat 4 GiB read/write ring-0
 * data segment with base __per_cpu_offset[cpu]. */
__pcpu_u64 pcpu_i386_fs_descriptor(unsigned int cpu);

/* Never defined: a this_cpu op on an object of another size fails to link
 * (or, with optimisation, to compile). */
extern void __pcpu_i386_bad_size(void)
	__attribute__((error("this_cpu_*() on i386 takes a 1, 2, 4 or 8 byte object")));

#ifdef __cplusplus
}
#endif

/* Load %fs with a selector whose descriptor came from
 * pcpu_i386_fs_descriptor(). */
#define pcpu_i386_load_fs(selector) \
	__asm__ __volatile__("movw %w0, %%fs" : : "r"((unsigned int)(selector)) : "memory")

/* cmpxchg8b %fs:var: if the 8 bytes equal `expect`, store `desired`.
 * Yields the value found (== expect on success). */
#define __pcpu_i386_cx8(var, expect, desired)                          \
	(__extension__({                                               \
		__pcpu_u64 __pcpu_seen = (expect);                     \
		__pcpu_u64 __pcpu_want = (desired);                    \
		__asm__ __volatile__("cmpxchg8b %%fs:%0"                \
			: "+m"(var), "+A"(__pcpu_seen)                 \
			: "b"((unsigned int)__pcpu_want),              \
			  "c"((unsigned int)(__pcpu_want >> 32))       \
			: "cc");                                       \
		__pcpu_seen;                                           \
	}))

/* The 8-byte update: new = new_from_old (an expression of __pcpu_old),
 * retried with cmpxchg8b until no local interrupt changed the value between
 * the read and the store.  Yields the old value. */
#define __pcpu_i386_update8(var, new_from_old)                         \
	(__extension__({                                               \
		__pcpu_u64 __pcpu_old = __pcpu_i386_cx8(var, 0, 0);    \
		__pcpu_u64 __pcpu_cur;                                 \
		for (;;) {                                             \
			__pcpu_cur = __pcpu_i386_cx8(var, __pcpu_old,  \
						     (new_from_old));  \
			if (__pcpu_cur == __pcpu_old)                  \
				break;                                 \
			__pcpu_old = __pcpu_cur;                       \
		}                                                      \
		__pcpu_old;                                            \
	}))

/* The 8-byte cases of x86-segment-ops.h: a read is one cmpxchg8b (compare
 * with an arbitrary value: it either "stores" the same value or loads the
 * current one); write/add/inc/dec are the update8 loop; cmpxchg is one
 * cmpxchg8b. */
#define __PCPU_SEG "%%fs:"
#define __PCPU_X86_BAD_SIZE() __pcpu_i386_bad_size()
#define __PCPU_X86_READ8(var, out) ((out) = __pcpu_i386_cx8(var, 0, 0))
#define __PCPU_X86_OP8(op, var, outc, val, new_from_old) \
	((void)__pcpu_i386_update8(var, new_from_old))
#define __PCPU_X86_INCDEC8(op, var, new_from_old) \
	((void)__pcpu_i386_update8(var, new_from_old))
#define __PCPU_X86_XADD8(var, inout, addend) \
	((inout) = __pcpu_i386_update8(var, __pcpu_old + (addend)))
#define __PCPU_X86_CMPXCHG8(var, o, n) ((o) = __pcpu_i386_cx8(var, o, n))
/* xchg: a failed cmpxchg8b loads the value, so the first try (against 0)
 * reads and the next one stores unless an interrupt came between. */
#define __PCPU_X86_XCHG8(var, o, n)                                    \
	__asm__ __volatile__("1:\tcmpxchg8b %%fs:%0\n\tjnz 1b"          \
		: "+m"(var), "=A"(o)                                   \
		: "1"(o), "b"((unsigned int)(n)),                      \
		  "c"((unsigned int)((n) >> 32))                       \
		: "cc")

#include <percpu-vm/arch/x86-segment-ops.h>

#endif /* PERCPU_VM_ARCH_I386_H */
