/* mptable.c: the CPUs from the Intel MultiProcessor Specification tables,
 * the fallback when the firmware has no ACPI.  A 16-byte floating pointer
 * structure ("_MP_") in one of three places names either a default
 * configuration (two CPUs) or a configuration table ("PCMP"): a header
 * with the local APIC address, then base entries whose size follows from
 * their type (20 bytes for a processor, 8 for the rest).
 *
 * The tables are firmware data: every length, count and address in them is
 * checked before it is used (against the others and against what `read`
 * says is readable), so a malformed table is refused with a message
 * instead of sending the parser through memory it should not touch. */
#include "fw_table.h"
#include "kernel.h"
#include "mptable.h"

struct mp_floating {
	char sig[4];          /* "_MP_" */
	uint32_t config;      /* physical address of the configuration table, or 0 */
	uint8_t length;       /* in 16-byte units: 1 */
	uint8_t spec_rev;     /* 1 (MP 1.1) or 4 (MP 1.4) */
	uint8_t checksum;     /* the 16 bytes sum to 0 */
	uint8_t features[5];  /* [0]: default configuration type, 0 = a table */
} __attribute__((packed));

struct mp_config {
	char sig[4];          /* "PCMP" */
	uint16_t base_length; /* header and base entries, in bytes */
	uint8_t spec_rev;
	uint8_t checksum;     /* the base_length bytes sum to 0 */
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count; /* base entries */
	uint32_t lapic_addr;
	uint16_t ext_length;  /* the extended entries after the base table (unused) */
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mp_config) == 44, "MP configuration table header is 44 bytes");

/* Base entry types and the processor entry's flags. */
#define MP_PROCESSOR 0
#define MP_IOAPIC 2
#define MP_LAST_BASE_TYPE 4 /* 1 bus, 3 I/O interrupt, 4 local interrupt */
#define MP_PROCESSOR_SIZE 20
#define MP_OTHER_SIZE 8
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02
#define MP_IOAPIC_ENABLED 0x01

/* What the default configurations (types 1..7) have: two CPUs with local
 * APIC IDs 0 and 1, the APICs at their architectural addresses. */
#define MP_DEFAULT_LAST_TYPE 7
#define MP_DEFAULT_LAPIC 0xFEE00000u
#define MP_DEFAULT_IOAPIC 0xFEC00000u

/* BIOS data area: the EBDA's segment and the KiB of base memory. */
#define BDA_EBDA_SEGMENT 0x40Eu
#define BDA_BASE_KIB 0x413u

/* The first valid floating pointer in [start, start + len), on a 16-byte
 * boundary; a "_MP_" that fails a check is named and skipped (the
 * specification's checksum is what tells a structure from stray bytes). */
static const struct mp_floating *scan(mptable_phys_reader read, uint32_t start, uint32_t len,
				      uint32_t *at)
{
	const uint8_t *area = read(start, len);
	if (!area)
		return NULL;
	for (uint32_t off = 0; off + sizeof(struct mp_floating) <= len; off += 16) {
		const struct mp_floating *fp = (const void *)(area + off);
		const char *why;
		if (memcmp(fp->sig, "_MP_", 4))
			continue;
		if (fp->length != 1)
			why = "its length is not 1 (16 bytes)";
		else if (!fw_checksum_ok(fp, sizeof(*fp)))
			why = "its checksum is wrong";
		else if (fp->spec_rev != 1 && fp->spec_rev != 4)
			why = "its specification revision is neither 1 (MP 1.1) nor 4 (MP 1.4)";
		else {
			*at = start + off;
			return fp;
		}
		kprintf("mptable: ignoring \"_MP_\" at 0x%08x: %s\n", start + off, why);
	}
	return NULL;
}

