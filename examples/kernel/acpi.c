/* acpi.c: the RSDP is in the first KiB of the EBDA or in 0xE0000-0xFFFFF
 * (on a 16-byte boundary); it points at the RSDT, whose "APIC" entry (the
 * MADT) lists one Processor Local APIC record per CPU.  Everything below
 * 1 MiB and the tables qemu puts at the top of RAM are identity mapped. */
#include "acpi.h"
#include "fw_table.h"
#include "kernel.h"

struct rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
} __attribute__((packed));

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

struct madt {
	struct sdt_header h;
	uint32_t lapic_addr;
	uint32_t flags;
	uint8_t entries[];
} __attribute__((packed));

static const struct rsdp *scan(uint32_t start, uint32_t len)
{
	for (uint32_t a = start; a + sizeof(struct rsdp) <= start + len; a += 16) {
		const struct rsdp *r = (const void *)(uintptr_t)a;
		if (!memcmp(r->sig, "RSD PTR ", 8) && fw_checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

int acpi_find_cpus(struct cpu_topology *topo)
{
	uint32_t ebda = (uint32_t)(*(const volatile uint16_t *)phys_to_ptr(0x40E)) << 4;
	const struct rsdp *r = NULL;
	if (ebda >= 0x80000 && ebda < 0xA0000)
		r = scan(ebda, 1024);
	if (!r)
		r = scan(0xE0000, 0x20000);
	if (!r) {
		kprintf("acpi: no RSDP found\n");
		return -1;
	}
	const struct sdt_header *rsdt = (const void *)(uintptr_t)r->rsdt;
	if (memcmp(rsdt->sig, "RSDT", 4) || !fw_checksum_ok(rsdt, rsdt->length)) {
		kprintf("acpi: RSDT at 0x%08x is not valid\n", r->rsdt);
		return -1;
	}
	const uint32_t *ent = (const uint32_t *)(rsdt + 1);
	unsigned n = (rsdt->length - (uint32_t)sizeof(*rsdt)) / 4;
	const struct madt *m = NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct sdt_header *h = (const void *)(uintptr_t)ent[i];
		if (!memcmp(h->sig, "APIC", 4)) {
			if (!fw_checksum_ok(h, h->length)) {
				kprintf("acpi: MADT at 0x%08x has a bad checksum\n", ent[i]);
				return -1;
			}
			m = (const void *)h;
		}
	}
	if (!m) {
		kprintf("acpi: no MADT in the RSDT\n");
		return -1;
	}
	topo->nr_cpus = 0;
	topo->lapic_addr = m->lapic_addr;
	topo->ioapic_addr = 0;
	topo->bsp_apic_id = -1;
	topo->source = "ACPI MADT";
	const uint8_t *p = m->entries, *end = (const uint8_t *)m + m->h.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		if (p[0] == 0 && p[1] >= 8) { /* Processor Local APIC */
			if ((fw_le32(p + 4) & 1) /* flags: enabled */ && topo->nr_cpus < TOPO_MAX_CPUS)
				topo->apic_id[topo->nr_cpus++] = p[3];
		} else if (p[0] == 1 && p[1] >= 12 && !topo->ioapic_addr) { /* IO APIC */
			topo->ioapic_addr = fw_le32(p + 4);
		}
		p += p[1];
	}
	return topo->nr_cpus ? 0 : -1;
}
