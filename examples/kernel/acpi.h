/* acpi.h: finding the CPUs in the ACPI MADT (the "APIC" table). */
#ifndef DEMO_ACPI_H
#define DEMO_ACPI_H

#include "topology.h"

/* 0, or -1 with a message when no RSDP or MADT can be found or a table's
 * checksum is wrong. */
int acpi_find_cpus(struct cpu_topology *topo);

#endif
