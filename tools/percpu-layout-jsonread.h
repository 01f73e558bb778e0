/* percpu-layout-jsonread.h: the JSON reader the report merging uses. */
#ifndef PERCPU_LAYOUT_JSONREAD_H
#define PERCPU_LAYOUT_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jval_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

/* An object member's name and where it is written. */
struct jkey {
	char *name;
	unsigned line, col;
};

struct jval {
	enum jval_type type;
	unsigned line, col; /* where the value starts (1-based; columns in bytes) */
	bool boolean;
	double num;
	/* Numbers written as integers (no fraction, no exponent) whose
	 * magnitude fits 64 bits: exactly, beside the double. */
	bool integer, negative;
	uint64_t magnitude;
	char *str;
	struct jval *items; /* array elements or object member values */
	struct jkey *keys;  /* object member names */
	size_t n;
};

/* Parse `len` bytes; -1 with "LINE:COL: problem" in err on bad input.  A
 * key written twice in one object is bad input (naming the second). */
int jval_parse(const char *text, size_t len, struct jval *out, char *err, size_t errlen);
void jval_free(struct jval *v);
/* An object's member, or NULL. */
const struct jval *jval_get(const struct jval *obj, const char *key);

/* Is root a plugin report of version 1 with every key the schema requires,
 * each of its type (percpu-layout-reportcheck.c)?  -1 with
 * "PATH:LINE:COL: problem" in err if not. */
int layout_report_check(const struct jval *root, const char *path, char *err, size_t errlen);

#endif /* PERCPU_LAYOUT_JSONREAD_H */
