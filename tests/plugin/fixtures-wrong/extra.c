/* Runner self-test: a warning nobody expects (must FAIL). */
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(int, count); /* expect-note: defined here */
int get(void) { return count; }
