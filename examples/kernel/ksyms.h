/* ksyms.h: the kernel's export table, what module symbols resolve against.
 * Plain functions and data are listed in ksyms.c; per-CPU exports come from
 * EXPORT_PER_CPU_SYMBOL (percpu-vm/percpu.h), which records them in the
 * section `percpu_ksymtab` that the kernel linker script brackets. */
#ifndef DEMO_KSYMS_H
#define DEMO_KSYMS_H

#include <stdbool.h>
#include <stdint.h>

/* The address of exported `name`, and whether it is per-CPU. */
bool ksym_lookup(const char *name, uintptr_t *addr, bool *percpu);
unsigned ksym_count(void);
unsigned ksym_percpu_count(void);

#endif
