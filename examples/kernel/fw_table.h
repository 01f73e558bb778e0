/* fw_table.h: reading the firmware's tables (the ACPI RSDP and tables,
 * the MP floating pointer and configuration table alike): their checksum,
 * and their little-endian fields at any byte offset. */
#ifndef DEMO_FW_TABLE_H
#define DEMO_FW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* All bytes of the structure, its checksum byte included, sum to 0 mod 256. */
static inline bool fw_checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + b[i]);
	return s == 0;
}

static inline uint16_t fw_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t fw_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
