/* tests/plugin/code/note-b.c: a second unit with the same stride. */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(long, other_counter);

long note_b(unsigned cpu) { return per_cpu(other_counter, cpu); }
