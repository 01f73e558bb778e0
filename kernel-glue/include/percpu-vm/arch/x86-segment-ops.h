/* percpu-vm/arch/x86-segment-ops.h: this_cpu_*() as single
 * segment-prefixed instructions, shared by the i386 (%fs) and x86-64 (%gs)
 * arch parts (included by them; do not include directly).
 *
 * On both, the segment's base on CPU n is __per_cpu_offset[n] (VM mode:
 * n << PERCPU_SHIFT), so `<seg>:var` is CPU n's copy of var, and an
 * instruction on it is atomic with respect to interrupts on that CPU: no
 * preemption or interrupt disabling, no lock prefix (like Linux's, these
 * ops are atomic against the local CPU only, not against another CPU
 * writing this CPU's copy through per_cpu()).
 *
 * The 1-, 2- and 4-byte cases are the same instructions on both arches and
 * live here; the 8-byte case is where they differ (x86-64 has 8-byte
 * integer instructions, i386 only cmpxchg8b), so the arch part defines,
 * before including this file:
 *   __PCPU_SEG                          the prefix as asm text: "%%fs:"
 *   __pcpu_u64                          an unsigned 8-byte integer type
 *   __PCPU_X86_BAD_SIZE()               a call that is a compile error
 *   __PCPU_X86_READ8(var, out)          out = the 8 bytes of var
 *   __PCPU_X86_OP8(op, var, outc, val, new_from_old)
 *                                       var op= val (op: mov add sub and or)
 *   __PCPU_X86_INCDEC8(op, var, new_from_old)   var += / -= 1
 *   __PCPU_X86_XADD8(var, inout, addend) inout = old var; var += addend
 *   __PCPU_X86_CMPXCHG8(var, o, n)      o = old var; var = n if it was o
 *   __PCPU_X86_XCHG8(var, o, n)         o = old var; var = n
 * new_from_old is the new value as an expression of __pcpu_old, for an
 * arch that must compute it in C and retry (i386).
 *
 * Only integer (and, for read/write, pointer) objects of 1, 2, 4 or 8
 * bytes are allowed; anything else is a compile-time error.  this_cpu_add
 * on a floating-point object is not supported (it adds the bit patterns).
 */
#ifndef PERCPU_VM_ARCH_X86_SEGMENT_OPS_H
#define PERCPU_VM_ARCH_X86_SEGMENT_OPS_H

/* This CPU's number and offset, as per-CPU variables, so smp_processor_id()
 * and this_cpu_ptr() are each one segment-relative load.  Defined and
 * filled in by the arch's kernel-glue/arch/<arch>/percpu_cpu.c.  The offset
 * is marked percpu_this_cpu: the plugin then reports this_cpu_ptr(&var) as
 * a this-CPU access to var, the offset being only the means. */
#ifdef __cplusplus
extern "C" {
#endif
extern __PCPU_ATTRS unsigned int pcpu_cpu_number;
extern __PCPU_ATTRS __PCPU_ATTR_THIS_CPU unsigned long pcpu_this_cpu_off;
#ifdef __cplusplus
}
#endif

#ifndef smp_processor_id
# define smp_processor_id() this_cpu_read(pcpu_cpu_number)
#endif

/* ptr + this CPU's offset: one segment-relative load, and the addition in C
 * so that it folds into the address of a later access.  The asm also takes
 * the pointer, as an operand its template never uses, so that the plugin
 * sees in the asm which object the offset is for; ptr is evaluated once,
 * before it.  "X" accepts the value wherever it already is (with "g", GCC
 * 12 loads a pointer argument into a register first: one more
 * instruction).  `mov` takes its size from the register (unsigned long). */
#define __pcpu_this_cpu_ptr(ptr)                                       \
	(__extension__({                                               \
		__pcpu_ptr_type(ptr) __pcpu_p = (ptr);                 \
		unsigned long __pcpu_off;                              \
		__asm__ __volatile__("mov " __PCPU_SEG "%1, %0"        \
			: "=r"(__pcpu_off)                             \
			: "m"(pcpu_this_cpu_off), "X"(__pcpu_p));      \
		(__pcpu_ptr_type(ptr))((unsigned long)__pcpu_p + __pcpu_off); \
	}))

/* A value of var's type seen as the raw bytes each instruction size moves.
 * Every case of the size switches below assembles for any object (the
 * register operands have the size the mnemonic wants), so code built at
 * -O0, where the dead cases are still emitted, is valid too. */
