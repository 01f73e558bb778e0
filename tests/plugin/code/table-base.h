/* tests/plugin/code/table-base.h: shared by table-base-main.c (compiled
 * without the plugin: it fills the table and reads it) and
 * table-base-work.c (compiled with it: the accessors).  The offset table
 * of a zero-based layout, Linux x86-64's: entry n is TEST_BASE + (n <<
 * TEST_SHIFT), which the plugin is told with the attribute's second
 * argument. */
#ifndef TABLE_BASE_H
#define TABLE_BASE_H

#if !defined(TEST_SHIFT) || !defined(TEST_BASE)
# error "TEST_SHIFT, TEST_BASE: the table's shift and base"
#endif
#define TEST_NR_CPUS 8

/* Only where the plugin is loaded, as the kernel-glue headers do: the
 * main unit, without it, reads the table. */
#if __has_attribute(percpu_offset_table)
# define TEST_OFFSET_TABLE __attribute__((percpu_offset_table(TEST_SHIFT, TEST_BASE)))
# define TEST_PERCPU __attribute__((percpu))
#else
# define TEST_OFFSET_TABLE
# define TEST_PERCPU
#endif

extern unsigned long __per_cpu_offset[TEST_NR_CPUS] TEST_OFFSET_TABLE;
extern TEST_PERCPU int counter;
extern TEST_PERCPU int slots[4];

/* What percpu-vm/percpu.h writes: integer arithmetic on &var plus an
 * entry.  Addresses only: the copies above CPU 0's are never touched. */
#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[+(cpu)]))

/* table-base-work.c: each is per_cpu_ptr() in another shape. */
unsigned long remote(unsigned int cpu);
unsigned long remote_int(int cpu);
unsigned long remote_elem(unsigned int cpu, unsigned int i);
unsigned long remote_ptr(int *p, unsigned int cpu);
unsigned long remote_next(unsigned int cpu);
unsigned long ptr_entry(unsigned int cpu);
unsigned long ptr_next_entry(unsigned int cpu);
unsigned long const_first(void);
unsigned long const_third(void);
unsigned long const_last(void);
unsigned long const_ptr_entry(void);

#endif
