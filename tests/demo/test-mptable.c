/* tests/demo/test-mptable.c: the demo kernel's MP table parser
 * (examples/kernel/mptable.c, the same source, built hosted) on a made-up
 * first MiB of physical memory: a table like the one SeaBIOS writes, each
 * place the floating pointer may be, the default configurations, and
 * malformed tables, which must be refused with a message that says what is
 * wrong.  qemu boots with the real firmware's tables are in mptable.sh.
 *
 * The memory is a heap block of exactly MEM_SIZE bytes, so under
 * --enable-sanitizers a read past its end is an error, and the reader
 * refuses every range that does not lie inside it (as the kernel's refuses
 * what is not identity mapped). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cunit-run.h"

#include "mptable.h"

#define MEM_SIZE 0x100000u
#define EBDA 0x9FC00u
#define BASE_KIB 639u
#define FSEG 0xF0000u

static uint8_t *mem;

/* What the parser said (kprintf), for the tests to look at. */
static char msgs[16384];
static size_t msgs_len;

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msgs + msgs_len, sizeof(msgs) - msgs_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		msgs_len += (size_t)n < sizeof(msgs) - msgs_len ? (size_t)n : sizeof(msgs) - msgs_len - 1;
}

static const void *reader(uint32_t addr, uint32_t len)
{
	if (addr == 0 || addr > MEM_SIZE || len > MEM_SIZE - addr)
		return NULL;
	return mem + addr;
}

static void put16(uint32_t a, uint16_t v) { mem[a] = (uint8_t)v; mem[a + 1] = (uint8_t)(v >> 8); }
static void put32(uint32_t a, uint32_t v)
{
	put16(a, (uint16_t)v);
	put16(a + 2, (uint16_t)(v >> 16));
}

/* Set mem[at] so that the `len` bytes from `start` sum to 0. */
static void fix_sum(uint32_t start, uint32_t len, uint32_t at)
{
	uint8_t s = 0;
	mem[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[start + i]);
	mem[at] = (uint8_t)-s;
}

/* A machine with a BIOS data area (EBDA at 0x9FC00, 639 KiB base memory)
 * and no MP structures yet. */
static void mem_reset(void)
{
	memset(mem, 0, MEM_SIZE);
	put16(0x40E, EBDA >> 4);
	put16(0x413, BASE_KIB);
}

static void put_floating(uint32_t at, uint32_t config, uint8_t length, uint8_t spec, uint8_t type)
{
	memcpy(mem + at, "_MP_", 4);
	put32(at + 4, config);
	mem[at + 8] = length;
	mem[at + 9] = spec;
	mem[at + 11] = type;
	fix_sum(at, 16, at + 10);
}

/* A configuration table being built at `addr`. */
struct table {
	uint32_t addr, len;
	uint16_t count;
};

static struct table table_begin(uint32_t addr)
{
	memcpy(mem + addr, "PCMP", 4);
	mem[addr + 6] = 4;
	memcpy(mem + addr + 8, "BOCHSCPU", 8);
	memcpy(mem + addr + 16, "0.1         ", 12);
	put32(addr + 36, 0xFEE00000u);
	return (struct table){addr, 44, 0};
}

static void table_cpu(struct table *t, uint8_t id, uint8_t flags)
{
	uint32_t e = t->addr + t->len;
	memset(mem + e, 0, 20);
	mem[e] = 0;
	mem[e + 1] = id;
	mem[e + 2] = 0x14;
	mem[e + 3] = flags;
	t->len += 20;
	t->count++;
}

static void table_small(struct table *t, uint8_t type, uint8_t flags, uint32_t addr)
{
	uint32_t e = t->addr + t->len;
	memset(mem + e, 0, 8);
	mem[e] = type;
	mem[e + 3] = flags;
	put32(e + 4, addr);
	t->len += 8;
	t->count++;
}

/* Length, count and checksum as the entries say (the tests that want
 * them otherwise change them afterwards and call table_resum). */
static void table_resum(const struct table *t)
{
	fix_sum(t->addr, mem[t->addr + 4] | mem[t->addr + 5] << 8, t->addr + 7);
}

static void table_end(const struct table *t)
{
	put16(t->addr + 4, (uint16_t)t->len);
	put16(t->addr + 34, t->count);
	table_resum(t);
}

