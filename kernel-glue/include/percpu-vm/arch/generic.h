/* percpu-vm/arch/generic.h: the arch part for architectures without VM
 * per-CPU support (included by percpu.h; do not include directly).
 *
 * It does not define __ARCH_HAS_VM_PERCPU, so percpu.h always runs the
 * classic scheme here.  The kernel supplies the current CPU's number as
 * smp_processor_id() (a macro or a function) before including percpu.h;
 * this_cpu_*() are then read-modify-write sequences on this_cpu_ptr() with
 * preemption off around them, as Linux's generic versions are.
 */
#ifndef PERCPU_VM_ARCH_GENERIC_H
#define PERCPU_VM_ARCH_GENERIC_H

#ifndef smp_processor_id
#ifdef __cplusplus
extern "C"
#endif
unsigned int smp_processor_id(void) __PCPU_ATTR_THIS_CPU;
#endif

#define __pcpu_this_cpu_ptr(ptr) per_cpu_ptr(ptr, smp_processor_id())

/* The raw tier is C on this_cpu_ptr() (arch/c-ops.h); this_cpu_*() is the
 * same with preemption off around it. */
#include <percpu-vm/arch/c-ops.h>
#define __PCPU_ARCH_HAS_RAW_OPS 1
#define __pcpu_raw_cpu_read        __pcpu_c_read
#define __pcpu_raw_cpu_write       __pcpu_c_write
#define __pcpu_raw_cpu_add         __pcpu_c_add
#define __pcpu_raw_cpu_sub         __pcpu_c_sub
#define __pcpu_raw_cpu_inc         __pcpu_c_inc
#define __pcpu_raw_cpu_dec         __pcpu_c_dec
#define __pcpu_raw_cpu_and         __pcpu_c_and
#define __pcpu_raw_cpu_or          __pcpu_c_or
#define __pcpu_raw_cpu_xchg        __pcpu_c_xchg
#define __pcpu_raw_cpu_cmpxchg     __pcpu_c_cmpxchg
#define __pcpu_raw_cpu_add_return  __pcpu_c_add_return

/* an op without a value, and one yielding a value of var's type */
#define __pcpu_preempt_off_do(stmt)                                    \
	do {                                                           \
		pcpu_preempt_disable();                                \
		stmt;                                                  \
		pcpu_preempt_enable();                                 \
	} while (0)
#define __pcpu_preempt_off_value(var, expr)                            \
	(__extension__({                                               \
		__typeof__(var) __pcpu_g;                              \
		pcpu_preempt_disable();                                \
		__pcpu_g = (expr);                                     \
		pcpu_preempt_enable();                                 \
		__pcpu_g;                                              \
	}))

#define __pcpu_this_cpu_read(var) \
	__pcpu_preempt_off_value(var, __pcpu_c_read(var))
#define __pcpu_this_cpu_write(var, val) \
	__pcpu_preempt_off_do(__pcpu_c_write(var, val))
#define __pcpu_this_cpu_add(var, val) \
	__pcpu_preempt_off_do(__pcpu_c_add(var, val))
#define __pcpu_this_cpu_sub(var, val) \
	__pcpu_preempt_off_do(__pcpu_c_sub(var, val))
#define __pcpu_this_cpu_inc(var) \
	__pcpu_preempt_off_do(__pcpu_c_inc(var))
#define __pcpu_this_cpu_dec(var) \
	__pcpu_preempt_off_do(__pcpu_c_dec(var))
#define __pcpu_this_cpu_and(var, val) \
	__pcpu_preempt_off_do(__pcpu_c_and(var, val))
#define __pcpu_this_cpu_or(var, val) \
	__pcpu_preempt_off_do(__pcpu_c_or(var, val))
#define __pcpu_this_cpu_xchg(var, nval) \
	__pcpu_preempt_off_value(var, __pcpu_c_xchg(var, nval))
#define __pcpu_this_cpu_cmpxchg(var, oval, nval) \
	__pcpu_preempt_off_value(var, __pcpu_c_cmpxchg(var, oval, nval))
#define __pcpu_this_cpu_add_return(var, val) \
	__pcpu_preempt_off_value(var, __pcpu_c_add_return(var, val))

#endif /* PERCPU_VM_ARCH_GENERIC_H */
