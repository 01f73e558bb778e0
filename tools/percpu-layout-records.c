/* percpu-layout-records.c: the framing of the plugin's .percpu.report
 * section (percpu-vm/contract.h, docs/plugin.md "The report").
 *
 * Each unit the plugin lowers carries its report as one record: a 16-byte
 * header (magic, record version, encoding, length; little-endian) and
 * the JSON document.  Links concatenate the units' sections, so an image
 * holds a run of records; a linker may pad between them with zeros.
 * Everything a header says is checked against the bytes that are there
 * before the document is handed on: a record never reads past its
 * section. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <percpu-vm/contract.h>

#include "percpu-layout.h"

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int layout_record_next(const unsigned char *sec, size_t size, size_t *pos,
		       struct layout_record *rec, char *err, size_t errlen)
{
	const unsigned char *h;
	size_t at = *pos;
	unsigned version, encoding;
	uint32_t len;

	while (at < size && sec[at] == 0)
		at++;
	if (at >= size)
		return 0;
	rec->number++;
	rec->offset = at;
	h = sec + at;
	if (size - at < PERCPU_REPORT_RECORD_HEADER_SIZE)
		return snprintf(err, errlen, "record %u at byte %zu: %zu bytes left, a record header "
				"is %d: truncated", rec->number, at, size - at,
				PERCPU_REPORT_RECORD_HEADER_SIZE), -1;
	if (memcmp(h, PERCPU_REPORT_RECORD_MAGIC, PERCPU_REPORT_RECORD_MAGIC_SIZE) != 0)
		return snprintf(err, errlen, "record %u at byte %zu: no record magic \"%s\" (a "
				"truncated record before it, or not the plugin's section)",
				rec->number, at, PERCPU_REPORT_RECORD_MAGIC), -1;
	version = le16(h + 8);
	encoding = le16(h + 10);
	len = le32(h + 12);
	if (version != PERCPU_REPORT_RECORD_VERSION)
		return snprintf(err, errlen, "record %u at byte %zu: record version %u, this tool "
				"reads version %d", rec->number, at, version,
				PERCPU_REPORT_RECORD_VERSION), -1;
	if (encoding != PERCPU_REPORT_RECORD_ENCODING_JSON)
		return snprintf(err, errlen, "record %u at byte %zu: encoding %u, this tool reads "
				"%d (JSON text)", rec->number, at, encoding,
				PERCPU_REPORT_RECORD_ENCODING_JSON), -1;
	if (len > size - at - PERCPU_REPORT_RECORD_HEADER_SIZE)
		return snprintf(err, errlen, "record %u at byte %zu: length %lu runs past the "
				"section's end (%zu bytes left after the header)", rec->number, at,
				(unsigned long)len, size - at - PERCPU_REPORT_RECORD_HEADER_SIZE), -1;
	rec->text = (const char *)h + PERCPU_REPORT_RECORD_HEADER_SIZE;
	rec->len = len;
	*pos = at + PERCPU_REPORT_RECORD_HEADER_SIZE + len;
	return 1;
}
