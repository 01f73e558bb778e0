/* What the i386 arch part compiles to: headers.sh-style compile only, the
 * instructions are checked by i386-codegen.sh.  One function per case. */
#include <percpu-vm/percpu.h>

__extension__ typedef unsigned long long u64;
DEFINE_PER_CPU(int, counter);
DEFINE_PER_CPU(unsigned char, byte);
DEFINE_PER_CPU(short, half);
DEFINE_PER_CPU(u64, wide);

void t_inc(void);
void t_inc(void) { this_cpu_inc(counter); }
void t_dec(void);
void t_dec(void) { this_cpu_dec(counter); }
int t_read(void);
int t_read(void) { return this_cpu_read(counter); }
void t_write(void);
void t_write(void) { this_cpu_write(counter, 42); }
void t_add(void);
void t_add(void) { this_cpu_add(counter, 5); }
void t_byte_inc(void);
void t_byte_inc(void) { this_cpu_inc(byte); }
void t_half_add(void);
void t_half_add(void) { this_cpu_add(half, 3); }
u64 t_wide_read(void);
u64 t_wide_read(void) { return this_cpu_read(wide); }
unsigned t_cpu(void);
unsigned t_cpu(void) { return smp_processor_id(); }
int t_per_cpu(unsigned cpu);
int t_per_cpu(unsigned cpu) { return per_cpu(counter, cpu); }
