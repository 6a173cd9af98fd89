/*
 * Server-side rendering for `kubectl get`: when the client's Accept header
 * asks for a meta.k8s.io Table (or PartialObjectMetadata), GET, list and
 * watch answer with rows built by the printers (api/printers.c) instead of
 * the objects. The first acceptable media type in the Accept header wins,
 * as in kube-apiserver's content negotiation; plain JSON is the fallback.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "api/printers.h"

static const char *const table_ctype = "application/json;as=Table;v=v1;g=meta.k8s.io";
static const char *const meta_ctype = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";
static const char *const metalist_ctype =
    "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";

/* Does one media range of Accept ask for `as` in meta.k8s.io v1? */
static bool range_is(const char *range, size_t len, const char *as)
{
    char want[64];
    snprintf(want, sizeof(want), "as=%s", as);
    char buf[512];
    if (len >= sizeof(buf))
        return false;
    memcpy(buf, range, len);
    buf[len] = '\0';
    /* Parameters are ';'-separated in any order: look for each. */
    char *save = NULL;
    bool as_ok = false, g_ok = false, v_ok = false;
    for (char *p = strtok_r(buf, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
        while (*p == ' ')
            p++;
        if (!strcmp(p, want))
            as_ok = true;
        else if (!strcmp(p, "g=meta.k8s.io"))
            g_ok = true;
        else if (!strcmp(p, "v=v1"))
            v_ok = true;
    }
    return as_ok && g_ok && v_ok;
}

enum fl_render fl_table_negotiate(struct evhttp_request *req, bool list)
{
    const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
    if (!accept)
        return FL_RENDER_JSON;
    for (const char *p = accept; *p;) {
        size_t n = strcspn(p, ",");
        if (range_is(p, n, "Table"))
            return FL_RENDER_TABLE;
        if (range_is(p, n, list ? "PartialObjectMetadataList" : "PartialObjectMetadata"))
            return FL_RENDER_META;
        if (n >= 16 && !strncmp(p + strspn(p, " "), "application/json", 16))
            return FL_RENDER_JSON;
        p += n + (p[n] == ',');
    }
    return FL_RENDER_JSON;
}

const char *fl_table_ctype(enum fl_render r, bool list)
{
    if (r == FL_RENDER_TABLE)
        return table_ctype;
    if (r == FL_RENDER_META)
        return list ? metalist_ctype : meta_ctype;
    return "application/json";
}

json_t *fl_table_partial(struct fl_obj *o)
{
    const struct fl_meta *m = fl_obj_meta(o);
    return json_pack("{s:s,s:s,s:O}", "kind", "PartialObjectMetadata", "apiVersion",
                     "meta.k8s.io/v1", "metadata", json_object_get(m->doc, "metadata"));
}

json_t *fl_table_columns(const struct fl_rtype *t)
{
    if (t->printer_columns)
        return fl_printer_crd_columns(t->printer_columns);
    size_t n;
    const struct fl_column *cols = fl_printer_columns(t->group, t->resource, &n);
    return fl_printer_columns_json(cols, n);
}

/* includeObject: None, Metadata (default) or Object. */
static json_t *row_object(struct fl_obj *o, const char *include, const json_t *doc)
{
    if (include && !strcmp(include, "None"))
        return NULL;
    if (include && !strcmp(include, "Object"))
        return json_incref((json_t *)doc);
    return fl_table_partial(o);
}

json_t *fl_table_row(const struct fl_rtype *t, struct fl_obj *o, const char *include)
{
    json_t *doc = fl_obj_json(o);
    if (!doc)
        doc = json_object();
    int64_t now = (int64_t)time(NULL);
    json_t *cells = t->printer_columns ? fl_printer_crd_cells(t->printer_columns, doc, now)
                                       : fl_printer_cells(t->group, t->resource, doc, now);
    json_t *row = json_pack("{s:o}", "cells", cells);
    json_t *conds = t->printer_columns ? NULL
                                       : fl_printer_row_conditions(t->group, t->resource, doc);
    if (conds)
        json_object_set_new(row, "conditions", conds);
    json_t *obj = row_object(o, include, doc);
    if (obj)
        json_object_set_new(row, "object", obj);
    json_decref(doc);
    return row;
}

json_t *fl_table_new(const struct fl_rtype *t, uint64_t rev, const char *cont, bool columns)
{
    char rv[24];
    snprintf(rv, sizeof(rv), "%llu", (unsigned long long)rev);
    json_t *md = json_pack("{s:s}", "resourceVersion", rv);
    if (cont)
        json_object_set_new(md, "continue", json_string(cont));
    return json_pack("{s:s,s:s,s:o,s:o,s:[]}", "kind", "Table", "apiVersion", "meta.k8s.io/v1",
                     "metadata", md, "columnDefinitions",
                     columns ? fl_table_columns(t) : json_array(), "rows");
}
