/* plugin/percpu_args.c: the -fplugin-arg-percpu_plugin-KEY[=VALUE]
 * arguments.  An argument the plugin does not know is an error that names
 * it: a typo in a kernel Makefile must not silently turn a check off. */
#include "percpu_plugin.h"

struct percpu_options percpu_opts = { false, PERCPU_MODE_LOWER, -1, NULL, false };

void
percpu_print_help (FILE *out)
{
  fprintf (out,
"percpu_plugin: per-CPU accesses as base + (cpu << shift), checked.\n"
"Arguments (-fplugin-arg-" PERCPU_PLUGIN_NAME "-ARG):\n"
"  shift=N       per-CPU stride is 1 << N (%d..%d); must agree with the\n"
"                percpu_offset_table attribute of the headers; gives the\n"
"                .note.percpu shift when the headers do not\n"
"  report=FILE   write a JSON report of the unit's per-CPU variables and\n"
"                access sites to FILE\n"
"  mode=lower    rewrite offset-table loads and diagnose (default)\n"
"  mode=check    diagnose and report only, change no code\n"
"  disable       do nothing; the attributes stay registered\n"
"  help          print this text\n"
"See docs/plugin.md for the diagnostics and the report schema.\n",
	   PERCPU_MIN_SHIFT, PERCPU_MAX_SHIFT);
}

/* Parse a decimal shift; false if it is not one in range. */
static bool
parse_shift (const char *text, int *shift)
{
  char *end;
  long v;

  if (!text || !*text || !ISDIGIT (*text))
    return false;
  errno = 0;
  v = strtol (text, &end, 10);
  if (errno || *end || v < PERCPU_MIN_SHIFT || v > PERCPU_MAX_SHIFT)
    return false;
  *shift = (int) v;
  return true;
}

/* Report an argument that needs a value and got none (or the reverse). */
static bool
want_value (const struct plugin_argument *arg, bool needs)
{
  if (needs && !arg->value)
    {
      error ("%<-fplugin-arg-%s-%s%> needs a value: "
	     "%<-fplugin-arg-%s-%s=...%>", PERCPU_PLUGIN_NAME, arg->key,
	     PERCPU_PLUGIN_NAME, arg->key);
      return false;
    }
  if (!needs && arg->value)
    {
      error ("%<-fplugin-arg-%s-%s%> takes no value (got %qs)",
	     PERCPU_PLUGIN_NAME, arg->key, arg->value);
      return false;
    }
  return true;
}

bool
percpu_parse_args (int argc, const struct plugin_argument *argv)
{
  bool ok = true;

  for (int i = 0; i < argc; i++)
    {
      const struct plugin_argument *arg = &argv[i];
      const char *key = arg->key;

      if (!strcmp (key, "shift"))
	{
	  if (!want_value (arg, true))
	    ok = false;
	  else if (!parse_shift (arg->value, &percpu_opts.shift))
	    {
	      error ("%<-fplugin-arg-%s-shift=%s%>: not a shift between %d "
		     "and %d", PERCPU_PLUGIN_NAME, arg->value,
		     PERCPU_MIN_SHIFT, PERCPU_MAX_SHIFT);
	      ok = false;
	    }
	}
      else if (!strcmp (key, "report"))
	{
	  if (!want_value (arg, true))
	    ok = false;
	  else if (!*arg->value)
	    {
	      error ("%<-fplugin-arg-%s-report=%>: empty file name",
		     PERCPU_PLUGIN_NAME);
	      ok = false;
	    }
	  else
	    percpu_opts.report_file = arg->value;
	}
      else if (!strcmp (key, "mode"))
	{
	  if (!want_value (arg, true))
	    ok = false;
	  else if (!strcmp (arg->value, "lower"))
	    percpu_opts.mode = PERCPU_MODE_LOWER;
	  else if (!strcmp (arg->value, "check"))
	    percpu_opts.mode = PERCPU_MODE_CHECK;
	  else
	    {
	      error ("%<-fplugin-arg-%s-mode=%s%>: unknown mode (use %<lower%> "
		     "or %<check%>)", PERCPU_PLUGIN_NAME, arg->value);
	      ok = false;
	    }
	}
      else if (!strcmp (key, "disable"))
	{
	  if (!want_value (arg, false))
	    ok = false;
	  percpu_opts.disabled = true;
	}
      else if (!strcmp (key, "help"))
	{
	  if (!want_value (arg, false))
	    ok = false;
	  percpu_opts.help = true;
	}
      else
	{
	  error ("unknown argument %<-fplugin-arg-%s-%s%s%s%> (known: %<shift=%>, "
		 "%<report=%>, %<mode=%>, %<disable%>, %<help%>)", PERCPU_PLUGIN_NAME, key,
		 arg->value ? "=" : "", arg->value ? arg->value : "");
	  ok = false;
	}
    }
  return ok;
}
