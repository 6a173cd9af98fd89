/*
 * Continue tokens of paginated lists: opaque to clients, they carry the
 * revision of the first page and the key (relative to the list prefix) of the
 * last item returned. Encoded as unpadded base64url of a small JSON object,
 * like kube-apiserver's.
 */
#ifndef FL_STORE_CONT_H
#define FL_STORE_CONT_H

#include <stdint.h>

#include "core/err.h"

#define FL_CONT_MAX 4096 /* longest token accepted */

/* New heap string (caller frees). */
char *fl_cont_encode(uint64_t rev, const char *start);

/* Decode token: *rev > 0 and *start (new heap string, caller frees). Errors:
 * 400 BadRequest "continue key is not valid: ...". */
int fl_cont_decode(const char *token, uint64_t *rev, char **start, struct fl_err *err)
    FL_MUST_CHECK;

#endif
