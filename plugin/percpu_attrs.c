/* plugin/percpu_attrs.c: the attributes the headers use, which
 * variables are per-CPU, the checks on their declarations, and the move of
 * zero-initialised per-CPU variables to .bss.percpu.
 *
 *   __attribute__((percpu))                    on every per-CPU variable
 *   __attribute__((percpu_offset_table(N)))    on __per_cpu_offset, VM mode:
 *                                              the table holds n << N
 *   __attribute__((percpu_offset_table(N, B))) the same for a zero-based
 *                                              layout (Linux x86-64's): the
 *                                              table holds B + (n << N)
 *   __attribute__((percpu_this_cpu))           on a function that returns the
 *                                              CPU its caller runs on
 *                                              (smp_processor_id()), or on
 *                                              the per-CPU variable holding
 *                                              the CPU's offset (i386): for
 *                                              the report's this-CPU sites
 *
 * All are visible to __has_attribute, so the headers need no -D to know
 * the plugin is there. */
#include "percpu_plugin.h"
#include "hash-set.h"

int percpu_table_shift = -1;
unsigned HOST_WIDE_INT percpu_table_base;

static const char *const percpu_data_section = PERCPU_SECTION_DATA_NAME;
static const char *const percpu_bss_section = PERCPU_SECTION_ZERO_NAME;

/* The linker scripts' rule, from the header they are tested against. */
static bool
percpu_section_name_p (const char *name)
{
  return percpu_section_p (name);
}

bool
percpu_var_p (const_tree decl)
{
  if (!decl || TREE_CODE (decl) != VAR_DECL)
    return false;
  if (!TREE_STATIC (decl) && !DECL_EXTERNAL (decl))
    return false;
  if (lookup_attribute ("percpu", DECL_ATTRIBUTES (decl)))
    return true;
  return percpu_section_name_p (percpu_decl_section (decl));
}

bool
percpu_offset_table_attr_p (const_tree decl)
{
  return decl && TREE_CODE (decl) == VAR_DECL
	 && lookup_attribute ("percpu_offset_table", DECL_ATTRIBUTES (decl));
}

bool
percpu_offset_table_p (const_tree decl)
{
  if (!decl || TREE_CODE (decl) != VAR_DECL)
    return false;
  if (percpu_offset_table_attr_p (decl))
    return true;
  /* By name: classic mode's table (no attribute), or a foreign one. */
  if (!TREE_STATIC (decl) && !DECL_EXTERNAL (decl))
    return false;
  return DECL_NAME (decl)
	 && !strcmp (IDENTIFIER_POINTER (DECL_NAME (decl)), "__per_cpu_offset");
}

int
percpu_unit_shift (void)
{
  return percpu_table_shift >= 0 ? percpu_table_shift : percpu_opts.shift;
}

/* __attribute__((percpu)): a variable with static storage. */
static tree
handle_percpu_attribute (tree *node, tree name, tree, int, bool *no_add_attrs)
{
  tree decl = *node;

  if (TREE_CODE (decl) != VAR_DECL
      || (!TREE_STATIC (decl) && !DECL_EXTERNAL (decl)))
    {
      percpu_diag_attr_not_static (decl, name);
      *no_add_attrs = true;
      return NULL_TREE;
    }
  /* The section is given in percpu_finish_decl, once every attribute of
   * the declaration is known: setting it here would make GCC's own
   * handler of a later section attribute report a confusing conflict. */
  return NULL_TREE;
}

/* An offset is an unsigned integer as wide as an address, as the offset
 * table's entries and i386's pcpu_this_cpu_off are. */
static bool
offset_type_p (const_tree type)
{
  return INTEGRAL_TYPE_P (type) && TYPE_UNSIGNED (type)
	 && TYPE_PRECISION (type) == POINTER_SIZE;
}

/* The table's element type must hold an address offset. */
static bool
offset_table_type_ok (const_tree decl)
{
  tree type = TREE_TYPE (decl);

  return TREE_CODE (type) == ARRAY_TYPE && offset_type_p (TREE_TYPE (type));
}

/* ARG as an integer constant of its own type, through the casts a
 * kernel's constants carry (`(unsigned long)0xffffffffc0000000`, _AC()'s
 * suffixes), which the C++ front end may leave unfolded; NULL_TREE when
 * it is not one. */
