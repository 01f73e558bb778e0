/* tests/plugin/code/note-c.c: a unit that does not include the headers;
 * its stride comes from -fplugin-arg-percpu_plugin-shift=N alone. */
int note_c(void) { return 3; }
