/* percpu-vm/arch/c-ops.h: this_cpu ops written in C on this_cpu_ptr(),
 * for the arch parts that have no single-instruction ones (hosted,
 * generic; included by them, do not include directly).
 *
 * These are the raw tier: nothing keeps the caller on its CPU between the
 * read and the write.  The hosted arch part uses them for every tier (each
 * thread is its simulated CPU, nothing else runs on it); the generic one
 * wraps them in pcpu_preempt_disable()/pcpu_preempt_enable() for
 * this_cpu_*().
 *
 * Each argument is evaluated exactly once, and converted to the variable's
 * type first (as the i386 instructions see it), so a cmpxchg of an unsigned
 * variable against an int compares converted values without a sign-compare
 * warning, and add_return(v, -1) of an unsigned variable wraps.
 */
#ifndef PERCPU_VM_ARCH_C_OPS_H
#define PERCPU_VM_ARCH_C_OPS_H

/* *this_cpu_ptr(&var) op= val */
#define __pcpu_c_update(var, op, val)                                   \
	do {                                                            \
		__typeof__(var) __pcpu_v = (val);                        \
		*__pcpu_this_cpu_ptr(&(var)) op __pcpu_v;               \
	} while (0)

#define __pcpu_c_read(var)                                              \
	(__extension__({                                                \
		__typeof__(var) __pcpu_r = *__pcpu_this_cpu_ptr(&(var)); \
		__pcpu_r;                                               \
	}))
#define __pcpu_c_write(var, val)  __pcpu_c_update(var, =, val)
#define __pcpu_c_add(var, val)    __pcpu_c_update(var, +=, val)
#define __pcpu_c_sub(var, val)    __pcpu_c_update(var, -=, val)
#define __pcpu_c_and(var, val)    __pcpu_c_update(var, &=, val)
#define __pcpu_c_or(var, val)     __pcpu_c_update(var, |=, val)
#define __pcpu_c_inc(var)         __pcpu_c_update(var, +=, 1)
#define __pcpu_c_dec(var)         __pcpu_c_update(var, -=, 1)

#define __pcpu_c_add_return(var, val)                                   \
	(__extension__({                                                \
		__typeof__(var) *__pcpu_p = __pcpu_this_cpu_ptr(&(var)); \
		__typeof__(var) __pcpu_v = (val);                        \
		*__pcpu_p = (__typeof__(var))(*__pcpu_p + __pcpu_v);    \
		*__pcpu_p;                                              \
	}))

#define __pcpu_c_xchg(var, nval)                                        \
	(__extension__({                                                \
		__typeof__(var) *__pcpu_p = __pcpu_this_cpu_ptr(&(var)); \
		__typeof__(var) __pcpu_n = (nval);                       \
		__typeof__(var) __pcpu_o = *__pcpu_p;                   \
		*__pcpu_p = __pcpu_n;                                   \
		__pcpu_o;                                               \
	}))

#define __pcpu_c_cmpxchg(var, oval, nval)                               \
	(__extension__({                                                \
		__typeof__(var) *__pcpu_p = __pcpu_this_cpu_ptr(&(var)); \
		__typeof__(var) __pcpu_e = (oval);                       \
		__typeof__(var) __pcpu_n = (nval);                       \
		__typeof__(var) __pcpu_o = *__pcpu_p;                   \
		if (__pcpu_o == __pcpu_e)                               \
			*__pcpu_p = __pcpu_n;                           \
		__pcpu_o;                                               \
	}))

#endif /* PERCPU_VM_ARCH_C_OPS_H */