static tree
integer_constant_arg (tree arg)
{
  if (!arg || !INTEGRAL_TYPE_P (TREE_TYPE (arg)))
    return NULL_TREE;
  if (TREE_CODE (arg) == INTEGER_CST)
    return arg;
  if (!CONVERT_EXPR_P (arg) && TREE_CODE (arg) != NON_LVALUE_EXPR)
    return NULL_TREE;
  tree inner = integer_constant_arg (TREE_OPERAND (arg, 0));
  return inner ? fold_convert (TREE_TYPE (arg), inner) : NULL_TREE;
}

/* The attribute's optional second argument, the base of the table's
 * entries, checked: an integer constant the entries hold, on a page.
 * Returns it in the entries' type, or NULL_TREE after an error. */
static tree
offset_table_base (tree decl, location_t loc, tree arg)
{
  tree elt = TYPE_MAIN_VARIANT (TREE_TYPE (TREE_TYPE (decl)));
  tree base = integer_constant_arg (arg);

  if (!base)
    {
      percpu_diag_bad_table_attr (loc, decl,
				  "its second argument, the base, must be an "
				  "integer constant");
      return NULL_TREE;
    }
  if (!int_fits_type_p (base, elt))
    {
      percpu_diag_table_base_too_big (loc, decl, base, TYPE_PRECISION (elt));
      return NULL_TREE;
    }
  if ((wi::to_wide (base) & (PERCPU_PAGE_SIZE - 1)) != 0)
    {
      percpu_diag_table_base_unaligned (loc, decl, base);
      return NULL_TREE;
    }
  return fold_convert (elt, base);
}

/* __attribute__((percpu_offset_table(SHIFT[, BASE]))) */
static tree
handle_offset_table_attribute (tree *node, tree, tree args, int,
			       bool *no_add_attrs)
{
  tree decl = *node;
  location_t loc = DECL_SOURCE_LOCATION (decl);
  tree arg = args ? TREE_VALUE (args) : NULL_TREE;
  tree base_arg = args ? TREE_CHAIN (args) : NULL_TREE;
  tree base = NULL_TREE;
  int shift;

  if (percpu_opts.disabled)
    return NULL_TREE;
  if (TREE_CODE (decl) != VAR_DECL || !offset_table_type_ok (decl))
    {
      percpu_diag_bad_table_attr (loc, decl,
				  "it applies only to an array of unsigned "
				  "integers as wide as a pointer");
      *no_add_attrs = true;
      return NULL_TREE;
    }
  if (!arg || TREE_CODE (arg) != INTEGER_CST || !tree_fits_shwi_p (arg)
      || tree_to_shwi (arg) < PERCPU_SHIFT_MIN
      || tree_to_shwi (arg) > PERCPU_SHIFT_MAX)
    {
      percpu_diag_bad_table_attr (loc, decl,
				  "its argument must be an integer constant "
				  "shift between " PERCPU_STR (PERCPU_SHIFT_MIN)
				  " and " PERCPU_STR (PERCPU_SHIFT_MAX));
      *no_add_attrs = true;
      return NULL_TREE;
    }
  shift = (int) tree_to_shwi (arg);
  /* GCC's own count check would allow any number (the spec says "up to
   * any"), so that this one can say what the arguments are. */
  if (base_arg && TREE_CHAIN (base_arg))
    {
      percpu_diag_bad_table_attr (loc, decl,
				  "it takes a shift and an optional base, no "
				  "more arguments");
      *no_add_attrs = true;
      return NULL_TREE;
    }
  if (base_arg)
    {
      base = offset_table_base (decl, loc, TREE_VALUE (base_arg));
      if (!base)
	{
	  *no_add_attrs = true;
	  return NULL_TREE;
	}
      /* The lowering reads the checked constant back from here. */
      TREE_VALUE (base_arg) = base;
    }
  if (percpu_opts.shift >= 0 && percpu_opts.shift != shift)
    {
      percpu_diag_shift_mismatch (loc, shift, percpu_opts.shift, true);
      *no_add_attrs = true;
      return NULL_TREE;
    }
  if (percpu_table_shift >= 0 && percpu_table_shift != shift)
    {
      percpu_diag_shift_mismatch (loc, shift, percpu_table_shift, false);
      *no_add_attrs = true;
      return NULL_TREE;
    }
  unsigned HOST_WIDE_INT base_value = base ? tree_to_uhwi (base) : 0;
  if (percpu_table_shift >= 0 && percpu_table_base != base_value)
    {
      percpu_diag_base_mismatch (loc, base_value, percpu_table_base);
      *no_add_attrs = true;
      return NULL_TREE;
    }
  percpu_table_shift = shift;
  percpu_table_base = base_value;
  return NULL_TREE;
}

