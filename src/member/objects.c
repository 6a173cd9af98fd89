/* In-process object access for the simulated components: see objects.h. */
#include <bsd/sys/tree.h>
#include <sys/queue.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/kinds.h"
#include "core/alloc.h"
#include "core/names.h"
#include "core/quantity.h"
#include "member/objects.h"
#include "member/sim.h"

const struct fl_rtype *fl_m_type(const char *group, const char *resource)
{
    const struct fl_rtype *t;
    for (size_t i = 0; (t = fl_registry_at(i)) != NULL; i++)
        if (!strcmp(t->group, group) && !strcmp(t->resource, resource))
            return t;
    FL_ASSERT(!"type not served");
    return NULL;
}

void fl_m_key(char *key, const struct fl_rtype *t, const char *ns, const char *name)
{
    fl_store_key(key, t->group, t->resource, t->namespaced ? ns : "", name);
}

const char *fl_m_key_name(const char *key)
{
    const char *s = strrchr(key, '/');
    return s ? s + 1 : key;
}

bool fl_m_key_split(const char *key, char *ns, size_t nslen, const char **name)
{
    const char *p = strchr(key, '/');
    p = p ? strchr(p + 1, '/') : NULL;
    return p && fl_m_split_ns_name(p + 1, ns, nslen, name);
}

bool fl_m_split_ns_name(const char *s, char *ns, size_t nslen, const char **name)
{
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= nslen || !slash[1])
        return false;
    memcpy(ns, s, (size_t)(slash - s));
    ns[slash - s] = '\0';
    *name = slash + 1;
    return true;
}

static struct fl_store_res res_of(const struct fl_rtype *t)
{
    return (struct fl_store_res){t->group, t->resource, false, t->generation};
}

int fl_m_get(struct fl_member *m, const struct fl_rtype *t, const char *ns, const char *name,
             struct fl_obj **out, struct fl_err *err)
{
    char key[FL_KEY_MAX];
    struct fl_store_res r = res_of(t);
    fl_m_key(key, t, ns, name);
    return fl_store_get(m->store, &r, key, out, err);
}

json_t *fl_m_get_json(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                      const char *name, struct fl_err *err)
{
    struct fl_obj *o = NULL;
    if (fl_m_get(m, t, ns, name, &o, err) != 0)
        return NULL;
    json_t *doc = fl_obj_json(o);
    fl_obj_unref(o);
    if (!doc)
        fl_errf(err, 500, "InternalError", "stored object %s/%s is corrupt", ns, name);
    return doc;
}

/* generateName, as the API does it (core/names.h). */
static void generate_name(struct fl_member *m, json_t *md)
{
    char name[FL_NAME_GENERATED_MAX + 1];
    if (fl_json_str(md, "name")[0] || !fl_json_str(md, "generateName")[0])
        return;
    fl_name_generate(fl_json_str(md, "generateName"), fl_member_rand(m), name);
    json_object_set_new(md, "name", json_string(name));
}

