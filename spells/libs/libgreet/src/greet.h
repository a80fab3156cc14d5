/* greet.h -- the public, stable API of libgreet. */
#ifndef GREET_H
#define GREET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library that is actually loaded, e.g. "1.0.0". */
const char *greet_version(void);

/* The salutation used by greet_format: "Hello". */
const char *greet_salutation(void);

/* Writes "Hello, NAME!" into BUF (at most SIZE bytes, always NUL-terminated
   when SIZE > 0). NAME NULL or empty means "world". Returns the length of
   the whole greeting, like snprintf. */
int greet_format(char *buf, size_t size, const char *name);

#ifdef __cplusplus
}
#endif

#endif
