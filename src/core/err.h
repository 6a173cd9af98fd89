/*
 * Error detail for the user. A fallible function returns a negative int and,
 * where it finds the problem, fills a struct fl_err: the HTTP code, the
 * Kubernetes reason (NotFound, Conflict, Invalid, ...), a message, and for
 * 422 Invalid the causes (field + message). The API layer turns it into a
 * metav1.Status in exactly one place (api/status.c).
 */
#ifndef FL_CORE_ERR_H
#define FL_CORE_ERR_H

#include "core/alloc.h"

#define FL_ERR_MSG_MAX 1024
#define FL_ERR_CAUSES_MAX 8

struct fl_err_cause {
    char type[32];    /* FieldValueInvalid, FieldValueRequired, ... */
    char field[128];  /* metadata.name */
    char message[768]; /* upstream's name messages quote a regex: ~300 chars */
};

struct fl_err {
    int code;           /* HTTP status: 400, 404, 409, 410, 413, 415, 422, 500 */
    const char *reason; /* static string: "NotFound", "AlreadyExists", ... */
    char message[FL_ERR_MSG_MAX];
    /* Details, as metav1.StatusDetails: kind + name of the object concerned. */
    char kind[64];
    char group[64];
    char name[256];
    int ncauses;
    struct fl_err_cause causes[FL_ERR_CAUSES_MAX];
};

/* Error codes returned by fallible functions. */
#define FL_OK 0
#define FL_EFAIL (-1)

/* Fill err (if non-NULL) and return FL_EFAIL, so callers can write
 * `return fl_errf(err, 404, "NotFound", "...")`. */
int fl_errf(struct fl_err *err, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set the details (kind, group, name) of an error already filled. */
void fl_err_details(struct fl_err *err, const char *group, const char *kind, const char *name);

/* Append a cause (ignored past FL_ERR_CAUSES_MAX). */
void fl_err_cause(struct fl_err *err, const char *type, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset to "no error". */
void fl_err_clear(struct fl_err *err);

#endif