int fl_m_create(struct fl_member *m, const struct fl_rtype *t, json_t *doc, struct fl_obj **out,
                struct fl_err *err)
{
    char av[320], key[FL_KEY_MAX];
    fl_rtype_api_version(t, av, sizeof(av));
    json_object_set_new(doc, "apiVersion", json_string(av));
    json_object_set_new(doc, "kind", json_string(t->kind));
    json_t *md = fl_json_metadata(doc);
    bool generated = !fl_json_str(md, "name")[0] && fl_json_str(md, "generateName")[0];
    generate_name(m, md);
    const struct fl_kind_hooks *h = fl_kind_hooks_find(t->group, t->kind);
    if (h && h->defaults)
        h->defaults(doc);
    if (h && h->prepare_create)
        h->prepare_create(doc);
    /* What the API's validation would refuse and controllers derive names
     * that can pass it ("<deployment>-<hash>", "<claim>-<set>-<ordinal>"):
     * upstream's controllers then report the create error. */
    const char *nm = fl_json_str(md, "name");
    if (strlen(nm) > 253)
        return fl_errf(err, 422, "Invalid",
                       "%s%s%s \"%s\" is invalid: metadata.name: Invalid value: \"%s\": must be "
                       "no more than 253 characters",
                       t->kind, t->group[0] ? "." : "", t->group, nm, nm);
    struct fl_store_res r = res_of(t);
    fl_m_key(key, t, fl_json_str(md, "namespace"), fl_json_str(md, "name"));
    int rc = fl_store_create(m->store, &r, key, doc, out, err);
    /* A generated name that is taken is tried again with a new suffix, as
     * kube-apiserver 1.32 does (RetryGenerateName: up to 8 attempts); 5
     * random characters collide often enough among 20,000 pods. */
    for (int i = 0; generated && rc != 0 && err->code == 409 && i < 7; i++) {
        json_object_del(md, "name");
        generate_name(m, md);
        fl_m_key(key, t, fl_json_str(md, "namespace"), fl_json_str(md, "name"));
        fl_err_clear(err);
        rc = fl_store_create(m->store, &r, key, doc, out, err);
    }
    return rc;
}

int fl_m_update(struct fl_member *m, const struct fl_rtype *t, json_t *doc, struct fl_obj **out,
                struct fl_err *err)
{
    char key[FL_KEY_MAX];
    bool deleted;
    const json_t *md = fl_json_metadata(doc);
    struct fl_store_res r = res_of(t);
    fl_m_key(key, t, fl_json_str(md, "namespace"), fl_json_str(md, "name"));
    return fl_store_update(m->store, &r, key, doc, out, &deleted, err);
}

static int delete_grace(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                        const char *name, const char *uid, int64_t grace, struct fl_err *err)
{
    char key[FL_KEY_MAX];
    bool deleted;
    struct fl_store_res r = res_of(t);
    struct fl_store_precond pre = {.uid = uid, .grace = grace};
    fl_m_key(key, t, ns, name);
    return fl_store_delete(m->store, &r, key, &pre, NULL, &deleted, err);
}

int fl_m_delete(struct fl_member *m, const struct fl_rtype *t, const char *ns, const char *name,
                const char *uid, struct fl_err *err)
{
    return delete_grace(m, t, ns, name, uid, 0, err);
}

int fl_m_delete_graceful(struct fl_member *m, const struct fl_rtype *t, const char *ns,
                         const char *name, const char *uid, struct fl_err *err)
{
    int64_t grace = 0;
    if (!strcmp(t->kind, "Pod") && !t->group[0]) {
        json_t *pod = fl_m_get_json(m, t, ns, name, err);
        if (!pod)
            return FL_EFAIL;
        grace = fl_kind_pod_delete_grace(pod, -1);
        json_decref(pod);
    }
    return delete_grace(m, t, ns, name, uid, grace, err);
}

int fl_m_list(struct fl_member *m, const struct fl_rtype *t, const char *ns,
              const json_t *selector, struct fl_store_list *out, struct fl_err *err)
{
    char prefix[FL_KEY_MAX];
    fl_store_key(prefix, t->group, t->resource, t->namespaced ? ns : "", NULL);
    if (fl_store_list(m->store, prefix, NULL, 0, NULL, out, err) != 0)
        return FL_EFAIL;
    if (fl_m_selector_empty(selector))
        return FL_OK;
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (fl_labelsel_json_match(selector, fl_obj_meta(out->items[i])->labels))
            out->items[k++] = out->items[i];
        else
            fl_obj_unref(out->items[i]);
    }
    out->n = k;
    return FL_OK;
}

