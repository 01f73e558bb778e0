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
 * kernel-glue/arch/i386/percpu_cpu.c (pcpu_i386_init_cpu).  The offset is
 * marked percpu_this_cpu: the plugin then reports this_cpu_ptr(&var) as a
 * this-CPU access to var, the offset being only the means. */
extern __PCPU_ATTRS unsigned int pcpu_cpu_number;
extern __PCPU_ATTRS __PCPU_ATTR_THIS_CPU unsigned long pcpu_this_cpu_off;

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

/* ptr + this CPU's offset: one %fs load, and the addition in C so that it
 * folds into the address of a later access.  The asm also takes the
 * pointer, as an operand its template never uses, so that the plugin sees
 * in the asm which object the offset is for; ptr is evaluated once, before
 * it.  "X" accepts the value wherever it already is (with "g", GCC 12
 * loads a pointer argument into a register first: one more instruction). */
#define __pcpu_this_cpu_ptr(ptr)                                       \
	(__extension__({                                               \
		__pcpu_ptr_type(ptr) __pcpu_p = (ptr);                 \
		unsigned long __pcpu_off;                              \
		__asm__ __volatile__("movl %%fs:%1, %0"                \
			: "=r"(__pcpu_off)                             \
			: "m"(pcpu_this_cpu_off), "X"(__pcpu_p));      \
		(__pcpu_ptr_type(ptr))((unsigned long)__pcpu_p + __pcpu_off); \
	}))

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

/* One instruction `op{b,w,l} __pcpu_u, %fs:var` for the small sizes; for
 * 8 bytes the update8 loop with new_from_old. */
#define __pcpu_i386_op_to(op, var, outc, new_from_old)                  \
	do {                                                           \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__(op "b %1, %%fs:%0"        \
				: outc(var) : "qi"(__pcpu_u.b) : "cc"); \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__(op "w %1, %%fs:%0"        \
				: outc(var) : "ri"(__pcpu_u.w) : "cc"); \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__(op "l %1, %%fs:%0"        \
				: outc(var) : "ri"(__pcpu_u.l) : "cc"); \
			break;                                         \
		case 8:                                                \
			(void)__pcpu_i386_update8(var, new_from_old);  \
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
		__pcpu_i386_op_to("mov", var, "=m", __pcpu_u.q);       \
	} while (0)

/* add, sub, and, or: the value converted to var's type first (so
 * this_cpu_sub(u64var, 1u) subtracts 1, not 2^32 - 1). */
#define __pcpu_i386_rmw(op, var, val, new_from_old)                    \
	do {                                                           \
		__pcpu_i386_bits(var) __pcpu_u;                        \
		__pcpu_u.q = 0;                                        \
		__pcpu_u.v = (__typeof__(var))(val);                   \
		__pcpu_i386_op_to(op, var, "+m", new_from_old);        \
	} while (0)

#define __pcpu_this_cpu_add(var, val) \
	__pcpu_i386_rmw("add", var, val, __pcpu_old + __pcpu_u.q)
#define __pcpu_this_cpu_sub(var, val) \
	__pcpu_i386_rmw("sub", var, val, __pcpu_old - __pcpu_u.q)
#define __pcpu_this_cpu_and(var, val) \
	__pcpu_i386_rmw("and", var, val, __pcpu_old & __pcpu_u.q)
#define __pcpu_this_cpu_or(var, val) \
	__pcpu_i386_rmw("or", var, val, __pcpu_old | __pcpu_u.q)

/* inc/dec: one `inc`/`dec` instruction (no immediate operand needed). */
#define __pcpu_i386_incdec(op, var, new_from_old)                      \
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
			(void)__pcpu_i386_update8(var, new_from_old);  \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
		}                                                      \
	} while (0)

#define __pcpu_this_cpu_inc(var) __pcpu_i386_incdec("inc", var, __pcpu_old + 1)
#define __pcpu_this_cpu_dec(var) __pcpu_i386_incdec("dec", var, __pcpu_old - 1)

/* add_return: one `xadd` (the register gets the old value; the new one is
 * old + val). */
