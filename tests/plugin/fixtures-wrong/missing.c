/* Runner self-test: expects an error GCC does not give (must FAIL). */
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(int, count);
int get(unsigned cpu) { return per_cpu(count, cpu); } /* expect-error: is not a per-CPU variable */