#define __pcpu_x86_bits(var)                                           \
	union {                                                        \
		__typeof__(var) v;                                     \
		unsigned char b;                                       \
		unsigned short w;                                      \
		unsigned int l;                                        \
		__pcpu_u64 q;                                          \
	}

#define __pcpu_this_cpu_read(var)                                      \
	(__extension__({                                               \
		__pcpu_x86_bits(var) __pcpu_u;                         \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("movb " __PCPU_SEG "%1, %0" \
				: "=q"(__pcpu_u.b) : "m"(var));        \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("movw " __PCPU_SEG "%1, %0" \
				: "=r"(__pcpu_u.w) : "m"(var));        \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("movl " __PCPU_SEG "%1, %0" \
				: "=r"(__pcpu_u.l) : "m"(var));        \
			break;                                         \
		case 8:                                                \
			__PCPU_X86_READ8(var, __pcpu_u.q);             \
			break;                                         \
		default:                                               \
			__PCPU_X86_BAD_SIZE();                         \
			__pcpu_u.q = 0;                                \
		}                                                      \
		__pcpu_u.v;                                            \
	}))

/* One instruction `op{b,w,l} __pcpu_u, <seg>:var` for the small sizes. */
#define __pcpu_x86_op_to(op, var, outc, new_from_old)                  \
	do {                                                           \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__(op "b %1, " __PCPU_SEG "%0" \
				: outc(var) : "qi"(__pcpu_u.b) : "cc"); \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__(op "w %1, " __PCPU_SEG "%0" \
				: outc(var) : "ri"(__pcpu_u.w) : "cc"); \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__(op "l %1, " __PCPU_SEG "%0" \
				: outc(var) : "ri"(__pcpu_u.l) : "cc"); \
			break;                                         \
		case 8:                                                \
			__PCPU_X86_OP8(op, var, outc, __pcpu_u.q, new_from_old); \
			break;                                         \
		default:                                               \
			__PCPU_X86_BAD_SIZE();                         \
		}                                                      \
	} while (0)

#define __pcpu_this_cpu_write(var, val)                                \
	do {                                                           \
		__pcpu_x86_bits(var) __pcpu_u;                         \
		__pcpu_u.q = 0;                                        \
		__pcpu_u.v = (val);                                    \
		__pcpu_x86_op_to("mov", var, "=m", __pcpu_u.q);        \
	} while (0)

/* add, sub, and, or: the value converted to var's type first (so
 * this_cpu_sub(u64var, 1u) subtracts 1, not 2^32 - 1). */
#define __pcpu_x86_rmw(op, var, val, new_from_old)                     \
	do {                                                           \
		__pcpu_x86_bits(var) __pcpu_u;                         \
		__pcpu_u.q = 0;                                        \
		__pcpu_u.v = (__typeof__(var))(val);                   \
		__pcpu_x86_op_to(op, var, "+m", new_from_old);         \
	} while (0)

#define __pcpu_this_cpu_add(var, val) \
	__pcpu_x86_rmw("add", var, val, __pcpu_old + __pcpu_u.q)
#define __pcpu_this_cpu_sub(var, val) \
	__pcpu_x86_rmw("sub", var, val, __pcpu_old - __pcpu_u.q)
#define __pcpu_this_cpu_and(var, val) \
	__pcpu_x86_rmw("and", var, val, __pcpu_old & __pcpu_u.q)
#define __pcpu_this_cpu_or(var, val) \
	__pcpu_x86_rmw("or", var, val, __pcpu_old | __pcpu_u.q)

/* inc/dec: one `inc`/`dec` instruction (no immediate operand needed). */
#define __pcpu_x86_incdec(op, var, new_from_old)                       \
	do {                                                           \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__(op "b " __PCPU_SEG "%0" : "+m"(var) : : "cc"); \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__(op "w " __PCPU_SEG "%0" : "+m"(var) : : "cc"); \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__(op "l " __PCPU_SEG "%0" : "+m"(var) : : "cc"); \
			break;                                         \
		case 8:                                                \
			__PCPU_X86_INCDEC8(op, var, new_from_old);     \
			break;                                         \
		default:                                               \
			__PCPU_X86_BAD_SIZE();                         \
		}                                                      \
	} while (0)

#define __pcpu_this_cpu_inc(var) __pcpu_x86_incdec("inc", var, __pcpu_old + 1)
#define __pcpu_this_cpu_dec(var) __pcpu_x86_incdec("dec", var, __pcpu_old - 1)

/* add_return: one `xadd` (the register gets the old value; the new one is
 * old + val). */
