/*
 * Allocation and invariants. Flotilla is a server, not a library: running out
 * of memory aborts with a message (Redis zmalloc), so callers never check for
 * NULL from fl_x* functions. FL_ASSERT aborts with file:line; ALWAYS/NEVER
 * (after SQLite) mark "cannot happen, but recover if it does".
 */
#ifndef FL_CORE_ALLOC_H
#define FL_CORE_ALLOC_H

#include <stddef.h>

#define FL_MUST_CHECK __attribute__((warn_unused_result))

void *fl_xmalloc(size_t n);
void *fl_xcalloc(size_t count, size_t n);
void *fl_xrealloc(void *p, size_t n);
char *fl_xstrdup(const char *s);
char *fl_xstrndup(const char *s, size_t n);
/* printf into a new heap string (never NULL). */
char *fl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void fl_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#define FL_ASSERT(x) ((x) ? (void)0 : fl_assert_fail(#x, __FILE__, __LINE__))
#define ALWAYS(x) (__builtin_expect(!!(x), 1))
#define NEVER(x) (__builtin_expect(!!(x), 0))

#define FL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
