/* fw_checksum.h: the checksum of the firmware's tables (the ACPI RSDP and
 * tables, the MP floating pointer and configuration table alike): all
 * bytes of the structure, its checksum byte included, sum to 0 mod 256. */
#ifndef DEMO_FW_CHECKSUM_H
#define DEMO_FW_CHECKSUM_H

#include <stdbool.h>
#include <stdint.h>

static inline bool fw_checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + b[i]);
	return s == 0;
}

#endif