/* __attribute__((percpu_this_cpu)): a function returning an integer, or a
 * variable (checked in percpu_finish_decl, once its other attributes say
 * whether it is per-CPU). */
static tree
handle_this_cpu_attribute (tree *node, tree name, tree, int, bool *no_add_attrs)
{
  tree decl = *node;

  if (TREE_CODE (decl) == VAR_DECL)
    return NULL_TREE;
  if (TREE_CODE (decl) != FUNCTION_DECL
      || !INTEGRAL_TYPE_P (TREE_TYPE (TREE_TYPE (decl))))
    {
      percpu_diag_attr_not_cpu_function (decl, name);
      *no_add_attrs = true;
    }
  return NULL_TREE;
}

bool
percpu_this_cpu_fn_p (const_tree fndecl)
{
  return fndecl && TREE_CODE (fndecl) == FUNCTION_DECL
	 && lookup_attribute ("percpu_this_cpu", DECL_ATTRIBUTES (fndecl));
}

bool
percpu_this_cpu_offset_p (const_tree decl)
{
  return decl && TREE_CODE (decl) == VAR_DECL
	 && lookup_attribute ("percpu_this_cpu", DECL_ATTRIBUTES (decl));
}

/* The attribute on a variable: it must be the per-CPU offset, or the
 * plugin would name the wrong object for this_cpu_ptr().  The attribute
 * goes, so the error is the only consequence. */
static void
check_this_cpu_offset (tree decl)
{
  if (!percpu_this_cpu_offset_p (decl)
      || (percpu_var_p (decl) && offset_type_p (TREE_TYPE (decl))))
    return;
  percpu_diag_attr_not_cpu_function (decl, get_identifier ("percpu_this_cpu"));
  DECL_ATTRIBUTES (decl) = remove_attribute ("percpu_this_cpu",
					     DECL_ATTRIBUTES (decl));
}

/* Positional initialisers: GCC 11 and 12 share this layout of
 * attribute_spec (name, min, max, decl, type, fn_type, affects identity,
 * handler, exclusions). */
static struct attribute_spec percpu_attr_spec = {
  "percpu", 0, 0, true, false, false, false, handle_percpu_attribute, NULL
};
static struct attribute_spec offset_table_attr_spec = {
  "percpu_offset_table", 1, -1, true, false, false, false,
  handle_offset_table_attribute, NULL
};
static struct attribute_spec this_cpu_attr_spec = {
  "percpu_this_cpu", 0, 0, true, false, false, false,
  handle_this_cpu_attribute, NULL
};

void
percpu_register_attributes (void *, void *)
{
  register_attribute (&percpu_attr_spec);
  register_attribute (&offset_table_attr_spec);
  register_attribute (&this_cpu_attr_spec);
}

/* Declarations already checked: the C front end hands the merged decl of
 * a redeclaration back to us. */
static hash_set<tree> *checked_decls;

/* -fdata-sections names a variable's section after it: a global called
 * `percpu` would land in .data.percpu or .bss.percpu and be taken for
 * per-CPU data by the linker scripts. */
static bool
data_sections_stray_p (const_tree decl)
{
  return flag_data_sections && TREE_STATIC (decl) && !DECL_EXTERNAL (decl)
	 && !percpu_decl_section (decl) && DECL_NAME (decl)
	 && !strcmp (IDENTIFIER_POINTER (DECL_NAME (decl)), "percpu");
}

