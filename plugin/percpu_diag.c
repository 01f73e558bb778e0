/* plugin/percpu_diag.c: every diagnostic the plugin gives, worded and
 * classed here so docs/plugin.md has one place to match.
 *
 * Errors are for code that cannot work: the address computed is outside
 * the per-CPU window or belongs to something else, or the variable cannot
 * be placed (warnings where the table is known by its name only, below).  The one warning is for a direct use of a per-CPU variable,
 * which is wrong in almost all code but means CPU 0's copy in VM mode,
 * something early boot code may want (it should say per_cpu(x, 0)).
 *
 * Locations are GCC's own: the statement's location inside the accessor
 * macro, which GCC prints with "in expansion of macro" notes leading to
 * the user's line. */
#include "percpu_plugin.h"

void
percpu_diag_direct_access (location_t loc, tree var, bool store)
{
  auto_diagnostic_group d;
  if (warning_at (loc, 0, "per-CPU variable %qD %s directly: that is CPU 0%'s "
		  "copy (the load template in classic mode), not the "
		  "current CPU%'s", var, store ? "written" : "read"))
    inform (DECL_SOURCE_LOCATION (var), "%qD defined here; access it with "
	    "%<per_cpu%>, %<this_cpu_read%> or %<this_cpu_write%>", var);
}

/* Problems found through the offset table are errors when the table
 * carries percpu_offset_table (VM mode: the unit uses our headers, and the
 * code cannot work).  A table recognised by its name only may be anyone's
 * (classic mode, or foreign code with an array of that name): there they
 * are warnings, or nothing with unmarked-table=silent, so that the plugin
 * never makes a unit fail that compiles without it.  The first such
 * warning of a unit says why it is one and how to turn it off. */
static bool
table_diag (location_t loc, tree table, const char *gmsgid, ...)
  ATTRIBUTE_GCC_DIAG (3, 4);

static bool
table_diag (location_t loc, tree table, const char *gmsgid, ...)
{
  static bool explained;
  bool unmarked = !percpu_offset_table_attr_p (table);
  va_list ap;
  bool shown;

  if (unmarked && percpu_opts.unmarked_table == PERCPU_UNMARKED_SILENT)
    return false;
  va_start (ap, gmsgid);
  shown = emit_diagnostic_valist (unmarked ? DK_WARNING : DK_ERROR, loc, 0,
				  gmsgid, &ap);
  va_end (ap);
  if (shown && unmarked && !explained)
    {
      explained = true;
      inform (DECL_SOURCE_LOCATION (table), "%qD has no %<percpu_offset_table%> "
	      "attribute and is taken for the per-CPU offset table by its name "
	      "only, so this is a warning; %<-fplugin-arg-%s-unmarked-table=silent%> "
	      "turns such warnings off", table, PERCPU_PLUGIN_NAME);
    }
  return shown;
}

void
percpu_diag_not_percpu (location_t loc, tree decl, tree table)
{
  auto_diagnostic_group d;
  if (table_diag (loc, table, "%qD is not a per-CPU variable: %<per_cpu%> of "
		  "it computes an address in another CPU%'s window that holds "
		  "something else", decl))
    inform (DECL_SOURCE_LOCATION (decl), "%qD declared here; define it with "
	    "%<DEFINE_PER_CPU%> or declare it with %<DECLARE_PER_CPU%>", decl);
}

void
percpu_diag_cpu_out_of_range (location_t loc, tree cpu, tree table,
			      unsigned HOST_WIDE_INT nr_cpus)
{
  table_diag (loc, table, "CPU %E is out of range: the per-CPU offset table "
	      "has %<NR_CPUS%> = %wu entries (CPUs 0 to %wu)", cpu, nr_cpus,
	      nr_cpus - 1);
}

void
percpu_diag_too_big (tree decl, int shift)
{
  unsigned HOST_WIDE_INT stride = HOST_WIDE_INT_1U << shift;

  error_at (DECL_SOURCE_LOCATION (decl), "per-CPU variable %qD is %E bytes, "
	    "more than the %wu bytes each CPU has: the per-CPU stride "
	    "(%wu bytes, shift %d) less its %u-byte guard page, which is "
	    "never mapped so that an overflow off CPU n%'s copy faults "
	    "instead of reaching CPU n+1%'s", decl, DECL_SIZE_UNIT (decl),
	    stride - PERCPU_GUARD_SIZE, stride, shift, PERCPU_GUARD_SIZE);
}

void
percpu_diag_overaligned (tree decl)
{
  error_at (DECL_SOURCE_LOCATION (decl), "per-CPU variable %qD is aligned "
	    "to %u bytes, beyond a page (4096 bytes): per-CPU areas are "
	    "placed with page alignment at most", decl, DECL_ALIGN_UNIT (decl));
}

void
percpu_diag_bad_section (tree decl, const char *section)
{
  error_at (DECL_SOURCE_LOCATION (decl), "per-CPU variable %qD is placed in "
	    "section %qs: per-CPU variables must be in %<.data.percpu%>, "
	    "%<.bss.percpu%>, %<.data..percpu%> or %<.bss..percpu%>, alone or "
	    "followed by %<.%> and a suffix, or the linker puts them outside "
	    "the per-CPU window", decl, section);
}

void
percpu_diag_stray_section (tree decl, const char *section)
{
  warning_at (DECL_SOURCE_LOCATION (decl), 0, "with %<-fdata-sections%>, "
	      "%qD lands in section %qs (or in %<.bss.percpu%>), which the linker "
	      "scripts take for per-CPU data; rename it or give it a "
	      "%<section%> attribute", decl, section);
}

