/* smp.h: starting the application processors and giving them work. */
#ifndef DEMO_SMP_H
#define DEMO_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "topology.h"

/* CPUs the demo may run: the configured possible CPUs, at most. */
unsigned smp_online_count(void);
bool smp_cpu_online(unsigned cpu);
/* The calling CPU's number, from its local APIC ID (works before its
 * per-CPU data exists). */
unsigned smp_cpu_id_slow(void);
/* Hotplug, as far as the demo goes: an idle AP stops (or starts again)
 * getting work and shootdowns.  It keeps running its idle loop, which
 * touches no per-CPU data. */
void smp_set_cpu_online(unsigned cpu, bool on);

/* Enable the boot CPU's local APIC at lapic_addr; its local APIC ID. */
uint8_t lapic_init_bsp(uint32_t lapic_addr);

/* Start every CPU the topology lists, up to max_cpus.  prepare(cpu) runs on
 * the boot CPU before that CPU is started (it maps the CPU's per-CPU
 * copy); started(cpu) runs on the new CPU once it has its %fs. */
unsigned smp_boot(const struct cpu_topology *topo, unsigned max_cpus,
		  int (*prepare)(unsigned cpu), void (*started)(unsigned cpu));

/* Run fn(arg) on `cpu` (an AP), asynchronously; smp_wait waits for it. */
void smp_call(unsigned cpu, void (*fn)(void *), void *arg);
void smp_wait(unsigned cpu);
/* Run fn(arg) on every online CPU at once (the caller's included). */
void smp_call_all(void (*fn)(void *), void *arg);

/* The same in two steps: start it on every other online CPU, wait for
 * them (the caller runs its own share in between). */
void smp_call_all_async_start(void (*fn)(void *), void *arg);
void smp_call_all_async_wait(void);

/* Flush the whole TLB of every other online CPU and wait for them. */
void smp_tlb_shootdown(void);

#endif
