/* mathlib -- integer helpers. */
#include "mathlib.h"

#ifndef MATHLIB_VERSION
#define MATHLIB_VERSION "unknown"
#endif

const char *mathlib_version(void) { return MATHLIB_VERSION; }

long mathlib_max(long a, long b) { return a > b ? a : b; }
long mathlib_min(long a, long b) { return a < b ? a : b; }

long mathlib_clamp(long x, long lo, long hi)
{
    return mathlib_min(mathlib_max(x, lo), hi);
}

long mathlib_gcd(long a, long b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

long mathlib_ipow(long base, unsigned long exp)
{
    long result = 1;
    while (exp > 0) {
        if (exp & 1)
            result *= base;
        base *= base;
        exp >>= 1;
    }
    return result;
}

long mathlib_isqrt(long x)
{
    long r = 0;
    if (x < 0)
        return -1;
    while ((r + 1) * (r + 1) <= x)
        r++;
    return r;
}