/* Like the table SeaBIOS writes for qemu -smp 4,sockets=4,maxcpus=5: the
 * processors (one hot-pluggable, so disabled), a bus, the I/O APIC, the
 * interrupt entries. */
static struct table put_seabios_like(uint32_t addr)
{
	struct table t = table_begin(addr);
	table_cpu(&t, 0, 0x03);
	for (uint8_t id = 1; id < 4; id++)
		table_cpu(&t, id, 0x01);
	table_cpu(&t, 4, 0x00);
	table_small(&t, 1, 0, 0x20415349); /* bus 0, "ISA " */
	table_small(&t, 2, 0x01, 0xFEC00000u);
	for (unsigned irq = 0; irq < 16; irq++)
		table_small(&t, 3, 0, irq);
	table_small(&t, 4, 0, 0);
	table_small(&t, 4, 0, 1);
	table_end(&t);
	return t;
}

static struct cpu_topology topo;

static int find(void)
{
	msgs_len = 0;
	msgs[0] = '\0';
	memset(&topo, 0xAA, sizeof(topo));
	int rc = mptable_find_cpus(reader, &topo);
	printf("    rc %d:\n", rc);
	for (const char *p = msgs; *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		printf("    | %.*s\n", n, p);
		p += n + (nl ? 1 : 0);
	}
	return rc;
}

static int said(const char *what)
{
	if (strstr(msgs, what))
		return 1;
	printf("    want a message containing: %s\n", what);
	return 0;
}

/* rc -1 and a message containing `what`. */
#define EXPECT_REFUSED(what)                  \
	do {                                  \
		CU_ASSERT_EQUAL(find(), -1);  \
		CU_ASSERT(said(what));        \
	} while (0)

static void test_seabios_like(void)
{
	mem_reset();
	put_seabios_like(0xF5BB0);
	put_floating(0xF5BA0, 0xF5BB0, 1, 4, 0);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT_EQUAL(topo.nr_cpus, 4);
	for (unsigned i = 0; i < 4 && i < topo.nr_cpus; i++)
		CU_ASSERT_EQUAL(topo.apic_id[i], i);
	CU_ASSERT_EQUAL(topo.lapic_addr, 0xFEE00000u);
	CU_ASSERT_EQUAL(topo.ioapic_addr, 0xFEC00000u);
	CU_ASSERT_EQUAL(topo.bsp_apic_id, 0);
	CU_ASSERT_STRING_EQUAL(topo.source, "MP table");
	CU_ASSERT(said("mptable: MP 1.4 configuration table at 0x000f5bb0 (floating pointer at "
		       "0x000f5ba0, OEM \"BOCHSCPU\"): 4 processors enabled, 1 disabled, boot "
		       "processor APIC ID 0, local APIC at 0xfee00000\n"));
}

/* The three places, searched in the specification's order, 16-byte
 * aligned only; the configuration table may be anywhere readable. */
static void test_where(void)
{
	/* Only in the F segment, not aligned: not found. */
	mem_reset();
	put_seabios_like(0x80000);
	put_floating(FSEG + 0x108, 0x80000, 1, 4, 0);
	EXPECT_REFUSED("mptable: no MP floating pointer structure (\"_MP_\") in the EBDA, the "
		       "last KiB of base memory or 0xf0000..0xfffff");
	/* Aligned, the last paragraph of the F segment. */
	put_floating(0xFFFF0, 0x80000, 1, 4, 0);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT(said("floating pointer at 0x000ffff0"));

	/* The EBDA before the F segment. */
	struct table t = table_begin(0x81000);
	table_cpu(&t, 7, 0x03);
	table_end(&t);
	put_floating(EBDA + 0x3F0, 0x81000, 1, 4, 0);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT_EQUAL(topo.nr_cpus, 1);
	CU_ASSERT_EQUAL(topo.apic_id[0], 7);
	CU_ASSERT(said("floating pointer at 0x0009fff0"));

	/* Without an EBDA: the last KiB of base memory, still before the F
	 * segment. */
	put16(0x40E, 0);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT(said("floating pointer at 0x000ffff0"));
	put_floating((BASE_KIB - 1) * 1024 + 0x20, 0x81000, 1, 4, 0);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT(said("floating pointer at 0x0009f820"));
	CU_ASSERT_EQUAL(topo.apic_id[0], 7);

	/* An EBDA pointer outside 0x80000..0xA0000 is not followed, nor a
	 * base memory size outside 512..640 KiB. */
	mem_reset();
	put_seabios_like(0x80000);
	put16(0x40E, 0x1000);
	put_floating(0x10000, 0x80000, 1, 4, 0);
	put16(0x413, 65);
	put_floating(64 * 1024 + 0x10, 0x80000, 1, 4, 0);
	EXPECT_REFUSED("no MP floating pointer structure");
}

