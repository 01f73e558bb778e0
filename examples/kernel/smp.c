/* smp.c: the local APIC, INIT-SIPI-SIPI start-up of the application
 * processors, a mailbox per CPU for work, and the TLB shootdown IPI. */
#include <percpu-vm/percpu.h>

#include "delay.h"
#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "paging.h"
#include "pmem.h"
#include "smp.h"
#include "traps.h"

#define TRAMP_BASE 0x8000u
#define AP_STACK_PAGES 2
/* How long an AP has to call in after its start-up IPIs.  Under qemu it
 * takes milliseconds; the margin is for a host too busy to schedule the
 * AP's thread (Linux waits 10 s on real hardware). */
#define AP_START_TIMEOUT_US 5000000u

#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310

static volatile uint32_t *lapic;
static uint8_t cpu_apic_id[PERCPU_NR_CPUS];
static uint16_t apic_to_cpu[256];
static volatile bool online[PERCPU_NR_CPUS];
static volatile unsigned n_online = 1;
static void (*started_hook)(unsigned cpu);

struct mailbox {
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile unsigned posted, done;
};
static struct mailbox mbox[PERCPU_NR_CPUS];

static volatile unsigned shootdown_pending;

extern char tramp_start[], tramp_end[];
extern char tramp_gdtr[], tramp_cr3[], tramp_cr4[], tramp_nx[], tramp_stack[], tramp_entry[],
	tramp_cpu[];

static uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }
static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4]; /* wait for the write to land */
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
}

