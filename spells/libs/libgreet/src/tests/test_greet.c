/* Unit tests of libgreet, run by `make check` against the library just
   built (not an installed one). */
#include <stdio.h>
#include <string.h>
#include "greet.h"

static int failures;

static void expect(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got, want);
        failures++;
    } else {
        printf("ok   %s\n", what);
    }
}

int main(int argc, char **argv)
{
    char buf[64];
    int n;

    if (argc > 1)
        expect("greet_version", greet_version(), argv[1]);
    expect("greet_salutation", greet_salutation(), "Hello");

    greet_format(buf, sizeof buf, "jux");
    expect("greet_format name", buf, "Hello, jux!");
    greet_format(buf, sizeof buf, NULL);
    expect("greet_format NULL", buf, "Hello, world!");
    greet_format(buf, sizeof buf, "");
    expect("greet_format empty", buf, "Hello, world!");

    n = greet_format(buf, 6, "truncated");
    expect("greet_format truncates", buf, "Hello");
    if (n != (int)strlen("Hello, truncated!")) {
        printf("FAIL greet_format length: got %d\n", n);
        failures++;
    } else {
        printf("ok   greet_format length\n");
    }

    printf("%s\n", failures ? "FAILED" : "all tests passed");
    return failures ? 1 : 0;
}
