/* libcolor -- paints text with ANSI colours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "color.h"

#ifndef LIBCOLOR_VERSION
#define LIBCOLOR_VERSION "unknown"
#endif

static const char *names[] = COLOR_COLOR_NAMES;
static const char *codes[] = COLOR_COLOR_CODES;

const char *color_version(void)
{
    return LIBCOLOR_VERSION;
}

const char *color_code(const char *name)
{
    int i;
    if (name == NULL)
        return NULL;
    for (i = 0; i < COLOR_COLOR_COUNT; i++)
        if (strcmp(name, names[i]) == 0)
            return codes[i];
    return NULL;
}

int color_enabled(void)
{
    const char *no = getenv("NO_COLOR");
    return no == NULL || no[0] == '\0';
}

int color_wrap(char *buf, size_t size, const char *name, const char *text)
{
    const char *code = color_code(name);
    if (code == NULL || !color_enabled())
        return snprintf(buf, size, "%s", text);
    return snprintf(buf, size, "%s%s%s", code, text, COLOR_RESET);
}
