/* struct fl_err helpers: see err.h. Messages are truncated, never overflowed. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fl_errf(struct fl_err *err, int code, const char *reason, const char *fmt, ...)
{
    if (!err)
        return FL_EFAIL;
    fl_err_clear(err);
    err->code = code;
    err->reason = reason;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return FL_EFAIL;
}

void fl_err_details(struct fl_err *err, const char *group, const char *kind, const char *name)
{
    if (!err)
        return;
    snprintf(err->group, sizeof(err->group), "%s", group ? group : "");
    snprintf(err->kind, sizeof(err->kind), "%s", kind ? kind : "");
    snprintf(err->name, sizeof(err->name), "%s", name ? name : "");
}

void fl_err_cause(struct fl_err *err, const char *type, const char *field, const char *fmt, ...)
{
    if (!err || err->ncauses >= FL_ERR_CAUSES_MAX)
        return;
    struct fl_err_cause *c = &err->causes[err->ncauses++];
    snprintf(c->type, sizeof(c->type), "%s", type);
    snprintf(c->field, sizeof(c->field), "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
}

void fl_err_clear(struct fl_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}
