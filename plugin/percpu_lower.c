/* plugin/percpu_lower.c: the GIMPLE pass that makes per_cpu() cheap and
 * finds the per-CPU access sites.
 *
 * The headers expand per_cpu(var, cpu) to integer arithmetic,
 *     *(T *)((unsigned long)&var + __per_cpu_offset[cpu])
 * and in VM mode declare __per_cpu_offset with
 * __attribute__((percpu_offset_table(SHIFT))): the runtime keeps entry n
 * equal to n << SHIFT.  Right after the "ssa" pass we replace each load
 *     _2 = __per_cpu_offset[cpu_1];
 * by
 *     _5 = (unsigned long) cpu_1;  _2 = _5 << SHIFT;
 * and nothing else.  The address stays integer arithmetic on &var, so no
 * later pass assumes the result points into `var` (a POINTER_PLUS_EXPR on
 * &var would: false -Warray-bounds, __builtin_object_size 0, equality
 * folding).  A constant CPU folds here already, so `per_cpu(x, 3)` ends as
 * one absolute operand `x+0x300000`.  Lowering this early also means -flto
 * streams the rewritten code: lto1 runs without the plugin.
 *
 * The same walk finds what the report lists and what the diagnostics
 * check: which variable each access is for, constant CPUs out of range,
 * per_cpu() of something that is not per-CPU, and per-CPU variables
 * used directly. */
#include "percpu_plugin.h"

