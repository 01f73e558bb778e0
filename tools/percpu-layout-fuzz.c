/* percpu-layout-fuzz.c: libFuzzer target on the tool's parsing path.
 *
 * Each input is written to a file and read the way the tool reads it
 * (libbfd, then the model, the checks and every output, into /dev/null),
 * so a crash anywhere from the ELF parsing to the SVG is found.  Inputs
 * that start with '{' go to the plugin-report JSON reader and the report
 * checks instead.
 * Built and run by `make fuzz`; crashes it found are kept, fixed, in
 * tests/layout/corpus/ and replayed by tests/layout/malformed.sh. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

static char input_path[64];
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	layout_read_init();
	snprintf(input_path, sizeof(input_path), "/tmp/percpu-layout-fuzz-%ld.o", (long)getpid());
	sink = fopen("/dev/null", "w");
	return sink ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layout_options opt = { 0 };
	struct layout l = { 0 };
	char err[512] = "";
	FILE *f;

	if (size > 0 && data[0] == '{') {
		struct report_text t = { (const char *)data, size };
		json_t *v = report_json_parse(&t, err, sizeof(err));

		if (v && layout_report_check(v, &t, err, sizeof(err)) == 0 &&
		    (!json_object_get(v, "variables") || !json_object_get(v, "accesses")))
			abort(); /* a report that passes has both arrays */
		if (err[0] && strchr(err, '\n'))
			abort(); /* errors are one line */
		json_decref(v);
		return 0;
	}
	f = fopen(input_path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	l.files = layout_xcalloc(1, sizeof(*l.files));
	if (layout_read_file(input_path, &l.files[0], err, sizeof(err)) < 0) {
		if (err[0] == '\0' || strchr(err, '\n'))
			abort(); /* every failure must say what is wrong, on one line */
		layout_file_free(&l.files[0]);
		free(l.files);
		return 0;
	}
	l.nr_files = 1;
	if (layout_model(&l, &opt, err, sizeof(err)) == 0) {
		layout_check(&l);
		layout_print_text(&l, sink);
		layout_print_json(&l, sink);
		layout_write_svg(&l, sink);
	}
	layout_free(&l);
	return 0;
}