static const struct mp_floating *find_floating(mptable_phys_reader read, uint32_t *at)
{
	const struct mp_floating *fp = NULL;
	const uint8_t *bda = read(BDA_EBDA_SEGMENT, 2);
	uint32_t ebda = bda ? (uint32_t)fw_le16(bda) << 4 : 0;
	/* The EBDA is somewhere in the top 128 KiB of base memory; anything
	 * else in that word is not an EBDA pointer. */
	if (ebda >= 0x80000u && ebda + 1024 <= 0xA0000u)
		fp = scan(read, ebda, 1024, at);
	/* Base memory is 512 or 640 KiB, less what the EBDA takes. */
	const uint8_t *kib = read(BDA_BASE_KIB, 2);
	uint32_t base_kib = kib ? fw_le16(kib) : 0;
	if (!fp && base_kib >= 512 && base_kib <= 640 && (base_kib - 1) * 1024 != ebda)
		fp = scan(read, (base_kib - 1) * 1024, 1024, at);
	if (!fp)
		fp = scan(read, 0xF0000u, 0x10000u, at);
	return fp;
}

static unsigned entry_size(uint8_t type)
{
	if (type == MP_PROCESSOR)
		return MP_PROCESSOR_SIZE;
	return type <= MP_LAST_BASE_TYPE ? MP_OTHER_SIZE : 0;
}

/* The OEM ID, NUL-terminated and without its padding. */
static void oem_string(char out[9], const struct mp_config *h)
{
	unsigned n = 0;
	for (unsigned i = 0; i < sizeof(h->oem); i++) {
		char c = h->oem[i];
		out[i] = c >= 0x20 && c < 0x7F ? c : '?';
		if (c != ' ')
			n = i + 1;
	}
	out[n] = '\0';
}

static int parse_config(mptable_phys_reader read, uint32_t fp_at, uint32_t addr,
			struct cpu_topology *topo)
{
	const struct mp_config *h = read(addr, sizeof(*h));
	if (!h) {
		kprintf("mptable: the configuration table address 0x%08x (floating pointer at 0x%08x) "
			"is outside readable memory\n", addr, fp_at);
		return -1;
	}
	if (memcmp(h->sig, "PCMP", 4)) {
		kprintf("mptable: no \"PCMP\" signature at 0x%08x, where the floating pointer at "
			"0x%08x puts the configuration table\n", addr, fp_at);
		return -1;
	}
	uint32_t len = h->base_length;
	if (len < sizeof(*h)) {
		kprintf("mptable: configuration table at 0x%08x: base length %u is shorter than its "
			"%u-byte header\n", addr, len, (unsigned)sizeof(*h));
		return -1;
	}
	const uint8_t *t = read(addr, len);
	if (!t) {
		kprintf("mptable: configuration table at 0x%08x: base length %u reaches beyond "
			"readable memory\n", addr, len);
		return -1;
	}
	h = (const void *)t;
	if (!fw_checksum_ok(t, len)) {
		kprintf("mptable: configuration table at 0x%08x: checksum over its %u bytes is wrong\n",
			addr, len);
		return -1;
	}
	if (h->spec_rev != 1 && h->spec_rev != 4) {
		kprintf("mptable: configuration table at 0x%08x: specification revision %u is "
			"neither 1 (MP 1.1) nor 4 (MP 1.4)\n", addr, h->spec_rev);
		return -1;
	}
	if (!h->lapic_addr || (h->lapic_addr & 0xFFFu)) {
		kprintf("mptable: configuration table at 0x%08x: local APIC address 0x%08x is not "
			"a 4 KiB aligned address\n", addr, h->lapic_addr);
		return -1;
	}
	topo->lapic_addr = h->lapic_addr;