/* A "_MP_" that fails a check is named and the search goes on. */
static void test_floating_checks(void)
{
	mem_reset();
	put_seabios_like(0x80000);
	put_floating(FSEG, 0x80000, 1, 4, 0);
	mem[FSEG + 12] ^= 1;
	put_floating(FSEG + 0x10, 0x80000, 2, 4, 0);
	put_floating(FSEG + 0x20, 0x80000, 1, 2, 0);
	EXPECT_REFUSED("no MP floating pointer structure");
	CU_ASSERT(said("mptable: ignoring \"_MP_\" at 0x000f0000: its checksum is wrong\n"));
	CU_ASSERT(said("mptable: ignoring \"_MP_\" at 0x000f0010: its length is not 1 (16 bytes)\n"));
	CU_ASSERT(said("mptable: ignoring \"_MP_\" at 0x000f0020: its specification revision is "
		       "neither 1 (MP 1.1) nor 4 (MP 1.4)\n"));
	put_floating(FSEG + 0x30, 0x80000, 1, 1, 0); /* MP 1.1 is fine */
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT(said("floating pointer at 0x000f0030"));
	CU_ASSERT_EQUAL(topo.nr_cpus, 4);
}

static void test_default_configuration(void)
{
	mem_reset();
	put_floating(FSEG, 0, 1, 1, 5);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT_EQUAL(topo.nr_cpus, 2);
	CU_ASSERT_EQUAL(topo.apic_id[0], 0);
	CU_ASSERT_EQUAL(topo.apic_id[1], 1);
	CU_ASSERT_EQUAL(topo.lapic_addr, 0xFEE00000u);
	CU_ASSERT_EQUAL(topo.ioapic_addr, 0xFEC00000u);
	CU_ASSERT_EQUAL(topo.bsp_apic_id, -1);
	CU_ASSERT(said("names default configuration 5: two processors"));
	put_floating(FSEG, 0, 1, 1, 8);
	EXPECT_REFUSED("mptable: floating pointer at 0x000f0000 names default configuration 8, "
		       "which the specification does not define (1..7)");
	put_floating(FSEG, 0, 1, 4, 0);
	EXPECT_REFUSED("mptable: floating pointer at 0x000f0000 names neither a configuration "
		       "table nor a default configuration");
}

/* The header: where it is, its signature, length, checksum, revision and
 * local APIC address. */