#define __pcpu_this_cpu_add_return(var, val)                           \
	(__extension__({                                               \
		__pcpu_i386_bits(var) __pcpu_u, __pcpu_a;              \
		__pcpu_a.q = 0;                                        \
		__pcpu_a.v = (__typeof__(var))(val);                   \
		__pcpu_u = __pcpu_a;                                   \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("xaddb %0, %%fs:%1"       \
				: "+q"(__pcpu_u.b), "+m"(var) : : "cc"); \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("xaddw %0, %%fs:%1"       \
				: "+r"(__pcpu_u.w), "+m"(var) : : "cc"); \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("xaddl %0, %%fs:%1"       \
				: "+r"(__pcpu_u.l), "+m"(var) : : "cc"); \
			break;                                         \
		case 8:                                                \
			__pcpu_u.q = __pcpu_i386_update8(var,          \
					__pcpu_old + __pcpu_a.q);      \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
		}                                                      \
		(__typeof__(var))(__pcpu_u.v + __pcpu_a.v);            \
	}))

/* cmpxchg: one unlocked `cmpxchg` (%eax in: the expected value, out: the
 * value found); 8 bytes: one cmpxchg8b. */
#define __pcpu_this_cpu_cmpxchg(var, oval, nval)                       \
	(__extension__({                                               \
		__pcpu_i386_bits(var) __pcpu_o, __pcpu_n;              \
		__pcpu_o.q = 0;                                        \
		__pcpu_n.q = 0;                                        \
		__pcpu_o.v = (oval);                                   \
		__pcpu_n.v = (nval);                                   \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("cmpxchgb %2, %%fs:%1"    \
				: "+a"(__pcpu_o.b), "+m"(var)          \
				: "q"(__pcpu_n.b) : "cc");             \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("cmpxchgw %2, %%fs:%1"    \
				: "+a"(__pcpu_o.w), "+m"(var)          \
				: "r"(__pcpu_n.w) : "cc");             \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("cmpxchgl %2, %%fs:%1"    \
				: "+a"(__pcpu_o.l), "+m"(var)          \
				: "r"(__pcpu_n.l) : "cc");             \
			break;                                         \
		case 8:                                                \
			__pcpu_o.q = __pcpu_i386_cx8(var, __pcpu_o.q, __pcpu_n.q); \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
		}                                                      \
		__pcpu_o.v;                                            \
	}))

/* xchg: not the `xchg` instruction, whose memory form is implicitly locked
 * (a bus-locked cycle, which a CPU-local value does not need), but, as in
 * Linux, a read and an unlocked cmpxchg retried until no interrupt changed
 * the value in between: one asm, %eax holding the value last seen. */
#define __pcpu_this_cpu_xchg(var, nval)                                \
	(__extension__({                                               \
		__pcpu_i386_bits(var) __pcpu_o, __pcpu_n;              \
		__pcpu_o.q = 0;                                        \
		__pcpu_n.q = 0;                                        \
		__pcpu_n.v = (nval);                                   \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("movb %%fs:%1, %0\n"      \
				"1:\tcmpxchgb %2, %%fs:%1\n\tjnz 1b"   \
				: "=&a"(__pcpu_o.b), "+m"(var)         \
				: "q"(__pcpu_n.b) : "cc");             \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("movw %%fs:%1, %0\n"      \
				"1:\tcmpxchgw %2, %%fs:%1\n\tjnz 1b"   \
				: "=&a"(__pcpu_o.w), "+m"(var)         \
				: "r"(__pcpu_n.w) : "cc");             \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("movl %%fs:%1, %0\n"      \
				"1:\tcmpxchgl %2, %%fs:%1\n\tjnz 1b"   \
				: "=&a"(__pcpu_o.l), "+m"(var)         \
				: "r"(__pcpu_n.l) : "cc");             \
			break;                                         \
		case 8:                                                \
			/* a failed cmpxchg8b loads the value: the    \
			 * first try (against 0) reads, the next one  \
			 * stores unless an interrupt came between */ \
			__asm__ __volatile__("1:\tcmpxchg8b %%fs:%0\n\tjnz 1b" \
				: "+m"(var), "=A"(__pcpu_o.q)          \
				: "1"(__pcpu_o.q),                     \
				  "b"((unsigned int)__pcpu_n.q),       \
				  "c"((unsigned int)(__pcpu_n.q >> 32)) \
				: "cc");                               \
			break;                                         \
		default:                                               \
			__pcpu_i386_bad_size();                        \
		}                                                      \
		__pcpu_o.v;                                            \
	}))

#endif /* PERCPU_VM_ARCH_I386_H */
