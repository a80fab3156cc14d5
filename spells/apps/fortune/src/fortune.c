/* fortune [N] -- prints "Hello, fortune seeker!" (made by libgreet) and
   fortune number N (default 0; taken modulo the number of fortunes). */
#include <stdio.h>
#include <stdlib.h>
#include <greet.h>

static const char *fortunes[] = {
    "You will build from source and be happy.",
    "A loose dependency is rebuilt only when the ABI changes.",
    "Today is a good day to read the build log.",
};

int main(int argc, char **argv)
{
    char greeting[128];
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    long count = (long)(sizeof fortunes / sizeof fortunes[0]);

    n %= count;
    if (n < 0)
        n += count;
    greet_format(greeting, sizeof greeting, "fortune seeker");
    printf("%s\n%s\n", greeting, fortunes[n]);
    return 0;
}
