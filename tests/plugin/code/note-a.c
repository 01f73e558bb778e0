/* tests/plugin/code/note-a.c: one of the units notes.sh links. */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(int, zero_implicit);
DEFINE_PER_CPU(int, zero_explicit) = 0;
DEFINE_PER_CPU(int[4], zero_array) = { 0, 0, 0, 0 };
DEFINE_PER_CPU(int, initialised) = 7;
DEFINE_PER_CPU(int[4], part_initialised) = { 0, 0, 1, 0 };

int note_a(unsigned cpu)
{
	return per_cpu(zero_implicit, cpu) + per_cpu(zero_explicit, cpu)
	       + per_cpu(zero_array, cpu)[1] + per_cpu(initialised, cpu)
	       + per_cpu(part_initialised, cpu)[2];
}
