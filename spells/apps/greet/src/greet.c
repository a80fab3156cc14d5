/* greet [NAME] -- prints "Hello, NAME!" (default: world) made by libgreet,
   then the message file of greet-data. `greet --version` prints the versions
   and whether colour was built in.

   The message file is the first of:
     $GREET_DATA_DIR/message.txt
     <directory of this program>/../share/greet/message.txt
     GREET_DATA_DIR_DEFAULT/message.txt   (compiled in: $PREFIX/share/greet) */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <greet.h>
#ifdef WITH_COLOR
#include <color.h>
#endif

#ifndef GREET_VERSION
#define GREET_VERSION "unknown"
#endif
#ifndef GREET_DATA_DIR_DEFAULT
#define GREET_DATA_DIR_DEFAULT "/usr/share/greet"
#endif

#define MESSAGE "message.txt"

static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* Fills PATH with the message file to read; returns 0 when there is none. */
static int find_message(char *path, size_t size)
{
    const char *env = getenv("GREET_DATA_DIR");
    char exe[PATH_MAX];
    ssize_t n;

    if (env != NULL && env[0] != '\0') {
        snprintf(path, size, "%s/%s", env, MESSAGE);
        return readable(path);   /* an explicit override is not second-guessed */
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            snprintf(path, size, "%s/../share/greet/%s", exe, MESSAGE);
            if (readable(path))
                return 1;
        }
    }
    snprintf(path, size, "%s/%s", GREET_DATA_DIR_DEFAULT, MESSAGE);
    return readable(path);
}

int main(int argc, char **argv)
{
    char greeting[256], path[PATH_MAX + 64], line[512];
    const char *name = NULL;
    FILE *f;

    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
#ifdef WITH_COLOR
        printf("greet %s (libgreet %s, libcolor %s)\n", GREET_VERSION, greet_version(), color_version());
#else
        printf("greet %s (libgreet %s, no colour)\n", GREET_VERSION, greet_version());
#endif
        return 0;
    }
    if (argc > 1)
        name = argv[1];

    /* Find the message first: without it nothing is printed. */
    if (!find_message(path, sizeof path)) {
        fprintf(stderr, "greet: cannot read the message file %s (is greet-data installed?)\n", path);
        return 1;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 1;
    }

    greet_format(greeting, sizeof greeting, name);
#ifdef WITH_COLOR
    {
        char painted[sizeof greeting + 32];
        color_wrap(painted, sizeof painted, "green", greeting);
        puts(painted);
    }
#else
    puts(greeting);
#endif

    while (fgets(line, sizeof line, f) != NULL)
        fputs(line, stdout);
    fclose(f);
    return 0;
}
