/* mptable.h: finding the CPUs in the Intel MultiProcessor Specification
 * (1.1/1.4) tables, for machines without ACPI (qemu -no-acpi: SeaBIOS
 * still writes them). */
#ifndef DEMO_MPTABLE_H
#define DEMO_MPTABLE_H

#include <stdint.h>

#include "topology.h"

/* How the parser reads physical memory: a pointer to the `len` bytes at
 * physical address `addr`, or NULL when that range cannot be read (the
 * kernel: not all of it identity mapped; address 0 is never a table).
 * Every byte the parser reads comes from one range it asked for, so a
 * table that points outside readable memory is refused, not followed.
 * A parameter so that the same source runs hosted, on a made-up memory
 * (tests/demo/test-mptable.c). */
typedef const void *(*mptable_phys_reader)(uint32_t addr, uint32_t len);

/* Search for the "_MP_" floating pointer (the first KiB of the EBDA, the
 * last KiB of base memory, 0xF0000..0xFFFFF, on 16-byte boundaries) and
 * fill `topo` from the configuration table it points at (or from the
 * default configuration it names).  0, or -1 with a message that says
 * what is missing or malformed; every length and count in the tables is
 * checked against the others and against readable memory first. */
int mptable_find_cpus(mptable_phys_reader read, struct cpu_topology *topo);

#endif