int fl_m_list_watch(struct fl_member *m, const struct fl_rtype *t, fl_watch_fn fn, void *ctx,
                    struct fl_watch **out, struct fl_err *err)
{
    char prefix[FL_KEY_MAX];
    struct fl_store_list l = {0};
    fl_store_key(prefix, t->group, t->resource, NULL, NULL);
    if (fl_store_list(m->store, prefix, NULL, 0, NULL, &l, err) != 0)
        return FL_EFAIL;
    for (size_t i = 0; i < l.n; i++) {
        struct fl_event ev = {.rev = l.items[i]->rev, .type = FL_ADDED, .obj = l.items[i]};
        fn(NULL, &ev, ctx);
    }
    uint64_t rev = l.rev;
    fl_store_list_release(&l);
    return fl_store_watch(m->store, prefix, rev, fn, ctx, out, err);
}

/* ---- selectors, owners, conditions --------------------------------------- */

bool fl_m_in_values(const json_t *values, const char *v)
{
    size_t i;
    const json_t *x;
    json_array_foreach(values, i, x)
        if (json_is_string(x) && !strcmp(json_string_value(x), v))
            return true;
    return false;
}

bool fl_m_selector_empty(const json_t *selector)
{
    return json_object_size(json_object_get(selector, "matchLabels")) == 0 &&
           json_array_size(json_object_get(selector, "matchExpressions")) == 0;
}

void fl_m_set_controller_ref(json_t *doc, const json_t *owner)
{
    json_t *md = fl_json_metadata(doc);
    json_t *refs = fl_m_array_member(md, "ownerReferences");
    const json_t *omd = json_object_get(owner, "metadata");
    json_array_append_new(refs, json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "apiVersion",
                                          fl_json_str(owner, "apiVersion"), "kind",
                                          fl_json_str(owner, "kind"), "name",
                                          fl_json_str(omd, "name"), "uid", fl_json_str(omd, "uid"),
                                          "controller", 1, "blockOwnerDeletion", 1));
}

const json_t *fl_m_controller_ref(const json_t *doc)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(json_object_get(doc, "metadata"), "ownerReferences"), i, r)
        if (json_is_true(json_object_get(r, "controller")))
            return r;
    return NULL;
}

const char *fl_m_controller_uid(const json_t *doc)
{
    const json_t *r = fl_m_controller_ref(doc);
    return r ? fl_json_str(r, "uid") : NULL;
}

void fl_m_now(char *buf)
{
    fl_time_rfc3339((int64_t)time(NULL), buf, 32);
}

int64_t fl_m_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fl_m_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fl_m_parse_time_ms(const char *s)
{
    struct tm tm = {0};
    if (!s || !*s)
        return 0;
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return 0;
    int64_t ms = (int64_t)timegm(&tm) * 1000;
    if (*p == '.') {
        int64_t scale = 100;
        for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
            ms += (*p - '0') * scale;
    }
    if (*p == '+' || *p == '-') { /* an offset: "+01:00" */
        int h = 0, mi = 0;
        if (sscanf(p + 1, "%2d:%2d", &h, &mi) == 2)
            ms -= (*p == '+' ? 1 : -1) * ((int64_t)h * 3600 + mi * 60) * 1000;
    }
    return ms;
}

static json_t *find_condition(const json_t *conds, const char *type)
{
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
        if (!strcmp(fl_json_str(c, "type"), type))
            return c;
    return NULL;
}

bool fl_m_set_condition(json_t *parent, const char *key, const char *type, const char *status,
                        const char *reason, const char *message)
{
    json_t *conds = fl_m_array_member(parent, key);
    char now[32];
    fl_m_now(now);
    json_t *c = find_condition(conds, type);
    if (!c) {
        c = json_pack("{s:s,s:s,s:s}", "type", type, "status", status, "lastTransitionTime", now);
        json_array_append_new(conds, c);
    } else if (!strcmp(fl_json_str(c, "status"), status) &&
               !strcmp(fl_json_str(c, "reason"), reason ? reason : "") &&
               !strcmp(fl_json_str(c, "message"), message ? message : "")) {
        return false;
    } else if (strcmp(fl_json_str(c, "status"), status) != 0) {
        json_object_set_new(c, "status", json_string(status));
        json_object_set_new(c, "lastTransitionTime", json_string(now));
    }
    if (reason && reason[0])
        json_object_set_new(c, "reason", json_string(reason));
    else
        json_object_del(c, "reason");
    if (message && message[0])
        json_object_set_new(c, "message", json_string(message));
    else
        json_object_del(c, "message");
    return true;
}

