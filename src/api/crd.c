/*
 * CustomResourceDefinitions: the reconciler that turns stored CRDs into
 * served types, the custom resource body hook, and conversion strategy None
 * (see crd.h). Invariant: `served` lists exactly the CRDs whose versions are
 * in the registry and the OpenAPI documents, with the spec they were
 * registered from; only reconcile() changes it, after reading the CRD's
 * current state from the store.
 */
#include "api/crd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/kinds.h"
#include "api/openapi.h"
#include "api/schema.h"
#include "controllers/workqueue.h"
#include "core/names.h"

#define CRD_GROUP "apiextensions.k8s.io"
#define CRD_RESOURCE "customresourcedefinitions"
#define CRD_PREFIX CRD_GROUP "/" CRD_RESOURCE "/"
#define MAX_VERSIONS 32 /* served versions of one CRD that are registered */
#define MAX_LIST 32     /* short names, categories, selectable fields kept */

static const struct fl_store_res crd_res = {
    .group = CRD_GROUP, .resource = CRD_RESOURCE, .generation = true};

/* A CRD whose versions are served, and what it registered. */
struct served {
    char *name;
    char *group, *plural, *kind;
    char **versions;
    size_t nversions;
    json_t *spec; /* the spec the registration came from */
};

static struct served *served;
static size_t nserved;

/* The controller: where CRDs are read and written, and their queue. */
static struct {
    struct fl_store *store;
    struct fl_workqueue *q;
    struct fl_watch *watch;
} ctl;

static const char *str(const json_t *o, const char *k)
{
    return fl_json_str(o, k);
}

static bool eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

/* ---- the served table --------------------------------------------------- */

static struct served *find_served(const char *name)
{
    for (size_t i = 0; i < nserved; i++)
        if (!strcmp(served[i].name, name))
            return &served[i];
    return NULL;
}

/* Is t (a registry entry) one that CRD `name` registered? */
static bool owned_by(const char *name, const struct fl_rtype *t)
{
    struct served *e = find_served(name);
    return e && t->schema && !strcmp(e->group, t->group) && !strcmp(e->plural, t->resource);
}

/* Stop serving CRD name (if it is served). */
static void withdraw(const char *name)
{
    struct served *e = find_served(name);
    if (!e)
        return;
    fl_registry_remove(e->group, e->plural);
    for (size_t i = 0; i < e->nversions; i++) {
        fl_openapi_remove_crd(e->group, e->versions[i], e->kind);
        free(e->versions[i]);
    }
    free(e->versions);
    free(e->name);
    free(e->group);
    free(e->plural);
    free(e->kind);
    json_decref(e->spec);
    size_t i = (size_t)(e - served);
    memmove(e, e + 1, (nserved - i - 1) * sizeof(*e));
    nserved--;
}

/* ---- names and versions ------------------------------------------------- */

/* spec.names with upstream's defaults: singular = lower-case kind, listKind
 * = kind + "List". New reference. */
static json_t *accepted_names(const json_t *spec)
{
    const json_t *names = json_object_get(spec, "names");
    json_t *out = json_object();
    const char *kind = str(names, "kind");
    json_object_set_new(out, "plural", json_string(str(names, "plural")));
    if (str(names, "singular")[0]) {
        json_object_set_new(out, "singular", json_string(str(names, "singular")));
    } else {
        char *lower = fl_xstrdup(kind);
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        json_object_set_new(out, "singular", json_string(lower));
        free(lower);
    }
    const json_t *sn = json_object_get(names, "shortNames");
    if (json_array_size(sn))
        json_object_set(out, "shortNames", (json_t *)sn);
    json_object_set_new(out, "kind", json_string(kind));
    if (str(names, "listKind")[0]) {
        json_object_set_new(out, "listKind", json_string(str(names, "listKind")));
    } else if (kind[0]) {
        char *lk = fl_xasprintf("%sList", kind);
        json_object_set_new(out, "listKind", json_string(lk));
        free(lk);
    }
    const json_t *cat = json_object_get(names, "categories");
    if (json_array_size(cat))
        json_object_set(out, "categories", (json_t *)cat);
    return out;
}

/* Kubernetes version priority (apimachinery's CompareKubeAwareVersionStrings):
 * GA before beta before alpha, higher major then higher minor first; versions
 * not shaped like v1, v2beta3 come last, alphabetically. */
struct kver {
    bool kube;
    int stability; /* 2 GA, 1 beta, 0 alpha */
    long major, minor;
};

