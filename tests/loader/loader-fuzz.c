/* tests/loader/loader-fuzz.c: libFuzzer target on the module loader's
 * parse and load path (make fuzz-loader).  Each input is loaded as a
 * module, stamped or not (both flags), from 4-byte aligned memory of
 * exactly its size; a module that loads is unloaded.  Besides the
 * sanitizers' findings, anything left behind (module pages, window
 * space, mapped pages) aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "loader-host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		if (loader_host_init())
			abort();
		ready = true;
	}
	uint8_t *file = malloc(size ? size : 1);
	if (!file)
		return 0;
	memcpy(file, data, size);
	for (unsigned flags = 0; flags <= MODULE_LOAD_UNSTAMPED; flags++) {
		struct loader_host_usage before, after;
		struct loaded_module lm;
		char err[300];
		loader_host_usage(&before);
		if (module_load(loader_host_rt(), file, size, "fuzz.o", flags, &lm, err, sizeof(err)) == 0 &&
		    module_unload(loader_host_rt(), &lm) != 0)
			abort();
		loader_host_usage(&after);
		if (!loader_host_same_usage(&before, &after)) {
			fprintf(stderr, "loader-fuzz: a load left something behind\n");
			abort();
		}
	}
	free(file);
	return 0;
}