json_t *fl_m_condition(const json_t *parent, const char *key, const char *type)
{
    return find_condition(json_object_get(parent, key), type);
}

const char *fl_m_condition_status(const json_t *parent, const char *key, const char *type)
{
    const json_t *c = fl_m_condition(parent, key, type);
    return c ? fl_json_str(c, "status") : NULL;
}

/* ---- resources ------------------------------------------------------------ */

static char *res_names[FL_M_RES_MAX] = {"cpu", "memory", "pods", "ephemeral-storage"};
static int nres = 4;

int fl_m_res_id(const char *name)
{
    for (int i = 0; i < nres; i++)
        if (!strcmp(res_names[i], name))
            return i;
    if (nres == FL_M_OTHER)
        return FL_M_OTHER;
    res_names[nres] = fl_xstrdup(name); /* interned for the life of the process */
    return nres++;
}

const char *fl_m_res_name(int id)
{
    if (id == FL_M_OTHER)
        return "extended resources (too many kinds to tell apart)";
    return id >= 0 && id < nres ? res_names[id] : NULL;
}

int64_t fl_m_qty(int id, const char *s)
{
    struct fl_quantity q;
    if (!s || fl_quantity_parse(s, &q, NULL, 0) != 0 || q.mant < 0)
        return -1;
    return fl_quantity_scaled(&q, id == FL_M_CPU ? 3 : 0);
}

void fl_m_res_add_list(struct fl_m_res *r, const json_t *list)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)list, k, v) {
        int id = fl_m_res_id(k);
        int64_t x = json_is_string(v) ? fl_m_qty(id, json_string_value(v)) : -1;
        if (json_is_integer(v) &&
            __builtin_mul_overflow(json_integer_value(v), id == FL_M_CPU ? 1000 : 1, &x))
            x = INT64_MAX;
        /* saturating: containers asking for exabytes must not overflow (UB) */
        if (id >= 0 && x > 0 && __builtin_add_overflow(r->v[id], x, &r->v[id]))
            r->v[id] = INT64_MAX;
    }
}

void fl_m_pod_requests(const json_t *pod, struct fl_m_res *r)
{
    const json_t *spec = json_object_get(pod, "spec");
    struct fl_m_res sum = {0}, init = {0};
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(spec, "containers"), i, c)
        fl_m_res_add_list(&sum, json_object_get(json_object_get(c, "resources"), "requests"));
    json_array_foreach(json_object_get(spec, "initContainers"), i, c) {
        struct fl_m_res one = {0};
        fl_m_res_add_list(&one, json_object_get(json_object_get(c, "resources"), "requests"));
        for (int k = 0; k < FL_M_RES_MAX; k++)
            if (one.v[k] > init.v[k])
                init.v[k] = one.v[k];
    }
    memset(r, 0, sizeof(*r));
    for (int k = 0; k < FL_M_RES_MAX; k++)
        r->v[k] = sum.v[k] > init.v[k] ? sum.v[k] : init.v[k];
    fl_m_res_add_list(r, json_object_get(spec, "overhead"));
    r->v[FL_M_PODS] = 1;
}

