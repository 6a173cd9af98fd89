/* metav1.Status encoding: see status.h. Messages may quote user input
 * (names from the URL, body fragments), which need not be UTF-8: such bytes
 * become '?' so the Status is always valid JSON. */
#include "api/status.h"

#include <stdlib.h>
#include <string.h>

/* A JSON string of s, with bytes that break UTF-8 replaced. New reference. */
static json_t *safe_string(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = fl_xstrdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
            *p = '?';
    j = json_string(copy);
    free(copy);
    FL_ASSERT(j != NULL);
    return j;
}

json_t *fl_status_json(const struct fl_err *err)
{
    int code = err->code ? err->code : 500;
    json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:o,s:s,s:i}", "kind", "Status", "apiVersion", "v1",
                           "metadata", "status", "Failure", "message",
                           safe_string(err->message[0] ? err->message : "internal error"),
                           "reason", err->reason ? err->reason : "InternalError", "code", code);
    FL_ASSERT(st != NULL);
    if (err->name[0] || err->kind[0] || err->ncauses) {
        json_t *d = json_object();
        if (err->name[0])
            json_object_set_new(d, "name", safe_string(err->name));
        if (err->group[0])
            json_object_set_new(d, "group", json_string(err->group));
        if (err->kind[0])
            json_object_set_new(d, "kind", json_string(err->kind));
        if (err->ncauses) {
            json_t *causes = json_array();
            for (int i = 0; i < err->ncauses; i++)
                json_array_append_new(causes, json_pack("{s:s,s:o,s:o}", "reason",
                                                        err->causes[i].type, "message",
                                                        safe_string(err->causes[i].message),
                                                        "field",
                                                        safe_string(err->causes[i].field)));
            json_object_set_new(d, "causes", causes);
        }
        json_object_set_new(st, "details", d);
    }
    return st;
}

json_t *fl_status_success(const char *group, const char *kind, const char *name,
                          const char *uid)
{
    json_t *d = json_pack("{s:s,s:s}", "name", name, "kind", kind);
    if (group && group[0])
        json_object_set_new(d, "group", json_string(group));
    if (uid && uid[0])
        json_object_set_new(d, "uid", json_string(uid));
    return json_pack("{s:s,s:s,s:{},s:s,s:o}", "kind", "Status", "apiVersion", "v1", "metadata",
                     "status", "Success", "details", d);
}
