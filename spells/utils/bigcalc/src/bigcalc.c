/* bigcalc EXPR... -- evaluates an integer expression (the arguments joined
   by spaces) and prints the result on one line. Operators, loosest first:
   + -, * / %, ^ (power, right-associative), unary -, parentheses.

     expr    := term (('+' | '-') term)*
     term    := unary (('*' | '/' | '%') unary)*
     unary   := '-' unary | power
     power   := primary ('^' unary)?
     primary := NUMBER | '(' expr ')'                                      */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mathlib.h>

#ifndef BIGCALC_VERSION
#define BIGCALC_VERSION "unknown"
#endif

static const char *p;

static void fail(const char *what)
{
    fprintf(stderr, "bigcalc: %s\n", what);
    exit(2);
}

static void skip(void)
{
    while (isspace((unsigned char)*p))
        p++;
}

static long long expr(void);
static long long unary(void);

static long long primary(void)
{
    long long v;
    skip();
    if (*p == '(') {
        p++;
        v = expr();
        skip();
        if (*p != ')')
            fail("missing )");
        p++;
        return v;
    }
    if (!isdigit((unsigned char)*p))
        fail("number expected");
    v = 0;
    while (isdigit((unsigned char)*p))
        v = v * 10 + (*p++ - '0');
    return v;
}

static long long power(void)
{
    long long base = primary();
    skip();
    if (*p == '^') {
        long long e;
        p++;
        e = unary();
        if (e < 0)
            fail("negative exponent");
        return mathlib_ipow((long)base, (unsigned long)e);
    }
    return base;
}

static long long unary(void)
{
    skip();
    if (*p == '-') {
        p++;
        return -unary();
    }
    return power();
}

static long long term(void)
{
    long long v = unary();
    for (;;) {
        char op;
        long long r;
        skip();
        op = *p;
        if (op != '*' && op != '/' && op != '%')
            return v;
        p++;
        r = unary();
        if (op == '*')
            v *= r;
        else if (r == 0)
            fail("division by zero");
        else if (op == '/')
            v /= r;
        else
            v %= r;
    }
}

static long long expr(void)
{
    long long v = term();
    for (;;) {
        char op;
        skip();
        op = *p;
        if (op != '+' && op != '-')
            return v;
        p++;
        if (op == '+')
            v += term();
        else
            v -= term();
    }
}

int main(int argc, char **argv)
{
    char line[4096] = "";
    long long v;
    int i;

    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("bigcalc %s (mathlib %s)\n", BIGCALC_VERSION, mathlib_version());
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bigcalc EXPR\n");
        return 2;
    }
    for (i = 1; i < argc; i++) {
        if (i > 1)
            strncat(line, " ", sizeof line - strlen(line) - 1);
        strncat(line, argv[i], sizeof line - strlen(line) - 1);
    }
    p = line;
    v = expr();
    skip();
    if (*p != '\0')
        fail("unexpected input");
    printf("%lld\n", v);
    return 0;
}