	/* Entries: exactly entry_count of them, exactly filling the base
	 * length (each is at least 8 bytes, so the loop ends within 8192
	 * rounds whatever the count says). */
	uint32_t seen[256 / 32] = {0};
	unsigned disabled = 0;
	uint32_t off = sizeof(*h);
	for (unsigned i = 0; i < h->entry_count; i++) {
		const uint8_t *p = t + off;
		if (off == len) {
			kprintf("mptable: configuration table at 0x%08x: its base length %u holds %u "
				"entries, the header says %u\n", addr, len, i, h->entry_count);
			return -1;
		}
		unsigned size = entry_size(p[0]);
		if (!size) {
			kprintf("mptable: configuration table at 0x%08x: entry %u has type %u, not a "
				"base entry type (0..%u)\n", addr, i, p[0], MP_LAST_BASE_TYPE);
			return -1;
		}
		if (size > len - off) {
			kprintf("mptable: configuration table at 0x%08x: entry %u (type %u, %u bytes) "
				"runs past its base length %u\n", addr, i, p[0], size, len);
			return -1;
		}
		if (p[0] == MP_PROCESSOR && !(p[3] & MP_CPU_ENABLED)) {
			disabled++;
		} else if (p[0] == MP_PROCESSOR) {
			uint8_t id = p[1];
			/* Starting one CPU twice would send INIT to a running CPU. */
			if (seen[id / 32] & (1u << (id % 32))) {
				kprintf("mptable: configuration table at 0x%08x: two enabled processors "
					"with local APIC ID %u\n", addr, id);
				return -1;
			}
			seen[id / 32] |= 1u << (id % 32);
			topo->apic_id[topo->nr_cpus++] = id; /* distinct IDs: at most 256 */
			if (p[3] & MP_CPU_BSP) {
				if (topo->bsp_apic_id >= 0) {
					kprintf("mptable: configuration table at 0x%08x: two boot "
						"processors (local APIC IDs %d and %u)\n", addr,
						topo->bsp_apic_id, id);
					return -1;
				}
				topo->bsp_apic_id = id;
			}
		} else if (p[0] == MP_IOAPIC && (p[3] & MP_IOAPIC_ENABLED) && !topo->ioapic_addr) {
			topo->ioapic_addr = fw_le32(p + 4);
		}
		off += size;
	}
	if (off != len) {
		kprintf("mptable: configuration table at 0x%08x: its %u entries end at byte %u, its "
			"base length says %u\n", addr, h->entry_count, off, len);
		return -1;
	}
	if (!topo->nr_cpus) {
		kprintf("mptable: configuration table at 0x%08x lists no enabled processor\n", addr);
		return -1;
	}
	if (topo->bsp_apic_id < 0) {
		kprintf("mptable: configuration table at 0x%08x marks no enabled processor as the "
			"boot processor\n", addr);
		return -1;
	}
	char oem[9];
	oem_string(oem, h);
	kprintf("mptable: MP 1.%u configuration table at 0x%08x (floating pointer at 0x%08x, OEM "
		"\"%s\"): %u processors enabled, %u disabled, boot processor APIC ID %d, local APIC "
		"at 0x%08x\n", h->spec_rev, addr, fp_at, oem, topo->nr_cpus, disabled,
		topo->bsp_apic_id, topo->lapic_addr);
	return 0;
}

int mptable_find_cpus(mptable_phys_reader read, struct cpu_topology *topo)
{
	topo->nr_cpus = 0;
	topo->lapic_addr = 0;
	topo->ioapic_addr = 0;
	topo->bsp_apic_id = -1;
	topo->source = "MP table";

	uint32_t fp_at = 0;
	const struct mp_floating *fp = find_floating(read, &fp_at);
	if (!fp) {
		kprintf("mptable: no MP floating pointer structure (\"_MP_\") in the EBDA, the last "
			"KiB of base memory or 0xf0000..0xfffff\n");
		return -1;
	}
	uint8_t type = fp->features[0];
	if (type > MP_DEFAULT_LAST_TYPE) {
		kprintf("mptable: floating pointer at 0x%08x names default configuration %u, which "
			"the specification does not define (1..%u)\n", fp_at, type,
			MP_DEFAULT_LAST_TYPE);
		return -1;
	}
	if (type) {
		topo->nr_cpus = 2;
		topo->apic_id[0] = 0;
		topo->apic_id[1] = 1;
		topo->lapic_addr = MP_DEFAULT_LAPIC;
		topo->ioapic_addr = MP_DEFAULT_IOAPIC;
		kprintf("mptable: floating pointer at 0x%08x names default configuration %u: two "
			"processors, local APIC IDs 0 and 1\n", fp_at, type);
		return 0;
	}
	if (!fp->config) {
		kprintf("mptable: floating pointer at 0x%08x names neither a configuration table nor "
			"a default configuration\n", fp_at);
		return -1;
	}
	return parse_config(read, fp_at, fp->config, topo);
}
