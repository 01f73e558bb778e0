/* Per-CPU data one 16-byte object larger than the stride: the link must
 * fail with the "stride" assertion under both linkers. */
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(char[PERCPU_STRIDE + 16], lt_too_big) = { 1 };
void _start(void);
void _start(void) { per_cpu(lt_too_big, NR_CPUS - 1)[3] = 2; }