namespace {

const pass_data percpu_lower_pass_data = {
  GIMPLE_PASS,			/* type */
  "percpu_lower",		/* name (-fdump-tree-percpu_lower) */
  OPTGROUP_NONE,		/* optinfo_flags */
  TV_NONE,			/* tv_id */
  PROP_ssa | PROP_cfg,		/* properties_required */
  0,				/* properties_provided */
  0,				/* properties_destroyed */
  0,				/* todo_flags_start */
  TODO_update_ssa | TODO_rebuild_cgraph_edges	/* todo_flags_finish */
};

/* The statement loads one entry of the offset table: return the table and
 * the index, else NULL_TREE. */
tree
offset_table_load (gimple *stmt, tree *index)
{
  tree rhs, table;

  if (!is_gimple_assign (stmt) || !gimple_assign_single_p (stmt))
    return NULL_TREE;
  rhs = gimple_assign_rhs1 (stmt);
  if (TREE_CODE (rhs) != ARRAY_REF)
    return NULL_TREE;
  table = TREE_OPERAND (rhs, 0);
  if (!percpu_offset_table_p (table))
    return NULL_TREE;
  *index = TREE_OPERAND (rhs, 1);
  return table;
}

/* The declaration whose address OP is (through integer conversions),
 * or NULL_TREE when OP is not a known object's address (a dynamic
 * per-CPU pointer, say). */
tree
address_base_decl (tree op)
{
  for (int depth = 0; depth < 8; depth++)
    {
      if (TREE_CODE (op) == ADDR_EXPR)
	{
	  tree base = get_base_address (TREE_OPERAND (op, 0));
	  if (base && TREE_CODE (base) == MEM_REF
	      && TREE_CODE (TREE_OPERAND (base, 0)) == ADDR_EXPR)
	    base = get_base_address (TREE_OPERAND (TREE_OPERAND (base, 0), 0));
	  return base && DECL_P (base) ? base : NULL_TREE;
	}
      if (TREE_CODE (op) != SSA_NAME)
	return NULL_TREE;
      gimple *def = SSA_NAME_DEF_STMT (op);
      if (!is_gimple_assign (def))
	return NULL_TREE;
      enum tree_code code = gimple_assign_rhs_code (def);
      if (!CONVERT_EXPR_CODE_P (code) && code != ADDR_EXPR
	  && !(gimple_assign_single_p (def)
	       && TREE_CODE (gimple_assign_rhs1 (def)) == SSA_NAME))
	return NULL_TREE;
      op = gimple_assign_rhs1 (def);
    }
  return NULL_TREE;
}

/* The offset loaded into OFFSET is added, as an integer, to an address:
 * whose? */
tree
accessed_decl (tree offset)
{
  imm_use_iterator it;
  use_operand_p use;

  if (!offset || TREE_CODE (offset) != SSA_NAME)
    return NULL_TREE;
  FOR_EACH_IMM_USE_FAST (use, it, offset)
    {
      gimple *user = USE_STMT (use);
      if (!is_gimple_assign (user))
	continue;
      /* The headers' integer form only: pointer arithmetic on the table
       * (a runtime copying the template, `__per_cpu_start + off`) is
       * not an accessor and is none of our business. */
      if (gimple_assign_rhs_code (user) != PLUS_EXPR)
	continue;
      tree other = gimple_assign_rhs1 (user) == offset
		   ? gimple_assign_rhs2 (user) : gimple_assign_rhs1 (user);
      tree decl = address_base_decl (other);
      if (decl)
	return decl;
    }
  return NULL_TREE;
}

/* NR_CPUS as the table's type says it, or 0 if the bound is unknown. */
unsigned HOST_WIDE_INT
table_entries (tree table)
{
  tree domain = TYPE_DOMAIN (TREE_TYPE (table));

  if (!domain || !TYPE_MAX_VALUE (domain)
      || !tree_fits_uhwi_p (TYPE_MAX_VALUE (domain)))
    return 0;
  return tree_to_uhwi (TYPE_MAX_VALUE (domain)) + 1;
}

int
table_attr_shift (tree table)
{
  tree attr = lookup_attribute ("percpu_offset_table", DECL_ATTRIBUTES (table));

  if (!attr || !TREE_VALUE (attr))
    return -1;
  return (int) tree_to_shwi (TREE_VALUE (TREE_VALUE (attr)));
}

/* Is the CPU index the result of a percpu_this_cpu function (through
 * conversions)?  Then the access is to this CPU's copy, written in C. */
static bool
this_cpu_index_p (tree index)
{
  for (int depth = 0; depth < 8 && TREE_CODE (index) == SSA_NAME; depth++)
    {
      gimple *def = SSA_NAME_DEF_STMT (index);

      if (gcall *call = dyn_cast<gcall *> (def))
	return percpu_this_cpu_fn_p (gimple_call_fndecl (call));
      if (!is_gimple_assign (def)
	  || !CONVERT_EXPR_CODE_P (gimple_assign_rhs_code (def)))
	return false;
      index = gimple_assign_rhs1 (def);
    }
  return false;
}

/* Check and record one offset-table load, and rewrite it to a shift when
 * the table's contents are known.  Returns true if it rewrote. */
bool
lower_table_load (gimple_stmt_iterator *gsi, tree table, tree index)
{
  gimple *stmt = gsi_stmt (*gsi);
  location_t loc = gimple_location (stmt);
  tree lhs = gimple_assign_lhs (stmt);
  tree rhs = gimple_assign_rhs1 (stmt);
  tree decl = accessed_decl (lhs);
  int shift = table_attr_shift (table);
  bool constant = TREE_CODE (index) == INTEGER_CST;
  bool rewrite = percpu_opts.mode == PERCPU_MODE_LOWER && shift >= 0
		 && !TREE_THIS_VOLATILE (rhs);
  bool bad = false;

  if (constant)
    {
      unsigned HOST_WIDE_INT entries = table_entries (table);
      if (tree_int_cst_sgn (index) < 0
	  || (entries && compare_tree_int (index, entries) >= 0))
	{
	  percpu_diag_cpu_out_of_range (loc, index, table, entries);
	  bad = true;
	}
    }
  /* Objects of unknown size are linker-script symbols (__per_cpu_start
   * and friends), which do bound the per-CPU area. */
  if (decl && !percpu_var_p (decl) && COMPLETE_TYPE_P (TREE_TYPE (decl)))
    {
      percpu_diag_not_percpu (loc, decl, table);
      bad = true;
    }
  if (bad)
    rewrite = false;
  percpu_report_access (current_function_decl, loc,
			constant ? PERCPU_ACCESS_CONSTANT_CPU
			: this_cpu_index_p (index) ? PERCPU_ACCESS_THIS_CPU
			: PERCPU_ACCESS_VARIABLE_CPU,
			decl, index, rewrite);
  if (!rewrite)
    return false;

  tree type = TREE_TYPE (rhs);
  gimple_seq seq = NULL;
  tree cpu = gimple_convert (&seq, loc, type, index);
  tree offset = gimple_build (&seq, loc, LSHIFT_EXPR, type, cpu,
			      build_int_cst (integer_type_node, shift));
  if (seq)
    gsi_insert_seq_before (gsi, seq, GSI_SAME_STMT);
  gimple_assign_set_rhs_from_tree (gsi, offset);
  update_stmt (gsi_stmt (*gsi));
  return true;
}

/* An inline asm that names a per-CPU variable as an operand is a this-CPU
 * accessor (the i386 headers' single %fs-prefixed instructions). */
void
record_asm_accesses (gasm *stmt)
{
  unsigned n_in = gimple_asm_ninputs (stmt), n_out = gimple_asm_noutputs (stmt);

  for (unsigned i = 0; i < n_in + n_out; i++)
    {
      tree op = i < n_in ? gimple_asm_input_op (stmt, i)
			 : gimple_asm_output_op (stmt, i - n_in);
      tree val = TREE_VALUE (op);
      tree base = TREE_CODE (val) == ADDR_EXPR
		  ? get_base_address (TREE_OPERAND (val, 0))
		  : get_base_address (val);
      if (base && percpu_var_p (base))
	percpu_report_access (current_function_decl, gimple_location (stmt),
			      PERCPU_ACCESS_THIS_CPU, base, NULL_TREE, false);
    }
}

/* walk_stmt_load_store_ops callbacks: a per-CPU variable itself loaded or
 * stored, not through an accessor. */
bool
direct_use (gimple *stmt, tree base, bool store)
{
  if (base && percpu_var_p (base))
    percpu_diag_direct_access (gimple_location (stmt), base, store);
  return false;
}

bool
direct_load (gimple *stmt, tree base, tree, void *)
{
  return direct_use (stmt, base, false);
}

bool
direct_store (gimple *stmt, tree base, tree, void *)
{
  return direct_use (stmt, base, true);
}

class percpu_lower_pass : public gimple_opt_pass
{
public:
  percpu_lower_pass (gcc::context *ctx)
    : gimple_opt_pass (percpu_lower_pass_data, ctx)
  {}

  virtual unsigned int execute (function *fun);
};

unsigned int
percpu_lower_pass::execute (function *fun)
{
  basic_block bb;
  bool changed = false;

  FOR_EACH_BB_FN (bb, fun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	 gsi_next (&gsi))
      {
	gimple *stmt = gsi_stmt (gsi);
	tree table, index;

	if (is_gimple_debug (stmt))
	  continue;
	if (gasm *asm_stmt = dyn_cast<gasm *> (stmt))
	  {
	    record_asm_accesses (asm_stmt);
	    continue;
	  }
	if ((table = offset_table_load (stmt, &index)))
	  {
	    changed |= lower_table_load (&gsi, table, index);
	    continue;
	  }
	walk_stmt_load_store_ops (stmt, NULL, direct_load, direct_store);
      }
  return changed ? TODO_update_ssa : 0;
}

} /* namespace */

opt_pass *
percpu_make_lower_pass (gcc::context *ctx)
{
  return new percpu_lower_pass (ctx);
}
