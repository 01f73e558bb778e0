/* plugin/percpu_args.c: the -fplugin-arg-percpu_plugin-KEY[=VALUE]
 * arguments, driven by one table that also prints `help`, so an argument
 * cannot be accepted without being documented or the other way round.
 *
 * Every mistake is an error that names the argument (the wording is in
 * percpu_diag.c): a typo in a kernel Makefile must not silently turn a
 * check off, and an argument given twice (a Makefile's flags appended to
 * a default) must not silently take whichever came last. */
#include "percpu_plugin.h"
#include <string>

struct percpu_options percpu_opts = {
  false, PERCPU_MODE_LOWER, -1, NULL, false, PERCPU_UNMARKED_WARN, -1
};

namespace {

/* Parse a decimal shift; false if it is not one in range. */
bool
apply_shift (const char *value)
{
  char *end;
  long v;

  if (ISDIGIT (*value))
    {
      errno = 0;
      v = strtol (value, &end, 10);
      if (!errno && !*end && v >= PERCPU_SHIFT_MIN && v <= PERCPU_SHIFT_MAX)
	{
	  percpu_opts.shift = (int) v;
	  return true;
	}
    }
  percpu_diag_arg_bad_value ("shift", value, "not a shift between "
			     PERCPU_STR (PERCPU_SHIFT_MIN) " and "
			     PERCPU_STR (PERCPU_SHIFT_MAX));
  return false;
}

bool
apply_report (const char *value)
{
  if (!*value)
    {
      percpu_diag_arg_bad_value ("report", value, "empty file name");
      return false;
    }
  percpu_opts.report_file = value;
  return true;
}

/* A value that is one of two words: *WHICH = 0 for FIRST, 1 for SECOND. */
bool
apply_choice (const char *key, const char *value, const char *what,
	      const char *first, const char *second, int *which)
{
  if (strcmp (value, first) && strcmp (value, second))
    {
      percpu_diag_arg_bad_choice (key, value, what, first, second);
      return false;
    }
  *which = strcmp (value, first) ? 1 : 0;
  return true;
}

bool
apply_mode (const char *value)
{
  int check;

  if (!apply_choice ("mode", value, "mode", "lower", "check", &check))
    return false;
  percpu_opts.mode = check ? PERCPU_MODE_CHECK : PERCPU_MODE_LOWER;
  return true;
}

bool
apply_unmarked_table (const char *value)
{
  int silent;

  if (!apply_choice ("unmarked-table", value, "setting", "warn", "silent",
		     &silent))
    return false;
  percpu_opts.unmarked_table = silent ? PERCPU_UNMARKED_SILENT
			       : PERCPU_UNMARKED_WARN;
  return true;
}

bool
apply_embed_report (const char *value)
{
  int no;

  if (!apply_choice ("embed-report", value, "setting", "yes", "no", &no))
    return false;
  percpu_opts.embed_report = !no;
  return true;
}

bool
apply_disable (const char *)
{
  percpu_opts.disabled = true;
  return true;
}

bool
apply_help (const char *)
{
  percpu_opts.help = true;
  return true;
}

/* One argument: its key, the value it takes (NULL: none), what `help`
 * says about it (lines separated by '\n'), and how it is applied (false:
 * the value was bad and has been reported). */
struct arg_spec
{
  const char *key;
  const char *value;
  const char *help;
  bool (*apply) (const char *value);
};

const arg_spec arg_specs[] = {
  { "shift", "N",
    "per-CPU stride is 1 << N (" PERCPU_STR (PERCPU_SHIFT_MIN) ".."
    PERCPU_STR (PERCPU_SHIFT_MAX) "); must agree with the\n"
    "percpu_offset_table attribute of the headers; gives the\n"
    ".note.percpu shift when the headers do not",
    apply_shift },
  { "report", "FILE",
    "write a JSON report of the unit's per-CPU variables and\n"
    "access sites to FILE",
    apply_report },
  { "mode", "lower|check",
    "lower: rewrite offset-table loads, move zero-initialised\n"
    "per-CPU variables to .bss.percpu, emit .note.percpu and\n"
    "diagnose (the default); check: diagnose and report only,\n"
    "the object is exactly as without the plugin",
    apply_mode },
  { "embed-report", "yes|no",
    "put the report into the object, in the non-allocated section\n"
    ".percpu.report, where it survives ccache, distcc and links\n"
    "(yes: the default in mode=lower; mode=check embeds nothing)",
    apply_embed_report },
  { "unmarked-table", "warn|silent",
    "problems found through a __per_cpu_offset without the\n"
    "percpu_offset_table attribute (classic mode, foreign code)\n"
    "are warnings (the default) or not diagnosed at all",
    apply_unmarked_table },
  { "disable", NULL,
    "do nothing; the attributes stay registered",
    apply_disable },
  { "help", NULL,
    "print this text",
    apply_help },
};

const unsigned n_arg_specs = sizeof arg_specs / sizeof arg_specs[0];

/* "'shift=', 'report=', ..., 'help'" (in GCC's quotes): for the
 * unknown-argument error. */
std::string
known_args (void)
{
  std::string list;

  for (unsigned i = 0; i < n_arg_specs; i++)
    {
      list += i ? ", " : "";
      list += open_quote;
      list += arg_specs[i].key;
      list += arg_specs[i].value ? "=" : "";
      list += close_quote;
    }
  return list;
}

} /* namespace */

