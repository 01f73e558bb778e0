/* A plain global named `percpu`: compiled with -fdata-sections it lands in
 * .data.percpu by name alone.  The kernel script must refuse it. */
int percpu = 1;
void _start(void);
void _start(void) { percpu++; }