static struct kver kube_version(const char *v)
{
    struct kver k = {0};
    char *end;
    if (v[0] != 'v' || v[1] < '0' || v[1] > '9')
        return k;
    k.major = strtol(v + 1, &end, 10);
    if (*end == '\0') {
        k.kube = true;
        k.stability = 2;
        return k;
    }
    if (!strncmp(end, "alpha", 5))
        end += 5;
    else if (!strncmp(end, "beta", 4))
        end += 4, k.stability = 1;
    else
        return k;
    if (*end < '0' || *end > '9')
        return k;
    k.minor = strtol(end, &end, 10);
    k.kube = *end == '\0';
    return k;
}

static int version_cmp(const void *pa, const void *pb)
{
    const char *a = str(*(const json_t *const *)pa, "name");
    const char *b = str(*(const json_t *const *)pb, "name");
    struct kver x = kube_version(a), y = kube_version(b);
    if (x.kube != y.kube)
        return x.kube ? -1 : 1;
    if (!x.kube)
        return strcmp(a, b);
    if (x.stability != y.stability)
        return y.stability - x.stability;
    if (x.major != y.major)
        return y.major > x.major ? 1 : -1;
    if (x.minor != y.minor)
        return y.minor > x.minor ? 1 : -1;
    return 0;
}

static const char *storage_version(const json_t *spec)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(spec, "versions"), i, v)
    {
        if (json_is_true(json_object_get(v, "storage")))
            return str(v, "name");
    }
    return NULL;
}

/* ---- acceptance --------------------------------------------------------- */

/* A string list member as a NULL-terminated array of borrowed strings. */
static void string_list(const json_t *a, const char **out, size_t cap)
{
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (json_is_string(v) && n + 1 < cap)
            out[n++] = json_string_value(v);
    }
    out[n] = NULL;
}

static bool in_list(const char *const *l, const char *s)
{
    for (; l && *l; l++)
        if (!strcmp(*l, s))
            return true;
    return false;
}

/* Whether CRD `name` can be served: its spec passes the checks that keep a
 * CRD servable, and no type the registry serves (other than its own) uses
 * its names in its group. If not, reason and msg say why. */
static bool servable(const char *name, const json_t *doc, const json_t *names, char *reason,
                     size_t rlen, char *msg, size_t mlen)
{
    const struct fl_kind_hooks *h = fl_kind_hooks_find(CRD_GROUP, "CustomResourceDefinition");
    struct fl_err e;
    fl_err_clear(&e);
    if (h && h->validate)
        h->validate(doc, &e); /* stored CRDs passed it; this guards older ones */
    if (e.ncauses) {
        snprintf(reason, rlen, "InvalidSpec");
        snprintf(msg, mlen, "%s: %s", e.causes[0].field, e.causes[0].message);
        return false;
    }
    const char *group = str(json_object_get(doc, "spec"), "group");
    const char *plural = str(names, "plural"), *singular = str(names, "singular");
    const char *kind = str(names, "kind"), *list_kind = str(names, "listKind");
    const char *shorts[MAX_LIST];
    string_list(json_object_get(names, "shortNames"), shorts, MAX_LIST);
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++) {
        if (strcmp(t->group, group) != 0 || owned_by(name, t))
            continue;
        const char *what = NULL, *why = NULL;
        if (eq(t->resource, plural) || eq(t->singular, plural))
            why = "PluralConflict", what = plural;
        else if (eq(t->resource, singular) || eq(t->singular, singular))
            why = "SingularConflict", what = singular;
        else if (eq(t->kind, kind))
            why = "KindConflict", what = kind;
        else if (eq(t->list_kind, list_kind))
            why = "ListKindConflict", what = list_kind;
        for (size_t j = 0; !why && shorts[j]; j++)
            if (in_list(t->short_names, shorts[j]))
                why = "ShortNamesConflict", what = shorts[j];
        if (why) {
            snprintf(reason, rlen, "%s", why);
            snprintf(msg, mlen, "\"%s\" is already in use", what);
            return false;
        }
    }
    return true;
}

/* ---- registration ------------------------------------------------------- */

/* ".spec.replicas" → "spec.replicas" (a copy into buf). */
static const char *dotted(const char *jsonpath, char *buf, size_t len)
{
    if (!jsonpath || !jsonpath[0])
        return NULL;
    snprintf(buf, len, "%s", jsonpath[0] == '.' ? jsonpath + 1 : jsonpath);
    return buf;
}

