/* tests/hosted/api-ops.h: one sequence of every value-changing this_cpu op,
 * for the run tests (run-api.c on the hosted arch part, i386-fs.c on the
 * i386 %fs instructions) to run on a per-CPU variable and, through the
 * model_* "tier" below, on a plain variable: both must give the same
 * results, so each op is checked against what plain C computes.
 *
 * API_OPS_SEQUENCE(tier, var, T, k, out): tier is this_cpu, __this_cpu,
 * raw_cpu or model; T is var's type; k varies the values (the CPU number);
 * out[0..7] (of type T) get what the ops return. */
#ifndef API_OPS_H
#define API_OPS_H

#define API_OPS_SEQUENCE(tier, var, T, k, out)                                  \
	do {                                                                    \
		(out)[0] = tier##_add_return(var, (T)((k) + 1));                \
		tier##_sub(var, 3);                                             \
		tier##_or(var, 0x41);                                           \
		tier##_and(var, (T)~(T)2);                                      \
		tier##_add(var, 5);                                             \
		tier##_inc(var);                                                \
		tier##_dec(var);                                                \
		(out)[1] = tier##_xchg(var, (T)((out)[0] * 3));                 \
		(out)[2] = tier##_cmpxchg(var, (T)7, (T)1);   /* fails */       \
		(out)[3] = tier##_cmpxchg(var, (out)[2], (T)((out)[2] + 9));    \
		(out)[4] = tier##_inc_return(var);                              \
		(out)[5] = tier##_dec_return(var);                              \
		(out)[6] = tier##_read(var);                                    \
		tier##_write(var, (T)((out)[6] ^ (T)0x5a));                     \
		(out)[7] = tier##_read(var);                                    \
	} while (0)

/* The ops' meaning in plain C, on an ordinary lvalue. */
#define model_add(v, x)        ((v) = (__typeof__(v))((v) + (__typeof__(v))(x)))
#define model_sub(v, x)        ((v) = (__typeof__(v))((v) - (__typeof__(v))(x)))
#define model_and(v, x)        ((v) = (__typeof__(v))((v) & (__typeof__(v))(x)))
#define model_or(v, x)         ((v) = (__typeof__(v))((v) | (__typeof__(v))(x)))
#define model_inc(v)           model_add(v, 1)
#define model_dec(v)           model_sub(v, 1)
#define model_add_return(v, x) model_add(v, x)
#define model_inc_return(v)    model_add(v, 1)
#define model_dec_return(v)    model_sub(v, 1)
#define model_read(v)          (v)
#define model_write(v, x)      ((v) = (x))
#define model_xchg(v, x)                                                        \
	(__extension__({ __typeof__(v) o_ = (v); (v) = (x); o_; }))
#define model_cmpxchg(v, e, n)                                                  \
	(__extension__({ __typeof__(v) o_ = (v); if (o_ == (e)) (v) = (n); o_; }))

#endif
