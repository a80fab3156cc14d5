/* libgreet -- formats greetings. */
#include <stdio.h>
#include "greet.h"

#ifndef GREET_VERSION
#define GREET_VERSION "unknown"
#endif

const char *greet_version(void)
{
    return GREET_VERSION;
}

const char *greet_salutation(void)
{
    return "Hello";
}

int greet_format(char *buf, size_t size, const char *name)
{
    if (name == NULL || name[0] == '\0')
        name = "world";
    return snprintf(buf, size, "%s, %s!", greet_salutation(), name);
}