/* Register one served version. */
static bool register_version(const json_t *spec, const json_t *names, const json_t *v)
{
    const char *group = str(spec, "group");
    bool namespaced = !strcmp(str(spec, "scope"), "Namespaced");
    const json_t *subs = json_object_get(v, "subresources");
    const json_t *scale = json_object_get(subs, "scale");
    const json_t *schema = json_object_get(json_object_get(v, "schema"), "openAPIV3Schema");
    const char *shorts[MAX_LIST], *cats[MAX_LIST], *fields[MAX_LIST + 3];
    char fieldbuf[MAX_LIST][256], sr[256], stat[256], sel[256];
    struct fl_scale_paths sp = {0};
    struct fl_err err;
    size_t nf = 0, i;
    json_t *f;

    string_list(json_object_get(names, "shortNames"), shorts, MAX_LIST);
    string_list(json_object_get(names, "categories"), cats, MAX_LIST);
    fields[nf++] = "metadata.name";
    if (namespaced)
        fields[nf++] = "metadata.namespace";
    json_array_foreach(json_object_get(v, "selectableFields"), i, f)
    {
        if (i < MAX_LIST && dotted(str(f, "jsonPath"), fieldbuf[i], sizeof(fieldbuf[i])))
            fields[nf++] = fieldbuf[i];
    }
    fields[nf] = NULL;
    if (json_is_object(scale)) {
        sp.spec_replicas = dotted(str(scale, "specReplicasPath"), sr, sizeof(sr));
        sp.status_replicas = dotted(str(scale, "statusReplicasPath"), stat, sizeof(stat));
        sp.label_selector = dotted(str(scale, "labelSelectorPath"), sel, sizeof(sel));
        if (!sp.spec_replicas)
            sp.spec_replicas = "spec.replicas";
        if (!sp.status_replicas)
            sp.status_replicas = "status.replicas";
    }
    /* A schema always: it marks the entry as a custom resource type. */
    json_t *any =
        json_pack("{s:s,s:b}", "type", "object", "x-kubernetes-preserve-unknown-fields", 1);
    const json_t *cols = json_object_get(v, "additionalPrinterColumns");
    json_t *nocols = json_array();
    struct fl_rtype t = {
        .group = group,
        .version = str(v, "name"),
        .resource = str(names, "plural"),
        .singular = str(names, "singular"),
        .kind = str(names, "kind"),
        .list_kind = str(names, "listKind"),
        .namespaced = namespaced,
        .short_names = shorts[0] ? shorts : NULL,
        .categories = cats[0] ? cats : NULL,
        .fields = fields,
        .status = json_is_object(json_object_get(subs, "status")),
        .scale = json_is_object(scale) ? &sp : NULL,
        .schema = json_is_object(schema) ? (json_t *)schema : any,
        .printer_columns = json_is_array(cols) ? (json_t *)cols : nocols,
        .generation = true,
    };
    int rc = fl_registry_add(&t, &err);
    if (rc != 0)
        fprintf(stderr, "flotilla: crd %s/%s %s: %s\n", t.group, t.version, t.resource,
                err.message);
    else
        fl_openapi_set_crd(t.group, t.version, t.kind, t.resource, namespaced,
                           json_is_object(schema) ? schema : NULL);
    json_decref(any);
    json_decref(nocols);
    return rc == 0;
}

/* Serve CRD name's served versions, unless they are served from this very
 * spec already. */
static void serve(const char *name, const json_t *spec, const json_t *names)
{
    struct served *e = find_served(name);
    if (e && json_equal(e->spec, (json_t *)spec))
        return;
    withdraw(name);
    const json_t *vs[MAX_VERSIONS];
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(json_object_get(spec, "versions"), i, v)
    {
        if (n < MAX_VERSIONS && json_is_true(json_object_get(v, "served")))
            vs[n++] = v;
    }
    /* Registration order is discovery's order: the first is preferred. */
    qsort(vs, n, sizeof(*vs), version_cmp);
    struct served s = {
        .name = fl_xstrdup(name),
        .group = fl_xstrdup(str(spec, "group")),
        .plural = fl_xstrdup(str(names, "plural")),
        .kind = fl_xstrdup(str(names, "kind")),
        .versions = fl_xcalloc(n ? n : 1, sizeof(char *)),
        .spec = json_deep_copy(spec),
    };
    for (i = 0; i < n; i++)
        if (register_version(spec, names, vs[i]))
            s.versions[s.nversions++] = fl_xstrdup(str(vs[i], "name"));
    served = fl_xrealloc(served, (nserved + 1) * sizeof(*served));
    served[nserved++] = s;
}

