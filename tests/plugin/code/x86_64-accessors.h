/* tests/plugin/code/x86_64-accessors.h: per-CPU definitions and accessors
 * for the x86-64 test units of the plugin and layout tests, written for
 * them.
 *
 * Self-contained on purpose: the kernel-glue headers' x86-64 arch is not
 * these tests' subject; the plugin's code and percpu-layout's reading of
 * x86-64 objects are.  (Plain C: table-base.sh builds it for -m32 too.)  The offset table carries the plugin's attribute and
 * the accessors are what percpu-vm/percpu.h writes (integer arithmetic on
 * &var plus a table entry), with the unit's own shift (TEST_SHIFT) and
 * NR_CPUS (TEST_NR_CPUS, 8 unless given). */
#ifndef X86_64_ACCESSORS_H
#define X86_64_ACCESSORS_H

#ifndef TEST_SHIFT
# error "TEST_SHIFT: the per-CPU shift to test"
#endif
#ifndef TEST_NR_CPUS
# define TEST_NR_CPUS 8
#endif

/* The attributes only where the plugin is loaded (the tests' controls
 * compile without it), as the kernel-glue headers do.  With TEST_BASE the
 * table is a zero-based layout's, entry n = TEST_BASE + (n << TEST_SHIFT)
 * (table-base.h). */
#if __has_attribute(percpu_offset_table) && defined(TEST_BASE)
# define TEST_OFFSET_TABLE __attribute__((percpu_offset_table(TEST_SHIFT, TEST_BASE)))
# define TEST_PERCPU __attribute__((percpu))
#elif __has_attribute(percpu_offset_table)
# define TEST_OFFSET_TABLE __attribute__((percpu_offset_table(TEST_SHIFT)))
# define TEST_PERCPU __attribute__((percpu))
#else
# define TEST_OFFSET_TABLE
# define TEST_PERCPU
#endif

extern unsigned long __per_cpu_offset[TEST_NR_CPUS] TEST_OFFSET_TABLE;

/* The plugin moves a zero one to .bss.percpu. */
#define DEFINE_PCPU(type, name) \
	TEST_PERCPU __attribute__((section(".data.percpu"))) __typeof__(type) name
#define per_cpu(var, cpu) \
	(*(__typeof__(&(var)))((unsigned long)&(var) + __per_cpu_offset[+(cpu)]))
#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[+(cpu)]))

#endif
