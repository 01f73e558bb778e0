/* topology.h: the CPUs the firmware lists, whichever table they came from
 * (acpi.c reads the ACPI MADT, mptable.c the Intel MP configuration table
 * when there is no ACPI).  smp.c starts them. */
#ifndef DEMO_TOPOLOGY_H
#define DEMO_TOPOLOGY_H

#include <stdint.h>

/* One per possible xAPIC ID. */
#define TOPO_MAX_CPUS 256

struct cpu_topology {
	unsigned nr_cpus;               /* enabled processors found */
	uint8_t apic_id[TOPO_MAX_CPUS];
	uint32_t lapic_addr;
	uint32_t ioapic_addr;           /* 0 if none */
	int bsp_apic_id;                /* the one the table marks as the boot
					 * processor, or -1 (the MADT marks none) */
	const char *source;             /* "ACPI MADT" or "MP table" */
};

#endif