/* ---- status ------------------------------------------------------------- */

/* Set condition `type` in conds; lastTransitionTime moves only when the
 * status does. */
static void set_condition(json_t *conds, const char *type, bool ok, const char *reason,
                          const char *msg, const char *now)
{
    const char *status = ok ? "True" : "False";
    size_t i;
    json_t *c;
    const char *since = now;
    bool found = false;
    json_array_foreach(conds, i, c)
    {
        if (!strcmp(str(c, "type"), type)) {
            found = true;
            break;
        }
    }
    if (found && !strcmp(str(c, "status"), status) && str(c, "lastTransitionTime")[0])
        since = str(c, "lastTransitionTime");
    json_t *next = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", type, "status", status,
                             "lastTransitionTime", since, "reason", reason, "message", msg);
    if (found)
        json_array_set_new(conds, i, next);
    else
        json_array_append_new(conds, next);
}

/* The status a CRD should have. New reference. */
static json_t *desired_status(const json_t *cur, const json_t *spec, bool ok, const json_t *names,
                              const char *reason, const char *msg)
{
    json_t *st = json_is_object(cur) ? json_deep_copy(cur) : json_object();
    json_t *conds = json_object_get(st, "conditions");
    char now[32];
    fl_time_rfc3339((int64_t)time(NULL), now, sizeof(now));
    if (!json_is_array(conds)) {
        conds = json_array();
        json_object_set_new(st, "conditions", conds);
    }
    if (ok) {
        json_object_set(st, "acceptedNames", (json_t *)names);
        set_condition(conds, "NamesAccepted", true, "NoConflicts", "no conflicts found", now);
        set_condition(conds, "Established", true, "InitialNamesAccepted",
                      "the initial names have been accepted", now);
    } else {
        if (!json_is_object(json_object_get(st, "acceptedNames")))
            json_object_set_new(st, "acceptedNames",
                                json_pack("{s:s,s:s}", "plural", "", "kind", ""));
        set_condition(conds, "NamesAccepted", false, reason, msg, now);
        set_condition(conds, "Established", false, "NotAccepted", "not all names are accepted",
                      now);
    }
    json_t *stored = json_object_get(st, "storedVersions");
    if (!json_is_array(stored)) {
        stored = json_array();
        json_object_set_new(st, "storedVersions", stored);
    }
    const char *sv = storage_version(spec);
    bool have = false;
    size_t i;
    json_t *v;
    json_array_foreach(stored, i, v) have = have || eq(json_string_value(v), sv);
    if (ok && sv && !have)
        json_array_append_new(stored, json_string(sv));
    return st;
}

static bool has_finalizer(const json_t *md, size_t *at)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(md, "finalizers"), i, f)
    {
        if (eq(json_string_value(f), FL_CRD_FINALIZER)) {
            if (at)
                *at = i;
            return true;
        }
    }
    return false;
}

/* ---- custom resources of a deleted CRD --------------------------------- */

/* Delete every custom resource of spec's group/plural, unless another type
 * serves that group/plural (then they are its objects). Objects held by
 * finalizers are released: nothing would serve them again. */
static int delete_resources(struct fl_store *s, const json_t *spec)
{
    const char *group = str(spec, "group");
    const char *plural = str(json_object_get(spec, "names"), "plural");
    char msg[256], prefix[FL_KEY_MAX];
    /* Names with '/' would make a prefix of other keys. */
    if (!fl_name_dns1123_subdomain(group, msg, sizeof(msg)) ||
        !fl_name_dns1123_label(plural, msg, sizeof(msg)))
        return FL_OK;
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++)
        if (!strcmp(t->group, group) && !strcmp(t->resource, plural))
            return FL_OK;
    struct fl_store_res res = {.group = group, .resource = plural, .generation = true};
    struct fl_store_list l;
    struct fl_err err;
    fl_store_key(prefix, group, plural, NULL, NULL);
    if (fl_store_list(s, prefix, NULL, 0, NULL, &l, &err) != 0)
        goto fail;
    int rc = FL_OK;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        bool deleted = false;
        rc = fl_store_delete(s, &res, l.items[i]->key, NULL, NULL, &deleted, &err);
        if (rc == 0 && !deleted) { /* marked: drop the finalizers of its current version */
            struct fl_obj *o = NULL;
            rc = fl_store_get(s, &res, l.items[i]->key, &o, &err);
            json_t *doc = rc == 0 ? fl_obj_json(o) : NULL;
            fl_obj_unref(o);
            if (doc) {
                json_object_del(fl_json_metadata(doc), "finalizers");
                rc = fl_store_update(s, &res, l.items[i]->key, doc, NULL, &deleted, &err);
                json_decref(doc);
            }
        }
    }
    fl_store_list_release(&l);
    if (rc == 0)
        return FL_OK;
