/* percpu-layout-jsonread.h: the JSON reader the report merging uses. */
#ifndef PERCPU_LAYOUT_JSONREAD_H
#define PERCPU_LAYOUT_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

enum jval_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jval {
	enum jval_type type;
	bool boolean;
	double num;
	char *str;
	struct jval *items; /* array elements or object member values */
	char **keys;        /* object member names */
	size_t n;
};

/* Parse `len` bytes; -1 with "LINE:COL: problem" in err on bad input. */
int jval_parse(const char *text, size_t len, struct jval *out, char *err, size_t errlen);
void jval_free(struct jval *v);
/* An object's member, or NULL. */
const struct jval *jval_get(const struct jval *obj, const char *key);

#endif /* PERCPU_LAYOUT_JSONREAD_H */
