/* Per-CPU data of LT_PERCPU_BYTES bytes (set with -D): the stride's usable
 * part, PERCPU_STRIDE - 4096, must link; 16 bytes more reach into the
 * guard page and must fail with the guard-page assertion under both
 * linkers. */
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(char[LT_PERCPU_BYTES], lt_big) = { 1 };
void _start(void);
void _start(void) { per_cpu(lt_big, NR_CPUS - 1)[3] = 2; }