void fl_m_qty_format(int id, int64_t v, char *buf, size_t len)
{
    if (id == FL_M_CPU && v % 1000 != 0)
        snprintf(buf, len, "%lldm", (long long)v);
    else if (id == FL_M_CPU)
        snprintf(buf, len, "%lld", (long long)(v / 1000));
    else if (v != 0 && v % (1024 * 1024 * 1024) == 0)
        snprintf(buf, len, "%lldGi", (long long)(v / (1024 * 1024 * 1024)));
    else if (v != 0 && v % (1024 * 1024) == 0)
        snprintf(buf, len, "%lldMi", (long long)(v / (1024 * 1024)));
    else if (v != 0 && v % 1024 == 0)
        snprintf(buf, len, "%lldKi", (long long)(v / 1024));
    else
        snprintf(buf, len, "%lld", (long long)v);
}

/* ---- small helpers -------------------------------------------------------- */

uint64_t fl_m_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

uint64_t fl_m_hash_str(const char *s)
{
    return fl_m_fnv1a(FL_M_FNV_BASIS, s, strlen(s));
}

uint64_t fl_m_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void fl_m_hex_from(uint64_t seed, char *buf, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            x = fl_m_mix64(seed + i);
        buf[i] = hx[x & 15];
        x >>= 4;
    }
    buf[n] = '\0';
}

void fl_m_ip_str(uint32_t ip, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

void fl_m_set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v));
}

json_t *fl_m_obj_member(json_t *parent, const char *key)
{
    json_t *o = json_object_get(parent, key);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(parent, key, o);
    }
    return o;
}

json_t *fl_m_array_member(json_t *parent, const char *key)
{
    json_t *a = json_object_get(parent, key);
    if (!json_is_array(a)) {
        a = json_array();
        json_object_set_new(parent, key, a);
    }
    return a;
}

int64_t fl_m_int(const json_t *obj, const char *key, int64_t def)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

bool fl_m_mentions(const struct fl_obj *o, const char *s)
{
    return memmem(o->bytes, o->len, s, strlen(s)) != NULL;
}

/* ---- events -------------------------------------------------------------- */

#define EVENT_TTL_S 3600    /* kube-apiserver's --event-ttl */
#define EVENT_SWEEP_S 60

/* One Event we wrote, found by a hash of what makes repeats the same event
 * (involved object uid, reason, message, type, component). */
struct event_entry {
    RB_ENTRY(event_entry) link;
    uint64_t hash;
    int64_t last; /* unix seconds of the last occurrence */
    char *ns, *name;
};

