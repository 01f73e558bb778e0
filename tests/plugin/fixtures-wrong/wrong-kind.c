/* Runner self-test: a warning expected as an error (must FAIL). */
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(int, count); /* expect-note: defined here */
int get(void) { return count; } /* expect-error: read directly */
