/* Runner self-test: the right error on the wrong line (must FAIL). */
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(int, count); /* expect-error: is out of range */
int get(void) { return per_cpu(count, NR_CPUS); }