static int entry_cmp(const struct event_entry *a, const struct event_entry *b)
{
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* Non-static generation: the _STATIC variants need BSD's __unused. */
RB_HEAD(fl_event_tree, event_entry);
RB_PROTOTYPE(fl_event_tree, event_entry, link, entry_cmp)
RB_GENERATE(fl_event_tree, event_entry, link, entry_cmp)

/* client-go's EventSourceObjectSpamFilter: a token bucket per source
 * (component) and object, FL_M_EVENT_BURST deep, one token back per 5
 * minutes, in an LRU of 4096 buckets (upstream's sizes). */
#define SPAM_REFILL_MS 300000
#define SPAM_LRU 4096

struct spam {
    RB_ENTRY(spam) link;
    TAILQ_ENTRY(spam) lru; /* most recently used last */
    uint64_t hash;
    int64_t refill_ms; /* when the last token came back */
    int tokens;
};

static int spam_cmp(const struct spam *a, const struct spam *b)
{
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

RB_HEAD(fl_spam_tree, spam);
RB_PROTOTYPE(fl_spam_tree, spam, link, spam_cmp)
RB_GENERATE(fl_spam_tree, spam, link, spam_cmp)
TAILQ_HEAD(spam_lru, spam);

struct fl_sim_events {
    struct fl_event_tree tree;
    struct fl_spam_tree spam;
    struct spam_lru lru;
    size_t nspam;
    struct event *sweep;
    uint64_t seq;
};

static uint64_t fnv1a(uint64_t h, const char *s);

/* May one more event about uid from component go out? */
static bool spam_allows(struct fl_sim_events *ev, const char *component, const char *uid)
{
    struct spam key = {.hash = fnv1a(fnv1a(FL_M_FNV_BASIS, component), uid)};
    int64_t now = fl_m_mono_ms();
    struct spam *b = RB_FIND(fl_spam_tree, &ev->spam, &key);
    if (b) {
        TAILQ_REMOVE(&ev->lru, b, lru);
    } else {
        if (ev->nspam == SPAM_LRU) { /* forget the least recently used */
            struct spam *old = TAILQ_FIRST(&ev->lru);
            TAILQ_REMOVE(&ev->lru, old, lru);
            RB_REMOVE(fl_spam_tree, &ev->spam, old);
            free(old);
            ev->nspam--;
        }
        b = fl_xcalloc(1, sizeof(*b));
        b->hash = key.hash;
        b->tokens = FL_M_EVENT_BURST;
        b->refill_ms = now;
        RB_INSERT(fl_spam_tree, &ev->spam, b);
        ev->nspam++;
    }
    TAILQ_INSERT_TAIL(&ev->lru, b, lru);
    int64_t back = (now - b->refill_ms) / SPAM_REFILL_MS;
    if (back > 0) {
        b->tokens = back >= FL_M_EVENT_BURST - b->tokens ? FL_M_EVENT_BURST : b->tokens + (int)back;
        b->refill_ms += back * SPAM_REFILL_MS;
    }
    if (b->tokens == 0)
        return false;
    b->tokens--;
    return true;
}

/* FNV-1a of s, then of a 0xff byte (a field separator no string holds). */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    h = fl_m_fnv1a(h, s, strlen(s));
    return fl_m_fnv1a(h, "\xff", 1);
}

static void entry_free(struct event_entry *e)
{
    free(e->ns);
    free(e->name);
    free(e);
}

static void sweep(evutil_socket_t fd, short what, void *arg)
{
    struct fl_member *m = arg;
    struct fl_sim_events *ev = m->events;
    const struct fl_rtype *t = fl_m_type("", "events");
    int64_t cutoff = (int64_t)time(NULL) - EVENT_TTL_S;
    struct event_entry *e, *next;
    for (e = RB_MIN(fl_event_tree, &ev->tree); e; e = next) {
        next = RB_NEXT(fl_event_tree, &ev->tree, e);
        if (e->last > cutoff)
            continue;
        struct fl_err err;
        fl_err_clear(&err);
        if (fl_m_delete(m, t, e->ns, e->name, NULL, &err) != 0 && err.code != 404)
            fprintf(stderr, "flotilla member: expiring event %s/%s: %s\n", e->ns, e->name,
                    err.message);
        RB_REMOVE(fl_event_tree, &ev->tree, e);
        entry_free(e);
    }
}

int fl_sim_events_start(struct fl_member *m, struct fl_err *err)
{
    struct fl_sim_events *ev = fl_xcalloc(1, sizeof(*ev));
    RB_INIT(&ev->tree);
    RB_INIT(&ev->spam);
    TAILQ_INIT(&ev->lru);
    ev->sweep = event_new(m->base, -1, EV_PERSIST, sweep, m);
    struct timeval every = {EVENT_SWEEP_S, 0};
    evtimer_add(ev->sweep, &every);
    m->events = ev;
    return FL_OK;
}

void fl_sim_events_stop(struct fl_member *m)
{
    struct fl_sim_events *ev = m->events;
    if (!ev)
        return;
    struct event_entry *e, *next;
    for (e = RB_MIN(fl_event_tree, &ev->tree); e; e = next) {
        next = RB_NEXT(fl_event_tree, &ev->tree, e);
        RB_REMOVE(fl_event_tree, &ev->tree, e);
        entry_free(e);
    }
    struct spam *b;
    while ((b = TAILQ_FIRST(&ev->lru)) != NULL) {
        TAILQ_REMOVE(&ev->lru, b, lru);
        free(b);
    }
    event_free(ev->sweep);
    free(ev);
    m->events = NULL;
}

/* Count one more occurrence of the stored event e. False if it is gone. */
static bool bump(struct fl_member *m, struct event_entry *e, const char *now)
{
    const struct fl_rtype *t = fl_m_type("", "events");
    struct fl_err err;
    fl_err_clear(&err);
    json_t *doc = fl_m_get_json(m, t, e->ns, e->name, &err);
    if (!doc)
        return false;
    json_int_t count = json_integer_value(json_object_get(doc, "count"));
    json_object_set_new(doc, "count", json_integer(count > 0 ? count + 1 : 2));
    json_object_set_new(doc, "lastTimestamp", json_string(now));
    bool ok = fl_m_update(m, t, doc, NULL, &err) == 0;
    json_decref(doc);
    return ok;
}

void fl_m_event(struct fl_member *m, const json_t *obj, const char *type, const char *reason,
                const char *component, const char *fmt, ...)
{
    struct fl_sim_events *ev = m->events;
    if (!ev)
        return;
    char msg[1024], now[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fl_m_now(now);
    const json_t *md = json_object_get(obj, "metadata");
    if (!spam_allows(ev, component, fl_json_str(md, "uid")))
        return;
    const char *ns = fl_json_str(md, "namespace");
    if (!ns[0])
        ns = "default"; /* events about cluster-scoped objects, as upstream */

    struct event_entry key = {.hash = FL_M_FNV_BASIS};
    key.hash = fnv1a(key.hash, fl_json_str(md, "uid"));
    key.hash = fnv1a(key.hash, reason);
    key.hash = fnv1a(key.hash, msg);
    key.hash = fnv1a(key.hash, type);
    key.hash = fnv1a(key.hash, component);
    struct event_entry *e = RB_FIND(fl_event_tree, &ev->tree, &key);
    if (e) {
        e->last = (int64_t)time(NULL);
        if (bump(m, e, now))
            return;
        RB_REMOVE(fl_event_tree, &ev->tree, e); /* deleted by someone: write a new one */
        entry_free(e);
    }

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char name[320];
    snprintf(name, sizeof(name), "%.240s.%llx", fl_json_str(md, "name"),
             (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec +
                 ev->seq++);
    json_t *doc = json_pack(
        "{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s},s:s,s:s,s:{s:s},s:s,s:s,s:i,s:s,s:s,s:s}", "metadata",
        "name", name, "namespace", ns, "involvedObject", "kind", fl_json_str(obj, "kind"),
        "name", fl_json_str(md, "name"), "uid", fl_json_str(md, "uid"), "apiVersion",
        fl_json_str(obj, "apiVersion"), "reason", reason, "message", msg, "source", "component",
        component, "firstTimestamp", now, "lastTimestamp", now, "count", 1, "type", type,
        "reportingComponent", component, "reportingInstance", "");
    json_t *io = json_object_get(doc, "involvedObject");
    if (fl_json_str(md, "namespace")[0])
        json_object_set_new(io, "namespace", json_string(fl_json_str(md, "namespace")));
    if (fl_json_str(md, "resourceVersion")[0])
        json_object_set_new(io, "resourceVersion",
                            json_string(fl_json_str(md, "resourceVersion")));
    json_object_set_new(doc, "eventTime", json_null());
    struct fl_err err;
    fl_err_clear(&err);
    if (fl_m_create(m, fl_m_type("", "events"), doc, NULL, &err) == 0) {
        e = fl_xcalloc(1, sizeof(*e));
        e->hash = key.hash;
        e->last = (int64_t)time(NULL);
        e->ns = fl_xstrdup(ns);
        e->name = fl_xstrdup(name);
        RB_INSERT(fl_event_tree, &ev->tree, e);
    }
    json_decref(doc);
}