void
percpu_diag_shift_mismatch (location_t loc, int attr_shift, int other,
			    bool other_from_arg)
{
  if (other_from_arg)
    error_at (loc, "the per-CPU offset table is declared with shift %d but "
	      "%<-fplugin-arg-%s-shift=%d%> was given: the headers and the "
	      "build flags come from different configurations", attr_shift,
	      PERCPU_PLUGIN_NAME, other);
  else
    error_at (loc, "the per-CPU offset table is declared with shift %d here "
	      "and with shift %d before: two configurations are mixed in "
	      "one unit", attr_shift, other);
}

void
percpu_diag_bad_table_attr (location_t loc, tree decl, const char *why)
{
  error_at (loc, "%<percpu_offset_table%> attribute on %qD is invalid: %s",
	    decl, why);
}

/* A base as the kernel writes it: hex, or the negative number a signed
 * constant was. */
static void
print_table_base (tree base, char *buf)
{
  if (tree_int_cst_sgn (base) < 0)
    print_dec (wi::to_wide (base), buf, SIGNED);
  else
    print_hex (wi::to_wide (base), buf);
}

void
percpu_diag_table_base_too_big (location_t loc, tree decl, tree base,
				unsigned int bits)
{
  char value[WIDE_INT_PRINT_BUFFER_SIZE];

  print_table_base (base, value);
  error_at (loc, "%<percpu_offset_table%> attribute on %qD is invalid: its "
	    "base, %s, does not fit the table%'s entries (unsigned, %u bits)",
	    decl, value, bits);
}

void
percpu_diag_table_base_unaligned (location_t loc, tree decl, tree base)
{
  char value[WIDE_INT_PRINT_BUFFER_SIZE];

  print_table_base (base, value);
  error_at (loc, "%<percpu_offset_table%> attribute on %qD is invalid: its "
	    "base, %s, is not a multiple of the %u-byte page: every CPU%'s "
	    "copy starts on a page", decl, value, PERCPU_PAGE_SIZE);
}

void
percpu_diag_base_mismatch (location_t loc, unsigned HOST_WIDE_INT attr_base,
			   unsigned HOST_WIDE_INT other)
{
  error_at (loc, "the per-CPU offset table is declared with base %wx here "
	    "and with base %wx before: two configurations are mixed in one "
	    "unit", attr_base, other);
}

void
percpu_diag_attr_not_static (tree decl, tree name)
{
  error_at (DECL_SOURCE_LOCATION (decl),
	    "%qE attribute applies only to variables with static storage",
	    name);
}

void
percpu_diag_attr_not_cpu_function (tree decl, tree name)
{
  error_at (DECL_SOURCE_LOCATION (decl),
	    "%qE attribute applies only to a function that returns the "
	    "number of the current CPU (an integer), or to a per-CPU "
	    "variable that holds the current CPU%'s offset (an unsigned "
	    "integer as wide as a pointer)", name);
}

/* ---- without a source location: GCC prints "cc1: error: ..." ---- */

void
percpu_diag_gcc_version (const char *built_for, const char *built_date,
			 const char *loaded_by, const char *loaded_date)
{
  error ("%s: built for GCC %s (%s), but loaded by GCC %s (%s); GCC plugins "
	 "work only with the exact GCC whose plugin headers built them: "
	 "rebuild the plugin with this GCC%'s plugin headers "
	 "(Debian: gcc-%d-plugin-dev) or use the plugin built for it",
	 PERCPU_PLUGIN_NAME, built_for, built_date, loaded_by, loaded_date,
	 atoi (loaded_by));
}

/* Called right after the failing call, so errno (%m) is still its. */
void
percpu_diag_report_unwritable (const char *file)
{
  error ("%s: cannot write the report to %qs: %m", PERCPU_PLUGIN_NAME, file);
}

/* ---- the plugin's arguments (percpu_args.c) ----
 * Given before any source is read, so without a location: GCC prints them
 * as "cc1: error: ...". */

void
percpu_diag_arg_unknown (const char *key, const char *value, const char *known)
{
  error ("unknown argument %<-fplugin-arg-%s-%s%s%s%> (known: %s)",
	 PERCPU_PLUGIN_NAME, key, value ? "=" : "", value ? value : "", known);
}

void
percpu_diag_arg_repeated (const char *key, const char *first,
			  const char *again)
{
  if (first && again)
    error ("%<-fplugin-arg-%s-%s%> is given twice (%<%s=%s%>, then "
	   "%<%s=%s%>): give it once, so that which one counts does not "
	   "depend on the order of the flags", PERCPU_PLUGIN_NAME, key,
	   key, first, key, again);
  else
    error ("%<-fplugin-arg-%s-%s%> is given twice: give it once",
	   PERCPU_PLUGIN_NAME, key);
}

void
percpu_diag_arg_needs_value (const char *key)
{
  error ("%<-fplugin-arg-%s-%s%> needs a value: %<-fplugin-arg-%s-%s=...%>",
	 PERCPU_PLUGIN_NAME, key, PERCPU_PLUGIN_NAME, key);
}

void
percpu_diag_arg_takes_no_value (const char *key, const char *value)
{
  error ("%<-fplugin-arg-%s-%s%> takes no value (got %qs)",
	 PERCPU_PLUGIN_NAME, key, value);
}

void
percpu_diag_arg_bad_value (const char *key, const char *value,
			   const char *why)
{
  error ("%<-fplugin-arg-%s-%s=%s%>: %s", PERCPU_PLUGIN_NAME, key, value, why);
}

void
percpu_diag_arg_bad_choice (const char *key, const char *value,
			    const char *what, const char *choice1,
			    const char *choice2)
{
  error ("%<-fplugin-arg-%s-%s=%s%>: unknown %s (use %qs or %qs)",
	 PERCPU_PLUGIN_NAME, key, value, what, choice1, choice2);
}
