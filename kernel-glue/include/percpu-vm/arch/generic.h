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

#define __pcpu_generic_rmw(var, op, val)                               \
	do {                                                           \
		pcpu_preempt_disable();                                \
		*__pcpu_this_cpu_ptr(&(var)) op (val);                 \
		pcpu_preempt_enable();                                 \
	} while (0)

#define __pcpu_this_cpu_read(var)                                      \
	(__extension__({                                               \
		__typeof__(var) __pcpu_r;                              \
		pcpu_preempt_disable();                                \
		__pcpu_r = *__pcpu_this_cpu_ptr(&(var));               \
		pcpu_preempt_enable();                                 \
		__pcpu_r;                                              \
	}))
#define __pcpu_this_cpu_write(var, val) __pcpu_generic_rmw(var, =, val)
#define __pcpu_this_cpu_add(var, val)   __pcpu_generic_rmw(var, +=, val)
#define __pcpu_this_cpu_inc(var)        __pcpu_generic_rmw(var, +=, 1)
#define __pcpu_this_cpu_dec(var)        __pcpu_generic_rmw(var, -=, 1)

#endif /* PERCPU_VM_ARCH_GENERIC_H */