fail:
    fprintf(stderr, "flotilla: deleting the custom resources %s/%s: %s\n", group, plural,
            err.message);
    return FL_EFAIL;
}

/* ---- reconcile ---------------------------------------------------------- */

/* CRDs not served may be servable once a name is free again (upstream's
 * naming controller requeues the group). */
static void requeue_unserved(const char *group)
{
    struct fl_store_list l;
    struct fl_err err;
    if (fl_store_list(ctl.store, CRD_PREFIX, NULL, 0, NULL, &l, &err) != 0)
        return;
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_meta *m = fl_obj_meta(l.items[i]);
        const char *dot = strchr(m->name, '.');
        if (!find_served(m->name) && dot && !strcmp(dot + 1, group))
            fl_workqueue_add(ctl.q, l.items[i]->key);
    }
    fl_store_list_release(&l);
}

/* Stop serving CRD name, delete its custom resources, and requeue the CRDs
 * that may take its names. spec: the CRD's (NULL: what was served says
 * group/plural). */
static int retire(const char *name, const json_t *spec)
{
    struct served *e = find_served(name);
    bool was_served = e != NULL;
    json_t *own = NULL;
    if (!spec && e) {
        own = json_incref(e->spec);
        spec = own;
    }
    char *group = fl_xstrdup(str(spec, "group"));
    withdraw(name); /* e is gone */
    int rc = spec ? delete_resources(ctl.store, spec) : FL_OK;
    if (was_served)
        requeue_unserved(group);
    free(group);
    json_decref(own);
    return rc;
}

/* Bring what is served, and the CRD's status, in line with the CRD stored
 * at key. */
static int reconcile(void *ctx, const char *key, uint32_t *requeue_ms, struct fl_err *err)
{
    struct fl_store *s = ctl.store;
    struct fl_obj *cur = NULL;
    json_t *doc = NULL, *names = NULL, *st = NULL;
    char reason[64], msg[512];
    const char *name = strrchr(key, '/') ? strrchr(key, '/') + 1 : key;
    bool deleted;
    int rc = FL_EFAIL;

    if (fl_store_get(s, &crd_res, key, &cur, err) != 0) {
        if (err->code != 404)
            return FL_EFAIL;
        /* Gone before its first reconcile added the finalizer. */
        return retire(name, NULL) == 0
                   ? FL_WQ_DONE
                   : fl_errf(err, 500, "InternalError", "deleting custom resources");
    }
    doc = fl_obj_json(cur);
    if (!doc) {
        fl_errf(err, 500, "InternalError", "stored object %s is corrupt", key);
        goto out;
    }
    json_t *md = fl_json_metadata(doc), *spec = json_object_get(doc, "spec");
    size_t at;
    if (str(md, "deletionTimestamp")[0]) {
        if (retire(name, spec) != 0) {
            fl_errf(err, 500, "InternalError", "deleting custom resources");
            goto out;
        }
        if (has_finalizer(md, &at)) {
            json_array_remove(json_object_get(md, "finalizers"), at);
            if (fl_store_update(s, &crd_res, key, doc, NULL, &deleted, err) != 0)
                goto out;
        }
        rc = FL_WQ_DONE;
        goto out;
    }
    names = accepted_names(spec);
    bool ok = servable(name, doc, names, reason, sizeof(reason), msg, sizeof(msg));
    if (ok)
        serve(name, spec, names);
    else
        withdraw(name);
    st = desired_status(json_object_get(doc, "status"), spec, ok, names, reason, msg);
    bool fin = has_finalizer(md, NULL);
    if (!fin || !json_equal(st, json_object_get(doc, "status"))) {
        json_object_set(doc, "status", st);
        if (!fin) {
            json_t *fins = json_object_get(md, "finalizers");
            if (!json_is_array(fins)) {
                fins = json_array();
                json_object_set_new(md, "finalizers", fins);
            }
            json_array_append_new(fins, json_string(FL_CRD_FINALIZER));
        }
        /* A conflict means a newer version is on its way here. */
        if (fl_store_update(s, &crd_res, key, doc, NULL, &deleted, err) != 0 && err->code != 409)
            goto out;
    }
    rc = FL_WQ_DONE;
out:
    json_decref(st);
    json_decref(names);
    json_decref(doc);
    fl_obj_unref(cur);
    return rc;
}