static void test_header_checks(void)
{
	mem_reset();
	put_floating(FSEG, MEM_SIZE + 0x1000, 1, 4, 0);
	EXPECT_REFUSED("the configuration table address 0x00101000 (floating pointer at "
		       "0x000f0000) is outside readable memory");
	put_floating(FSEG, 0xFFFFFFF0u, 1, 4, 0);
	EXPECT_REFUSED("the configuration table address 0xfffffff0 (floating pointer at "
		       "0x000f0000) is outside readable memory");

	/* The header readable, the rest of its length not. */
	table_begin(MEM_SIZE - 44);
	put16(MEM_SIZE - 44 + 4, 304);
	put_floating(FSEG, MEM_SIZE - 44, 1, 4, 0);
	EXPECT_REFUSED("configuration table at 0x000fffd4: base length 304 reaches beyond "
		       "readable memory");

	mem_reset();
	struct table t = put_seabios_like(0x80000);
	put_floating(FSEG, 0x80000, 1, 4, 0);
	memcpy(mem + 0x80000, "PCMQ", 4);
	EXPECT_REFUSED("mptable: no \"PCMP\" signature at 0x00080000, where the floating pointer "
		       "at 0x000f0000 puts the configuration table");
	memcpy(mem + 0x80000, "PCMP", 4);
	CU_ASSERT_EQUAL(find(), 0);
	mem[0x80000 + t.len - 1] ^= 0x40;
	EXPECT_REFUSED("configuration table at 0x00080000: checksum over its 304 bytes is wrong");
	mem[0x80000 + t.len - 1] ^= 0x40;
	put16(0x80000 + 4, 43);
	table_resum(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: base length 43 is shorter than its "
		       "44-byte header");
	put16(0x80000 + 4, 0);
	EXPECT_REFUSED("base length 0 is shorter than its 44-byte header");
	table_end(&t);
	mem[0x80000 + 6] = 2;
	table_resum(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: specification revision 2 is neither 1 "
		       "(MP 1.1) nor 4 (MP 1.4)");
	mem[0x80000 + 6] = 4;
	put32(0x80000 + 36, 0);
	table_resum(&t);
	EXPECT_REFUSED("local APIC address 0x00000000 is not a 4 KiB aligned address");
	put32(0x80000 + 36, 0xFEE00800u);
	table_resum(&t);
	EXPECT_REFUSED("local APIC address 0xfee00800 is not a 4 KiB aligned address");
}

/* The entries: their count against the length, their types and sizes. */
static void test_entry_bounds(void)
{
	mem_reset();
	struct table t = put_seabios_like(0x80000);
	put_floating(FSEG, 0x80000, 1, 4, 0);
	uint16_t count = t.count;

	put16(0x80000 + 34, (uint16_t)(count + 1));
	table_resum(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: its base length 304 holds 25 entries, "
		       "the header says 26");
	put16(0x80000 + 34, 0xFFFF);
	table_resum(&t);
	EXPECT_REFUSED("its base length 304 holds 25 entries, the header says 65535");
	put16(0x80000 + 34, (uint16_t)(count - 1));
	table_resum(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: its 24 entries end at byte 296, its "
		       "base length says 304");
	put16(0x80000 + 34, 0);
	table_resum(&t);
	EXPECT_REFUSED("its 0 entries end at byte 44, its base length says 304");

	/* The length cuts the last processor entry short. */
	mem_reset();
	t = table_begin(0x80000);
	table_cpu(&t, 0, 0x03);
	table_cpu(&t, 1, 0x01);
	table_end(&t);
	put_floating(FSEG, 0x80000, 1, 4, 0);
	CU_ASSERT_EQUAL(find(), 0);
	put16(0x80000 + 4, (uint16_t)(t.len - 12));
	table_resum(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: entry 1 (type 0, 20 bytes) runs past "
		       "its base length 72");

	/* A type the base table does not have: its size is unknown. */
	mem_reset();
	t = table_begin(0x80000);
	table_cpu(&t, 0, 0x03);
	table_small(&t, 5, 0, 0);
	table_end(&t);
	put_floating(FSEG, 0x80000, 1, 4, 0);
	EXPECT_REFUSED("configuration table at 0x00080000: entry 1 has type 5, not a base entry "
		       "type (0..4)");
	mem[0x80000 + 44 + 20] = 0x80; /* extended entry types start at 128 */
	table_resum(&t);
	EXPECT_REFUSED("entry 1 has type 128, not a base entry type (0..4)");
}