#define __pcpu_this_cpu_add_return(var, val)                           \
	(__extension__({                                               \
		__pcpu_x86_bits(var) __pcpu_u, __pcpu_a;               \
		__pcpu_a.q = 0;                                        \
		__pcpu_a.v = (__typeof__(var))(val);                   \
		__pcpu_u = __pcpu_a;                                   \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("xaddb %0, " __PCPU_SEG "%1" \
				: "+q"(__pcpu_u.b), "+m"(var) : : "cc"); \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("xaddw %0, " __PCPU_SEG "%1" \
				: "+r"(__pcpu_u.w), "+m"(var) : : "cc"); \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("xaddl %0, " __PCPU_SEG "%1" \
				: "+r"(__pcpu_u.l), "+m"(var) : : "cc"); \
			break;                                         \
		case 8:                                                \
			__PCPU_X86_XADD8(var, __pcpu_u.q, __pcpu_a.q); \
			break;                                         \
		default:                                               \
			__PCPU_X86_BAD_SIZE();                         \
		}                                                      \
		(__typeof__(var))(__pcpu_u.v + __pcpu_a.v);            \
	}))

/* cmpxchg: one unlocked `cmpxchg` (the accumulator in: the expected value,
 * out: the value found). */
#define __pcpu_this_cpu_cmpxchg(var, oval, nval)                       \
	(__extension__({                                               \
		__pcpu_x86_bits(var) __pcpu_o, __pcpu_n;               \
		__pcpu_o.q = 0;                                        \
		__pcpu_n.q = 0;                                        \
		__pcpu_o.v = (oval);                                   \
		__pcpu_n.v = (nval);                                   \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__("cmpxchgb %2, " __PCPU_SEG "%1" \
				: "+a"(__pcpu_o.b), "+m"(var)          \
				: "q"(__pcpu_n.b) : "cc");             \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__("cmpxchgw %2, " __PCPU_SEG "%1" \
				: "+a"(__pcpu_o.w), "+m"(var)          \
				: "r"(__pcpu_n.w) : "cc");             \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__("cmpxchgl %2, " __PCPU_SEG "%1" \
				: "+a"(__pcpu_o.l), "+m"(var)          \
				: "r"(__pcpu_n.l) : "cc");             \
			break;                                         \
		case 8:                                                \
			__PCPU_X86_CMPXCHG8(var, __pcpu_o.q, __pcpu_n.q); \
			break;                                         \
		default:                                               \
			__PCPU_X86_BAD_SIZE();                         \
		}                                                      \
		__pcpu_o.v;                                            \
	}))

/* xchg: not the `xchg` instruction, whose memory form is implicitly locked
 * (a bus-locked cycle, which a CPU-local value does not need), but, as in
 * Linux, a read and an unlocked cmpxchg retried until no interrupt changed
 * the value in between: one asm, the accumulator holding the value last
 * seen. */
#define __pcpu_x86_xchg_loop(sfx) \
	"mov" sfx " " __PCPU_SEG "%1, %0\n1:\tcmpxchg" sfx " %2, " __PCPU_SEG "%1\n\tjnz 1b"
#define __pcpu_this_cpu_xchg(var, nval)                                \
	(__extension__({                                               \
		__pcpu_x86_bits(var) __pcpu_o, __pcpu_n;               \
		__pcpu_o.q = 0;                                        \
		__pcpu_n.q = 0;                                        \
		__pcpu_n.v = (nval);                                   \
		switch (sizeof(var)) {                                 \
		case 1:                                                \
			__asm__ __volatile__(__pcpu_x86_xchg_loop("b") \
				: "=&a"(__pcpu_o.b), "+m"(var)         \
				: "q"(__pcpu_n.b) : "cc");             \
			break;                                         \
		case 2:                                                \
			__asm__ __volatile__(__pcpu_x86_xchg_loop("w") \
				: "=&a"(__pcpu_o.w), "+m"(var)         \
				: "r"(__pcpu_n.w) : "cc");             \
			break;                                         \
		case 4:                                                \
			__asm__ __volatile__(__pcpu_x86_xchg_loop("l") \
				: "=&a"(__pcpu_o.l), "+m"(var)         \
				: "r"(__pcpu_n.l) : "cc");             \
			break;                                         \
		case 8:                                                \
			__PCPU_X86_XCHG8(var, __pcpu_o.q, __pcpu_n.q); \
			break;                                         \
		default:                                               \
			__PCPU_X86_BAD_SIZE();                         \
		}                                                      \
		__pcpu_o.v;                                            \
	}))

#endif /* PERCPU_VM_ARCH_X86_SEGMENT_OPS_H */
