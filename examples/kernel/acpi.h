/* acpi.h: finding the CPUs in the ACPI MADT (the "APIC" table). */
#ifndef DEMO_ACPI_H
#define DEMO_ACPI_H

#include <stdint.h>

#define ACPI_MAX_CPUS 256

struct cpu_topology {
	unsigned nr_cpus;              /* enabled processors found */
	uint8_t apic_id[ACPI_MAX_CPUS];
	uint32_t lapic_addr;
	uint32_t ioapic_addr;           /* 0 if none */
	const char *source;            /* "ACPI MADT" */
};

/* 0, or -1 with a message when no RSDP or MADT can be found or a table's
 * checksum is wrong. */
int acpi_find_cpus(struct cpu_topology *topo);

#endif