void
percpu_finish_decl (void *event_data, void *)
{
  tree decl = (tree) event_data;
  const char *section;
  int shift;

  if (!decl || TREE_CODE (decl) != VAR_DECL)
    return;
  check_this_cpu_offset (decl);
  if (!percpu_var_p (decl))
    {
      if (data_sections_stray_p (decl))
	percpu_diag_stray_section (decl, ".data.percpu");
      return;
    }
  percpu_report_note_var (decl);
  if (!checked_decls)
    checked_decls = new hash_set<tree>;
  section = percpu_decl_section (decl);
  /* Marked per-CPU but given no section: .data.percpu (zero-initialised
   * ones move to .bss.percpu once the whole unit is known).  Not in
   * mode=check, which leaves the object as it would be without us. */
  if (!section && !DECL_EXTERNAL (decl)
      && percpu_opts.mode == PERCPU_MODE_LOWER)
    {
      set_decl_section_name (decl, percpu_data_section);
      section = percpu_data_section;
    }
  if (section && !percpu_section_name_p (section))
    {
      if (!checked_decls->add (decl))
	percpu_diag_bad_section (decl, section);
      return;
    }
  if (DECL_EXTERNAL (decl) || !COMPLETE_TYPE_P (TREE_TYPE (decl)))
    return;
  if (checked_decls->add (decl))
    return;
  /* Each CPU's copy has the stride less its guard page (contract.h): a
   * variable that needs more fails at link anyway, this says why here. */
  shift = percpu_unit_shift ();
  if (shift >= 0 && DECL_SIZE_UNIT (decl)
      && TREE_CODE (DECL_SIZE_UNIT (decl)) == INTEGER_CST
      && compare_tree_int (DECL_SIZE_UNIT (decl),
			   (HOST_WIDE_INT_1U << shift) - PERCPU_GUARD_SIZE) > 0)
    percpu_diag_too_big (decl, shift);
  if (DECL_ALIGN_UNIT (decl) > 4096)
    percpu_diag_overaligned (decl);
}

/* The flags GCC gives the section DECL is output in (what it compares to
 * report a "section type conflict"): read-only or writable, RELRO.  As
 * varasm computes them for a named section, with the name fixed so that
 * only the variable itself counts. */
static unsigned int
section_flags_of (tree decl)
{
  tree init = DECL_INITIAL (decl);
  int reloc = init && init != error_mark_node
	      ? compute_reloc_for_constant (init) : 0;

  return targetm.section_type_flags (decl, percpu_data_section, reloc);
}

/* Can zero-initialised variables move from .data.percpu to .bss.percpu
 * without changing whether the unit compiles?  GCC gives all variables of
 * one section the same flags, so a const (read-only) variable and a
 * writable one in one section are an error.  Moving is safe only when
 * every variable of the unit in either section has the same flags: then
 * both sections stay uniform.  Otherwise nothing moves and the unit fails
 * or compiles exactly as without the plugin (a const variable beside a
 * writable one in .data.percpu keeps its error; a const one in
 * .data.percpu and a writable one placed in .bss.percpu by hand keep
 * compiling). */
static bool
zero_vars_movable_p (void)
{
  varpool_node *node;
  bool seen = false;
  unsigned int flags = 0;

  FOR_EACH_DEFINED_VARIABLE (node)
    {
      tree decl = node->decl;
      const char *section = percpu_decl_section (decl);

      if (!section || (strcmp (section, percpu_data_section)
		       && strcmp (section, percpu_bss_section)))
	continue;
      if (seen && section_flags_of (decl) != flags)
	return false;
      flags = section_flags_of (decl);
      seen = true;
    }
  return true;
}

/* A per-CPU variable without initialiser, or one that is all zeros, need
 * not be stored in the image: .bss.percpu is zero-filled instead of copied. */
void
percpu_place_zero_vars (void)
{
  varpool_node *node;

  if (!zero_vars_movable_p ())
    return;
  FOR_EACH_DEFINED_VARIABLE (node)
    {
      tree decl = node->decl;
      const char *section = percpu_decl_section (decl);
      tree init = DECL_INITIAL (decl);

      if (!percpu_var_p (decl) || !section
	  || strcmp (section, percpu_data_section))
	continue;
      if (init == error_mark_node)
	continue;
      if (!init || initializer_zerop (init))
	set_decl_section_name (decl, percpu_bss_section);
    }
}
