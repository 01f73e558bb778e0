/* tests/plugin/code/table-base.h: shared by table-base-main.c (compiled
 * without the plugin: it fills the table and reads it) and
 * table-base-work.c (compiled with it: the accessors).  The offset table
 * of a zero-based layout, Linux x86-64's: entry n is TEST_BASE + (n <<
 * TEST_SHIFT), which the plugin is told with the attribute's second
 * argument. */
#ifndef TABLE_BASE_H
#define TABLE_BASE_H

#ifndef TEST_BASE
# error "TEST_BASE: the table's base"
#endif
/* The table (with TEST_BASE in its attribute where the plugin is loaded:
 * the main unit, without it, reads the table), per_cpu_ptr(). */
#include "x86_64-accessors.h"

extern TEST_PERCPU int counter;
extern TEST_PERCPU int slots[4];

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