void
percpu_print_help (FILE *out)
{
  const int help_column = 18;

  fprintf (out,
	   "percpu_plugin: per-CPU accesses as base + (cpu << shift), checked.\n"
	   "Arguments (-fplugin-arg-" PERCPU_PLUGIN_NAME "-ARG):\n");
  for (unsigned i = 0; i < n_arg_specs; i++)
    {
      const arg_spec &spec = arg_specs[i];
      std::string usage = spec.key;

      if (spec.value)
	usage = usage + "=" + spec.value;
      /* Usage in a column of its own, the help beside it or, for a long
       * usage, below it. */
      bool below = usage.size () > help_column - 3;
      fprintf (out, "  %s%s", usage.c_str (), below ? "\n" : "");
      int pad = below ? help_column : help_column - 2 - (int) usage.size ();
      for (const char *line = spec.help; *line;)
	{
	  const char *end = strchr (line, '\n');
	  int len = end ? (int) (end - line) : (int) strlen (line);

	  fprintf (out, "%*s%.*s\n", pad, "", len, line);
	  pad = help_column;
	  line += len + (end ? 1 : 0);
	}
    }
  fprintf (out, "Each argument at most once.  See docs/plugin.md for the "
	   "diagnostics and the report.\n");
}

bool
percpu_parse_args (int argc, const struct plugin_argument *argv)
{
  /* The argument that set each spec, to name both when one repeats. */
  const struct plugin_argument *given[n_arg_specs] = {};
  bool ok = true;

  for (int i = 0; i < argc; i++)
    {
      const struct plugin_argument *arg = &argv[i];
      unsigned s = 0;

      while (s < n_arg_specs && strcmp (arg_specs[s].key, arg->key))
	s++;
      if (s == n_arg_specs)
	{
	  percpu_diag_arg_unknown (arg->key, arg->value, known_args ().c_str ());
	  ok = false;
	  continue;
	}
      if (given[s])
	{
	  percpu_diag_arg_repeated (arg->key, given[s]->value, arg->value);
	  ok = false;
	  continue;
	}
      given[s] = arg;
      if (arg_specs[s].value && !arg->value)
	{
	  percpu_diag_arg_needs_value (arg->key);
	  ok = false;
	}
      else if (!arg_specs[s].value && arg->value)
	{
	  percpu_diag_arg_takes_no_value (arg->key, arg->value);
	  ok = false;
	}
      else if (!arg_specs[s].apply (arg->value))
	ok = false;
    }
  /* mode=check promises an object byte for byte as without the plugin. */
  if (ok && percpu_opts.mode == PERCPU_MODE_CHECK && percpu_opts.embed_report == 1)
    {
      percpu_diag_arg_bad_value ("embed-report", "yes", "mode=check changes "
				 "nothing in the object: its report goes to "
				 "report=FILE only");
      ok = false;
    }
  return ok;
}

bool
percpu_embed_report_p (void)
{
  return percpu_opts.mode == PERCPU_MODE_LOWER && percpu_opts.embed_report != 0;
}