static void on_crd(struct fl_watch *w, const struct fl_event *ev, void *ctx)
{
    fl_workqueue_add(ctl.q, ev->obj->key);
}

int fl_crd_start(struct event_base *base, struct fl_store *store, struct fl_err *err)
{
    struct fl_store_list l;
    struct fl_workqueue_opts qo = {.name = "customresourcedefinitions", .reconcile = reconcile};
    FL_ASSERT(!ctl.q);
    ctl.store = store;
    ctl.q = fl_workqueue_new(base, &qo);
    if (fl_store_list(store, CRD_PREFIX, NULL, 0, NULL, &l, err) != 0)
        goto fail;
    /* The stored CRDs are served before the first request: reconciled here,
     * not on the queue. Failures are retried from the queue. */
    for (size_t i = 0; i < l.n; i++) {
        uint32_t ms = 0;
        struct fl_err e;
        fl_err_clear(&e);
        if (reconcile(NULL, l.items[i]->key, &ms, &e) < 0)
            fl_workqueue_add(ctl.q, l.items[i]->key);
    }
    fl_store_list_release(&l);
    /* From now: the writes made above need no second look. */
    if (fl_store_watch(store, CRD_PREFIX, 0, on_crd, NULL, &ctl.watch, err) != 0)
        goto fail;
    return FL_OK;
fail:
    fl_crd_stop();
    return FL_EFAIL;
}

void fl_crd_stop(void)
{
    fl_watch_close(ctl.watch);
    fl_workqueue_free(ctl.q);
    memset(&ctl, 0, sizeof(ctl));
    while (nserved)
        withdraw(served[0].name);
    free(served);
    served = NULL;
}

/* ---- custom resource bodies --------------------------------------------- */

int fl_crd_prepare(const struct fl_rtype *t, json_t *doc, bool create, struct fl_err *err)
{
    if (!t->schema)
        return FL_OK;
    if (create && t->status)
        json_object_del(doc, "status");
    struct fl_err e;
    fl_err_clear(&e);
    if (fl_schema_apply(t->schema, doc, &e) == 0)
        return FL_OK;
    /* `Widget.example.com "x" is invalid: spec.replicas: Invalid value: ...`,
     * as api/validate.c words it (upstream qualifies the kind with the
     * group; kubectl prints details.kind: `The Widget "x" is invalid`). */
    const char *name = fl_json_str(json_object_get(doc, "metadata"), "name");
    char summary[FL_ERR_MSG_MAX];
    bool many = e.ncauses > 1;
    size_t off = (size_t)snprintf(summary, sizeof(summary), "%s", many ? "[" : "");
    for (int i = 0; i < e.ncauses && off < sizeof(summary); i++)
        off += (size_t)snprintf(summary + off, sizeof(summary) - off, "%s%s: %s", i ? ", " : "",
                                e.causes[i].field, e.causes[i].message);
    if (many && off < sizeof(summary))
        snprintf(summary + off, sizeof(summary) - off, "]");
    fl_errf(err, 422, "Invalid", "%s.%s \"%s\" is invalid: %s", t->kind, t->group, name, summary);
    fl_err_details(err, t->group, t->kind, name);
    err->ncauses = e.ncauses;
    memcpy(err->causes, e.causes, sizeof(e.causes));
    return FL_EFAIL;
}

/* ---- conversion (strategy None) ----------------------------------------- */

void fl_crd_convert(const struct fl_rtype *t, struct fl_obj **o)
{
    char av[320];
    if (!*o || !t->schema)
        return;
    fl_rtype_api_version(t, av, sizeof(av));
    if (!strcmp(fl_obj_meta(*o)->api_version, av))
        return;
    json_t *doc = fl_obj_json(*o);
    if (!doc)
        return;
    json_object_set_new(doc, "apiVersion", json_string(av));
    struct fl_obj *c = fl_obj_from_json((*o)->key, doc, (*o)->create_rev, (*o)->rev);
    json_decref(doc);
    fl_obj_unref(*o);
    *o = c;
}

void fl_crd_convert_json(const struct fl_rtype *t, json_t *doc)
{
    char av[320];
    if (!t->schema || !json_is_object(doc))
        return;
    fl_rtype_api_version(t, av, sizeof(av));
    json_object_set_new(doc, "apiVersion", json_string(av));
}
