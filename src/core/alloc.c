/*
 * Aborting allocators: see alloc.h. Jansson is pointed at them too so a JSON
 * allocation failure aborts the same way instead of surfacing as a parse error.
 */
#include "core/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "flotilla: out of memory allocating %zu bytes\n", n);
    abort();
}

void *fl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *fl_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        oom(count * n);
    return p;
}

void *fl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *fl_xstrdup(const char *s)
{
    return fl_xstrndup(s, strlen(s));
}

char *fl_xstrndup(const char *s, size_t n)
{
    char *p = fl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *fl_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    return s;
}

void fl_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "flotilla: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
