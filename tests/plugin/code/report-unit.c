/* tests/plugin/code/report-unit.c: the unit report.sh reports on (i386),
 * built against the test programs' config.h (NR_CPUS >= 8, plugin-lib.sh). */
#include <percpu-vm/percpu.h>
#include "hidden-accessor.h"

DEFINE_PER_CPU(int, counter);
DEFINE_PER_CPU(int, initialised) = 3;
DEFINE_PER_CPU(long long[8], big);
DECLARE_PER_CPU(int, elsewhere);
static DEFINE_PER_CPU(short, hidden);

int remote(unsigned cpu) { return per_cpu(counter, cpu); }
int constant(void) { return per_cpu(initialised, 3); }
int this_one(void) { return this_cpu_read(counter); }
int *dynamic(int *p, unsigned cpu) { return per_cpu_ptr(p, cpu); }
long long others(unsigned cpu) { return per_cpu(big, cpu)[2] + per_cpu(elsewhere, 1) + per_cpu(hidden, cpu); }
/* Each reaches the pass twice from one place (i386's this_cpu_inc() has a
 * dead asm for the 8-byte case; += loads the table for the read and for
 * the write): one site each in the report. */
void bump(void) { this_cpu_inc(counter); }
void add_const(void) { per_cpu(initialised, 2) += 5; }
/* Pointer arithmetic on the table, and Linux's accessor shape (the
 * address through an empty asm): one site each, naming the variable. */
int pointer_form(unsigned cpu) { return *(int *)((unsigned long)&counter + *(__per_cpu_offset + cpu)); }
int hidden_remote(unsigned cpu) { return hidden_per_cpu(counter, cpu); }
int hidden_constant(void) { return hidden_per_cpu(initialised, 4); }
