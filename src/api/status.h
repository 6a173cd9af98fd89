/*
 * metav1.Status: the one place a struct fl_err becomes the JSON body of an
 * error reply (or of a watch ERROR event).
 */
#ifndef FL_API_STATUS_H
#define FL_API_STATUS_H

#include <jansson.h>

#include "core/err.h"

/* New reference: {"kind":"Status","apiVersion":"v1","status":"Failure",...}. */
json_t *fl_status_json(const struct fl_err *err);

/* A Status of success for a deletion: details name/group/kind/uid. */
json_t *fl_status_success(const char *group, const char *kind, const char *name,
                          const char *uid);

#endif
