/* Unit tests of mathlib, run by `make check`. */
#include <stdio.h>
#include <string.h>
#include "mathlib.h"

static int failures;

#define EXPECT(expr, want) do { \
        long got_ = (expr); \
        if (got_ != (want)) { \
            printf("FAIL %s = %ld, want %ld\n", #expr, got_, (long)(want)); \
            failures++; \
        } else { \
            printf("ok   %s = %ld\n", #expr, got_); \
        } \
    } while (0)

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(mathlib_version(), argv[1]) != 0) {
        printf("FAIL mathlib_version = %s, want %s\n", mathlib_version(), argv[1]);
        failures++;
    }
    EXPECT(mathlib_max(3, 7), 7);
    EXPECT(mathlib_min(3, 7), 3);
    EXPECT(mathlib_clamp(12, 0, 10), 10);
    EXPECT(mathlib_clamp(-4, 0, 10), 0);
    EXPECT(mathlib_clamp(5, 0, 10), 5);
    EXPECT(mathlib_gcd(12, 18), 6);
    EXPECT(mathlib_gcd(-12, 18), 6);
    EXPECT(mathlib_gcd(0, 5), 5);
    EXPECT(mathlib_ipow(2, 10), 1024);
    EXPECT(mathlib_ipow(-3, 3), -27);
    EXPECT(mathlib_ipow(7, 0), 1);
    EXPECT(mathlib_isqrt(0), 0);
    EXPECT(mathlib_isqrt(15), 3);
    EXPECT(mathlib_isqrt(16), 4);
    EXPECT(mathlib_isqrt(-1), -1);
    printf("%s\n", failures ? "FAILED" : "all tests passed");
    return failures ? 1 : 0;
}
