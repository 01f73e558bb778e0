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
 * respect to local interrupts: a read is one cmpxchg8b (compare with an
 * arbitrary value: it either "stores" the same value or loads the current
 * one); write/add/inc/dec are a read then a cmpxchg8b retried until no
 * interrupt changed the value in between.  None of the this_cpu ops use a
 * lock prefix: like Linux's, they are atomic against the local CPU only,
 * not against another CPU writing this CPU's copy through per_cpu().
 *
 * Only integer (and, for read/write, pointer) objects of 1, 2, 4 or 8
 * bytes are allowed; anything else is a compile-time error.  this_cpu_add
 * on an 8-byte floating-point object is not supported (it adds the bit
 * patterns).
 */
#ifndef PERCPU_VM_ARCH_I386_H
#define PERCPU_VM_ARCH_I386_H

#define __ARCH_HAS_VM_PERCPU 1

/* C90 has no long long; __extension__ keeps -Wpedantic quiet in gnu89. */
__extension__ typedef unsigned long long __pcpu_u64;

#ifdef __cplusplus
extern "C" {
#endif

/* This CPU's number and offset, as per-CPU variables, so smp_processor_id()
 * and this_cpu_ptr() are each one %fs load.  Defined and filled in by
 * kernel-glue/arch/i386/percpu_cpu.c (pcpu_i386_init_cpu). */
extern __PCPU_ATTRS unsigned int pcpu_cpu_number;
extern __PCPU_ATTRS unsigned long pcpu_this_cpu_off;

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

#ifndef smp_processor_id
# define smp_processor_id() this_cpu_read(pcpu_cpu_number)
#endif

#define __pcpu_this_cpu_ptr(ptr) \
	((__typeof__(ptr))((unsigned long)(ptr) + __pcpu_this_cpu_read(pcpu_this_cpu_off)))

/* A value of var's type seen as the raw bytes each instruction size moves.
 * Every case of the size switches below assembles for any object (the
 * register operands have the size the mnemonic wants), so code built at
 * -O0, where the dead cases are still emitted, is valid too. */
#define __pcpu_i386_bits(var)                                          \
	union {                                                        \
		__typeof__(var) v;                                     \
		unsigned char b;                                       \
		unsigned short w;                                      \
		unsigned int l;                                        \
		__pcpu_u64 q;                                  \
	}

/* cmpxchg8b %fs:var: if the 8 bytes equal `expect`, store `desired`.
 * Yields the value found (== expect on success). */
#define __pcpu_i386_cx8(var, expect, desired)                          \
	(__extension__({                                               \
		__pcpu_u64 __pcpu_seen = (expect);             \
		__pcpu_u64 __pcpu_want = (desired);            \
		__asm__ __volatile__("cmpxchg8b %%fs:%0"                \
			: "+m"(var), "+A"(__pcpu_seen)                 \
			: "b"((unsigned int)__pcpu_want),              \
			  "c"((unsigned int)(__pcpu_want >> 32))       \
			: "cc");                                       \
		__pcpu_seen;                                           \
	}))

/* new = old + add (or = add when `keep_old` is 0), retried until no local
 * interrupt changed the value between the read and the cmpxchg8b. */
#define __pcpu_i386_update8(var, keep_old, add)                        \
	do {                                                           \
		__pcpu_u64 __pcpu_old = __pcpu_i386_cx8(var, 0, 0); \
		__pcpu_u64 __pcpu_cur;                         \
		for (;;) {                                             \
			__pcpu_cur = __pcpu_i386_cx8(var, __pcpu_old,  \
				((keep_old) ? __pcpu_old : (__pcpu_u64)0) + (add)); \
			if (__pcpu_cur == __pcpu_old)                  \
				break;                                 \
			__pcpu_old = __pcpu_cur;                       \
		}                                                      \
	} while (0)

#define __pcpu_this_cpu_read(var)                                      \
	(__extension__({                                               \
		__pcpu_i386_bits(var) __pcpu_u;                        \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("movb %%fs:%1, %0"        \
				: "=q"(__pcpu_u.b) : "m"(var));        \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("movw %%fs:%1, %0"        \
				: "=r"(__pcpu_u.w) : "m"(var));        \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("movl %%fs:%1, %0"        \
				: "=r"(__pcpu_u.l) : "m"(var));        \
			break;                                         \
		case 8:                                                \
			__pcpu_u.q = __pcpu_i386_cx8(var, 0, 0);       \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
			__pcpu_u.q = 0;                                \
		}                                                      \
		__pcpu_u.v;                                            \
	}))

/* One instruction `op{b,w,l} src, %fs:var` for the small sizes. */
#define __pcpu_i386_op_to(op, var, bits, outc)                          \
	do {                                                           \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__(op "b %1, %%fs:%0"        \
				: outc(var) : "qi"((bits).b) : "cc");  \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__(op "w %1, %%fs:%0"        \
				: outc(var) : "ri"((bits).w) : "cc");  \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__(op "l %1, %%fs:%0"        \
				: outc(var) : "ri"((bits).l) : "cc");  \
			break;                                         \
		case 8:                                                \
			__pcpu_i386_update8(var, outc[0] == '+', (bits).q); \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
		}                                                      \
	} while (0)

#define __pcpu_this_cpu_write(var, val)                                \
	do {                                                           \
		__pcpu_i386_bits(var) __pcpu_u;                        \
		__pcpu_u.q = 0;                                        \
		__pcpu_u.v = (val);                                    \
		__pcpu_i386_op_to("mov", var, __pcpu_u, "=m");         \
	} while (0)

#define __pcpu_this_cpu_add(var, val)                                  \
	do {                                                           \
		__pcpu_i386_bits(var) __pcpu_u;                        \
		__pcpu_u.q = 0;                                        \
		__pcpu_u.v = (__typeof__(var))(val);                   \
		__pcpu_i386_op_to("add", var, __pcpu_u, "+m");         \
	} while (0)

/* inc/dec: one `inc`/`dec` instruction (no immediate operand needed). */
#define __pcpu_i386_incdec(op, var, delta)                             \
	do {                                                           \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__(op "b %%fs:%0" : "+m"(var) : : "cc"); \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__(op "w %%fs:%0" : "+m"(var) : : "cc"); \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__(op "l %%fs:%0" : "+m"(var) : : "cc"); \
			break;                                         \
		case 8:                                                \
			__pcpu_i386_update8(var, 1, (__pcpu_u64)(delta)); \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
		}                                                      \
	} while (0)

#define __pcpu_this_cpu_inc(var) __pcpu_i386_incdec("inc", var, 1)
#define __pcpu_this_cpu_dec(var) __pcpu_i386_incdec("dec", var, -1)

#endif /* PERCPU_VM_ARCH_I386_H */
