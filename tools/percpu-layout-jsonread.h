/* percpu-layout-jsonread.h: reading a plugin report's JSON (jansson) and
 * finding where in the text a value is written, for the error messages. */
#ifndef PERCPU_LAYOUT_JSONREAD_H
#define PERCPU_LAYOUT_JSONREAD_H

#include <stddef.h>

#include <jansson.h>

/* The text a report was parsed from: the errors name positions in it. */
struct report_text {
	const char *text;
	size_t len;
};

/* Parse a report document: a JSON value, NULL with "LINE:COL: problem"
 * in err on bad input (a syntax error, a key written twice in one object,
 * an integer beyond jansson's 64-bit json_int_t). */
json_t *report_json_parse(const struct report_text *t, char *err, size_t errlen);

/* One step of a path into a document: an object's member (key), or an
 * array's element (key NULL, index). */
struct json_step {
	const char *key;
	size_t index;
};

/* Where the value at PATH (n steps from the top) starts in t, which
 * parsed: 1-based line and byte column.  jansson keeps no positions, so
 * this scans the text; only error messages need it. */
void json_locate(const struct report_text *t, const struct json_step *path, size_t n,
		 unsigned *line, unsigned *col);

/* Is root a plugin report of version 1 with every key the schema requires,
 * each of its type (percpu-layout-reportcheck.c)?  -1 with
 * "LINE:COL: problem" in err if not. */
int layout_report_check(json_t *root, const struct report_text *t, char *err, size_t errlen);

#endif /* PERCPU_LAYOUT_JSONREAD_H */
