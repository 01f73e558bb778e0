/* usermode.h: run a few instructions in ring 3, to show that per-CPU
 * pages cannot be reached from user mode. */
#ifndef DEMO_USERMODE_H
#define DEMO_USERMODE_H

#include <stdbool.h>
#include <stdint.h>

/* Set up the TSS, the user pages and the probe code (boot CPU only). */
bool usermode_init(void);
/* Read the word at `addr` from ring 3 (false if usermode_init failed).  Returns false if that faulted,
 * with the fault address and error code in *fault_addr / *fault_error. */
bool usermode_read(uintptr_t addr, uintptr_t *fault_addr, uint32_t *fault_error);
/* Where the probe's own user page is (readable from ring 3). */
uintptr_t usermode_page(void);

#endif