static void send_ipi(uint8_t apic_id, uint32_t icr_lo)
{
	lapic_write(LAPIC_ICR_HI, (uint32_t)apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (unsigned spin = 0; spin < 1000000 && (lapic_read(LAPIC_ICR_LO) & (1u << 12)); spin++)
		cpu_relax();
}

unsigned smp_cpu_id_slow(void)
{
	if (!lapic)
		return 0;
	return apic_to_cpu[lapic_read(LAPIC_ID) >> 24];
}

uint8_t lapic_init_bsp(uint32_t lapic_addr)
{
	lapic = (volatile uint32_t *)(uintptr_t)lapic_addr;
	lapic_enable();
	/* Legacy PIC: mask everything; the demo takes only IPIs. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	cpu_apic_id[0] = (uint8_t)(lapic_read(LAPIC_ID) >> 24);
	apic_to_cpu[cpu_apic_id[0]] = 0;
	online[0] = true;
	set_cpu_online(0, true);
	return cpu_apic_id[0];
}

unsigned smp_online_count(void) { return n_online; }

void smp_set_cpu_online(unsigned cpu, bool on)
{
	if (cpu == 0 || cpu >= PERCPU_NR_CPUS || online[cpu] == on)
		return;
	online[cpu] = on;
	set_cpu_online(cpu, on); /* for_each_online_cpu() (percpu.h) */
	if (on)
		__atomic_fetch_add(&n_online, 1, __ATOMIC_RELEASE);
	else
		__atomic_fetch_sub(&n_online, 1, __ATOMIC_RELEASE);
}
bool smp_cpu_online(unsigned cpu) { return cpu < PERCPU_NR_CPUS && online[cpu]; }

static void ap_idle(unsigned cpu)
{
	struct mailbox *m = &mbox[cpu];
	for (;;) {
		irq_disable();
		if (m->posted != m->done) {
			void (*fn)(void *) = m->fn;
			void *arg = m->arg;
			irq_enable();
			fn(arg);
			__atomic_store_n(&m->done, m->posted, __ATOMIC_RELEASE);
			continue;
		}
		/* sti takes effect after hlt starts: a wake-up IPI that arrives
		 * after the check above still ends the hlt. */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}

void ap_entry(unsigned cpu);
void ap_entry(unsigned cpu)
{
	gdt_load(cpu);
	idt_load();
	lapic_enable();
	if (started_hook)
		started_hook(cpu);
	/* Counted and in the CPU mask before the flag smp_boot() waits on:
	 * smp_boot() returns n_online as soon as it sees the flag, so a flag
	 * set first can be seen with the count not yet raised ("1 of 2 CPUs
	 * started", seen under qemu once the mask update, an atomic, stood
	 * between the two). */
	set_cpu_online(cpu, true);
	__atomic_fetch_add(&n_online, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&online[cpu], true, __ATOMIC_RELEASE);
	ap_idle(cpu);
}

/* Where `field` of trampoline.S is in its copy at TRAMP_BASE. */
static uintptr_t tramp_copy(const char *field)
{
	return TRAMP_BASE + SYM_DISTANCE(field, tramp_start);
}

static void tramp_set(const char *field, uint32_t v)
{
	*(volatile uint32_t *)tramp_copy(field) = v;
}

unsigned smp_boot(const struct cpu_topology *topo, unsigned max_cpus,
		  int (*prepare)(unsigned cpu), void (*started)(unsigned cpu))
{
	uint32_t gdt_base;
	uint16_t gdt_limit;
	unsigned next = 1;

	started_hook = started;
	if (max_cpus > PERCPU_NR_CPUS)
		max_cpus = PERCPU_NR_CPUS;
	memcpy((void *)(uintptr_t)TRAMP_BASE, tramp_start, SYM_DISTANCE(tramp_end, tramp_start));
	gdt_describe(&gdt_base, &gdt_limit);
	*(volatile uint16_t *)tramp_copy(tramp_gdtr) = gdt_limit;
	*(volatile uint32_t *)(tramp_copy(tramp_gdtr) + 2) = gdt_base;
	tramp_set(tramp_cr3, paging_cr3());
	tramp_set(tramp_cr4, paging_cr4());
	tramp_set(tramp_nx, paging_nx_enabled());
	tramp_set(tramp_entry, (uint32_t)(uintptr_t)&ap_entry);

	for (unsigned i = 0; i < topo->nr_cpus; i++) {
		uint8_t id = topo->apic_id[i];
		if (id == cpu_apic_id[0])
			continue;
		if (next >= max_cpus) {
			kprintf("smp: CPU with APIC ID %u not started: the kernel is configured for %u CPUs\n",
				id, max_cpus);
			continue;
		}
		unsigned cpu = next;
		uint32_t stack = pmem_alloc_pages(AP_STACK_PAGES);
		if (!stack) {
			kprintf("smp: no memory for CPU %u's stack\n", cpu);
			break;
		}
		if (prepare && prepare(cpu) != 0) {
			kprintf("smp: CPU %u (APIC ID %u) could not be prepared; not started\n", cpu, id);
			pmem_free_pages(stack, AP_STACK_PAGES);
			break;
		}
		cpu_apic_id[cpu] = id;
		apic_to_cpu[id] = (uint16_t)cpu;
		tramp_set(tramp_stack, stack + AP_STACK_PAGES * PAGE_SIZE);
		tramp_set(tramp_cpu, cpu);
		barrier();
		send_ipi(id, 0x4500); /* INIT, assert */
		udelay(10000);
		for (int sipi = 0; sipi < 2 && !online[cpu]; sipi++) {
			send_ipi(id, 0x4600 | (TRAMP_BASE >> 12)); /* Startup IPI */
			udelay(200);
		}
		for (uint64_t give_up = delay_deadline(AP_START_TIMEOUT_US);
		     !online[cpu] && !delay_passed(give_up);)
			cpu_relax();
		if (!online[cpu]) {
			kprintf("smp: CPU %u (APIC ID %u) did not start\n", cpu, id);
			break;
		}
		next++;
	}
	return n_online;
}

void smp_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct mailbox *m = &mbox[cpu];
	while (m->posted != m->done)
		cpu_relax();
	m->fn = fn;
	m->arg = arg;
	__atomic_store_n(&m->posted, m->posted + 1, __ATOMIC_RELEASE);
	send_ipi(cpu_apic_id[cpu], VEC_WAKE);
}

void smp_wait(unsigned cpu)
{
	struct mailbox *m = &mbox[cpu];
	while (__atomic_load_n(&m->done, __ATOMIC_ACQUIRE) != m->posted)
		cpu_relax();
}

void smp_call_all_async_start(void (*fn)(void *), void *arg)
{
	unsigned self = smp_cpu_id_slow();
	for (unsigned c = 0; c < PERCPU_NR_CPUS; c++)
		if (online[c] && c != self)
			smp_call(c, fn, arg);
}

void smp_call_all_async_wait(void)
{
	unsigned self = smp_cpu_id_slow();
	for (unsigned c = 0; c < PERCPU_NR_CPUS; c++)
		if (online[c] && c != self)
			smp_wait(c);
}

void smp_call_all(void (*fn)(void *), void *arg)
{
	smp_call_all_async_start(fn, arg);
	fn(arg);
	smp_call_all_async_wait();
}

void smp_handle_shootdown(void)
{
	write_cr3(read_cr3());
	__atomic_fetch_sub(&shootdown_pending, 1, __ATOMIC_RELEASE);
}

void smp_tlb_shootdown(void)
{
	unsigned self = smp_cpu_id_slow();
	unsigned n = 0;
	for (unsigned c = 0; c < PERCPU_NR_CPUS; c++)
		if (online[c] && c != self)
			n++;
	if (!n)
		return;
	__atomic_store_n(&shootdown_pending, n, __ATOMIC_RELEASE);
	for (unsigned c = 0; c < PERCPU_NR_CPUS; c++)
		if (online[c] && c != self)
			send_ipi(cpu_apic_id[c], VEC_TLB_SHOOTDOWN);
	while (__atomic_load_n(&shootdown_pending, __ATOMIC_ACQUIRE))
		cpu_relax();
}