/* The processors: enabled, distinct, exactly one boot processor. */
static void test_processors(void)
{
	struct table t;
	mem_reset();
	put_floating(FSEG, 0x80000, 1, 4, 0);

	t = table_begin(0x80000);
	table_cpu(&t, 0, 0x03);
	table_cpu(&t, 3, 0x01);
	table_cpu(&t, 3, 0x01);
	table_end(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: two enabled processors with local "
		       "APIC ID 3");
	mem[0x80000 + 44 + 40 + 3] = 0; /* the second one disabled: fine */
	table_resum(&t);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT_EQUAL(topo.nr_cpus, 2);
	CU_ASSERT(said("2 processors enabled, 1 disabled"));

	t = table_begin(0x80000);
	table_cpu(&t, 0, 0x03);
	table_cpu(&t, 1, 0x03);
	table_end(&t);
	EXPECT_REFUSED("configuration table at 0x00080000: two boot processors (local APIC IDs 0 "
		       "and 1)");

	t = table_begin(0x80000);
	table_cpu(&t, 0, 0x01);
	table_cpu(&t, 1, 0x01);
	table_cpu(&t, 2, 0x02); /* disabled: its boot flag does not count */
	table_end(&t);
	EXPECT_REFUSED("configuration table at 0x00080000 marks no enabled processor as the boot "
		       "processor");

	t = table_begin(0x80000);
	table_cpu(&t, 0, 0x02);
	table_small(&t, 2, 0x01, 0xFEC00000u);
	table_end(&t);
	EXPECT_REFUSED("configuration table at 0x00080000 lists no enabled processor");

	/* The boot processor need not be the first entry, nor APIC ID 0; a
	 * disabled I/O APIC is skipped. */
	t = table_begin(0x80000);
	table_small(&t, 2, 0x00, 0xFEC01000u);
	table_small(&t, 2, 0x01, 0xFEC02000u);
	table_cpu(&t, 9, 0x01);
	table_cpu(&t, 5, 0x03);
	table_end(&t);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT_EQUAL(topo.nr_cpus, 2);
	CU_ASSERT_EQUAL(topo.apic_id[0], 9);
	CU_ASSERT_EQUAL(topo.apic_id[1], 5);
	CU_ASSERT_EQUAL(topo.bsp_apic_id, 5);
	CU_ASSERT_EQUAL(topo.ioapic_addr, 0xFEC02000u);

	/* Every xAPIC ID once: the topology's array is exactly full. */
	t = table_begin(0x80000);
	for (unsigned id = 0; id < 256; id++)
		table_cpu(&t, (uint8_t)id, id == 17 ? 0x03 : 0x01);
	table_end(&t);
	CU_ASSERT_EQUAL(find(), 0);
	CU_ASSERT_EQUAL(topo.nr_cpus, 256);
	CU_ASSERT_EQUAL(topo.apic_id[255], 255);
	CU_ASSERT_EQUAL(topo.bsp_apic_id, 17);
}

/* Any table at all, made by corrupting the SeaBIOS-like one (the checksum
 * fixed up, so the parser gets past it): found or refused with a message,
 * never more CPUs than distinct IDs, no read outside memory. */
static void test_corrupted(void)
{
	unsigned found = 0, refused = 0;
	uint32_t seed = 12345;
	for (unsigned round = 0; round < 20000; round++) {
		mem_reset();
		struct table t = put_seabios_like(0x80000);
		put_floating(FSEG, 0x80000, 1, 4, 0);
		unsigned flips = 1 + round % 4;
		for (unsigned f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t at = 0x80000 + (seed >> 8) % t.len;
			seed = seed * 1103515245u + 12345u;
			mem[at] = (uint8_t)(seed >> 16);
		}
		table_resum(&t);
		msgs_len = 0;
		msgs[0] = '\0';
		int rc = mptable_find_cpus(reader, &topo);
		if (rc == 0) {
			found++;
			uint8_t seen[256] = {0};
			CU_ASSERT(topo.nr_cpus >= 1 && topo.nr_cpus <= 256);
			for (unsigned i = 0; i < topo.nr_cpus && i < 256; i++)
				CU_ASSERT_EQUAL(seen[topo.apic_id[i]]++, 0);
			CU_ASSERT(strstr(msgs, "processors enabled") != NULL);
		} else {
			refused++;
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT(strncmp(msgs, "mptable: ", 9) == 0);
		}
	}
	printf("    corrupted tables: %u found, %u refused\n", found, refused);
	CU_ASSERT(found > 0 && refused > 0);
}

int main(void)
{
	mem = malloc(MEM_SIZE);
	if (!mem)
		return 2;
	static const struct cunit_test tests[] = {
		{"a table like SeaBIOS's", test_seabios_like},
		{"where the floating pointer is searched", test_where},
		{"floating pointer checks", test_floating_checks},
		{"default configurations", test_default_configuration},
		{"configuration table header checks", test_header_checks},
		{"entry counts, lengths and types", test_entry_bounds},
		{"processor entries", test_processors},
		{"corrupted tables", test_corrupted},
	};
	int rc = CUNIT_RUN("mptable", tests);
	free(mem);
	return rc;
}
