/* mathlib.h -- integer helpers (static library libmathlib.a). */
#ifndef MATHLIB_H
#define MATHLIB_H

#ifdef __cplusplus
extern "C" {
#endif

const char *mathlib_version(void);
long mathlib_max(long a, long b);
long mathlib_min(long a, long b);
long mathlib_clamp(long x, long lo, long hi);
long mathlib_gcd(long a, long b);          /* always >= 0 */
long mathlib_ipow(long base, unsigned long exp);
long mathlib_isqrt(long x);                /* floor(sqrt(x)), -1 when x < 0 */

#ifdef __cplusplus
}
#endif

#endif
