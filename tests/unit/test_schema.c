/*
 * Unit tests for api/schema: structural pruning (root and embedded
 * resources, preserve-unknown-fields, additionalProperties, int-or-string),
 * defaulting (missing fields in existing objects, nulls, nested and in
 * arrays), and each validation keyword with the field path and message
 * kube-apiserver gives a custom resource.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/schema.h"

static json_t *parse(const char *s)
{
    json_error_t e;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("bad test JSON (%s): %s", e.text, s);
    return v;
}

/* Apply schema to doc and compare the result with want (JSON). */
static void check_doc(const char *schema, const char *doc, const char *want)
{
    json_t *s = parse(schema), *d = parse(doc), *w = parse(want);
    struct fl_err err;
    fl_err_clear(&err);
    fl_schema_prune(s, d);
    fl_schema_default(s, d);
    if (!json_equal(d, w)) {
        char *got = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("schema %s\ndoc %s\nwant %s\ngot  %s", schema, doc, want, got);
    }
    json_decref(s);
    json_decref(d);
    json_decref(w);
}

/* Validate (after prune + default): the causes, as "field: message" joined
 * by " | ", must equal want ("" = valid). */
static void check_valid(const char *schema, const char *doc, const char *want)
{
    json_t *s = parse(schema), *d = parse(doc);
    struct fl_err err;
    fl_err_clear(&err);
    int rc = fl_schema_apply(s, d, &err);
    char got[4096] = "";
    size_t off = 0;
    for (int i = 0; i < err.ncauses; i++)
        off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s: %s", i ? " | " : "",
                                err.causes[i].field, err.causes[i].message);
    if (strcmp(got, want) != 0)
        fail_msg("schema %s\ndoc %s\nwant: %s\ngot:  %s", schema, doc, want, got);
    assert_int_equal(rc, want[0] ? FL_EFAIL : FL_OK);
    assert_int_equal(err.code, 0); /* the caller makes the 422 */
    json_decref(s);
    json_decref(d);
}

/* A root schema whose spec is S. */
#define ROOT(S) "{\"type\":\"object\",\"properties\":{\"spec\":" S "}}"
#define DOC(S)                                                                                     \
    "{\"apiVersion\":\"example.com/v1\",\"kind\":\"W\",\"metadata\":{\"name\":\"x\"},\"spec\":" S  \
    "}"

/* ---- pruning ------------------------------------------------------------ */

static void test_prune_unknown(void **state)
{
    check_doc(ROOT("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
                   "\"o\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"integer\"}}}}}"),
              "{\"apiVersion\":\"example.com/v1\",\"kind\":\"W\",\"metadata\":{\"name\":\"x\","
              "\"labels\":{\"l\":\"v\"},\"bogus\":1},\"spec\":{\"a\":\"s\",\"z\":1,"
              "\"o\":{\"b\":2,\"c\":3}},\"other\":true}",
              "{\"apiVersion\":\"example.com/v1\",\"kind\":\"W\",\"metadata\":{\"name\":\"x\","
              "\"labels\":{\"l\":\"v\"}},\"spec\":{\"a\":\"s\",\"o\":{\"b\":2}}}");
    /* An object schema without properties keeps nothing. */
    check_doc(ROOT("{\"type\":\"object\"}"), DOC("{\"a\":1}"), DOC("{}"));
    /* No schema (or a non-object) changes nothing. */
    check_doc("null", DOC("{\"a\":1}"), DOC("{\"a\":1}"));
}

static void test_prune_preserve(void **state)
{
    /* Unknown fields stay at the level that preserves them; known ones are
     * still pruned inside. */
    check_doc(ROOT("{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true,"
                   "\"properties\":{\"k\":{\"type\":\"object\",\"properties\":{"
                   "\"a\":{\"type\":\"string\"}}}}}"),
              DOC("{\"free\":{\"deep\":[1,{\"x\":2}]},\"k\":{\"a\":\"v\",\"gone\":1}}"),
              DOC("{\"free\":{\"deep\":[1,{\"x\":2}]},\"k\":{\"a\":\"v\"}}"));
    /* Preserve at the root keeps unknown top-level fields. */
    check_doc("{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}",
              "{\"kind\":\"W\",\"top\":1,\"spec\":{\"a\":1}}",
              "{\"kind\":\"W\",\"top\":1,\"spec\":{\"a\":1}}");
}

static void test_prune_maps_and_embedded(void **state)
{
    check_doc(ROOT("{\"type\":\"object\",\"properties\":{\"m\":{\"type\":\"object\","
                   "\"additionalProperties\":{\"type\":\"object\",\"properties\":{"
                   "\"keep\":{\"type\":\"integer\"}}}},"
                   "\"t\":{\"type\":\"object\",\"x-kubernetes-embedded-resource\":true,"
                   "\"properties\":{\"spec\":{\"type\":\"object\","
                   "\"x-kubernetes-preserve-unknown-fields\":true}}},"
                   "\"ios\":{\"x-kubernetes-int-or-string\":true}}}"),
              DOC("{\"m\":{\"one\":{\"keep\":1,\"drop\":2},\"two\":{}},"
                  "\"t\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                  "\"junk\":1},\"spec\":{\"any\":1},\"extra\":1},\"ios\":\"50%\"}"),
              DOC("{\"m\":{\"one\":{\"keep\":1},\"two\":{}},"
                  "\"t\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
                  "\"spec\":{\"any\":1}},\"ios\":\"50%\"}"));
}

static void test_prune_arrays(void **state)
{
    check_doc(ROOT("{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\","
                   "\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                   "\"string\"},\"ports\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                   "\"properties\":{\"p\":{\"type\":\"integer\"}}}}}}}}}"),
              DOC("{\"items\":[{\"name\":\"a\",\"x\":1,\"ports\":[{\"p\":1,\"q\":2}]},"
                  "{\"y\":2}]}"),
              DOC("{\"items\":[{\"name\":\"a\",\"ports\":[{\"p\":1}]},{}]}"));
}

/* ---- defaulting --------------------------------------------------------- */

static const char *const defaults_schema =
    ROOT("{\"type\":\"object\",\"properties\":{"
         "\"replicas\":{\"type\":\"integer\",\"default\":1},"
         "\"mode\":{\"type\":\"string\",\"default\":\"fast\"},"
         "\"opt\":{\"type\":\"string\",\"nullable\":true,\"default\":\"d\"},"
         "\"plain\":{\"type\":\"string\"},"
         "\"nested\":{\"type\":\"object\",\"properties\":{\"deep\":{\"type\":\"boolean\","
         "\"default\":true}}},"
         "\"withDefault\":{\"type\":\"object\",\"default\":{},\"properties\":{\"inner\":{"
         "\"type\":\"integer\",\"default\":7}}},"
         "\"list\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
         "\"w\":{\"type\":\"integer\",\"default\":5}}}}}}");

static void test_defaults(void **state)
{
    /* Missing fields get their defaults; a default object gets its own. */
    check_doc(
        defaults_schema, DOC("{}"),
        DOC("{\"replicas\":1,\"mode\":\"fast\",\"opt\":\"d\",\"withDefault\":{\"inner\":7}}"));
    /* Present fields stay; defaults go into objects that exist, and into
     * every element of a list. */
    check_doc(defaults_schema,
              DOC("{\"replicas\":3,\"mode\":\"slow\",\"nested\":{},\"list\":[{},{\"w\":1}]}"),
              DOC("{\"replicas\":3,\"mode\":\"slow\",\"opt\":\"d\",\"nested\":{\"deep\":true},"
                  "\"withDefault\":{\"inner\":7},\"list\":[{\"w\":5},{\"w\":1}]}"));
    /* A non-nullable null takes the default or goes; a nullable null stays. */
    check_doc(defaults_schema, DOC("{\"replicas\":null,\"plain\":null,\"opt\":null}"),
              DOC("{\"replicas\":1,\"mode\":\"fast\",\"opt\":null,\"withDefault\":{\"inner\":7}}"));
    /* No spec: nothing is defaulted inside it. */
    check_doc(defaults_schema, "{\"kind\":\"W\"}", "{\"kind\":\"W\"}");
}

/* ---- validation --------------------------------------------------------- */

static void test_types(void **state)
{
    const char *s = ROOT("{\"type\":\"object\",\"properties\":{"
                         "\"i\":{\"type\":\"integer\"},\"n\":{\"type\":\"number\"},"
                         "\"s\":{\"type\":\"string\"},\"b\":{\"type\":\"boolean\"},"
                         "\"a\":{\"type\":\"array\"},\"o\":{\"type\":\"object\","
                         "\"x-kubernetes-preserve-unknown-fields\":true},"
                         "\"z\":{\"type\":\"string\",\"nullable\":true}}}");
    check_valid(s, DOC("{\"i\":1,\"n\":1.5,\"s\":\"x\",\"b\":false,\"a\":[],\"o\":{},\"z\":null}"),
                "");
    check_valid(s, DOC("{\"i\":2.0,\"n\":3}"), ""); /* integral reals are integers */
    check_valid(s, DOC("{\"i\":\"string\"}"),
                "spec.i: Invalid value: \"string\": spec.i in body must be of type integer: "
                "\"string\"");
    check_valid(s, DOC("{\"i\":1.5,\"n\":\"x\",\"s\":1,\"b\":\"true\",\"a\":{},\"o\":[]}"),
                "spec.i: Invalid value: \"number\": spec.i in body must be of type integer: "
                "\"number\" | "
                "spec.n: Invalid value: \"string\": spec.n in body must be of type number: "
                "\"string\" | "
                "spec.s: Invalid value: \"integer\": spec.s in body must be of type string: "
                "\"integer\" | "
                "spec.b: Invalid value: \"string\": spec.b in body must be of type boolean: "
                "\"string\" | "
                "spec.a: Invalid value: \"object\": spec.a in body must be of type array: "
                "\"object\" | "
                "spec.o: Invalid value: \"array\": spec.o in body must be of type object: "
                "\"array\"");
    /* A nullable null passes; a non-nullable null without default is pruned,
     * so only a null in a list reaches validation. */
    check_valid(ROOT("{\"type\":\"object\",\"properties\":{\"l\":{\"type\":\"array\","
                     "\"items\":{\"type\":\"string\"}}}}"),
                DOC("{\"l\":[\"a\",null]}"),
                "spec.l[1]: Invalid value: \"null\": spec.l[1] in body must be of type string: "
                "\"null\"");
    /* The spec itself has the wrong type. */
    check_valid(s, DOC("3"),
                "spec: Invalid value: \"integer\": spec in body must be of type object: "
                "\"integer\"");
}

static void test_required_enum(void **state)
{
    const char *s = ROOT("{\"type\":\"object\",\"required\":[\"size\",\"color\"],"
                         "\"properties\":{\"size\":{\"type\":\"string\","
                         "\"enum\":[\"small\",\"large\"]},"
                         "\"color\":{\"type\":\"string\"},"
                         "\"n\":{\"type\":\"integer\",\"enum\":[1,2]}}}");
    check_valid(s, DOC("{\"size\":\"small\",\"color\":\"red\",\"n\":2}"), "");
    check_valid(s, DOC("{}"), "spec.size: Required value | spec.color: Required value");
    check_valid(s, DOC("{\"size\":\"medium\",\"color\":\"red\",\"n\":3}"),
                "spec.size: Unsupported value: \"medium\": supported values: \"small\", "
                "\"large\" | spec.n: Unsupported value: 3: supported values: 1, 2");
    /* required at the root */
    check_valid("{\"type\":\"object\",\"required\":[\"spec\"],\"properties\":{\"spec\":{"
                "\"type\":\"object\"}}}",
                "{\"kind\":\"W\",\"metadata\":{\"name\":\"x\"}}", "spec: Required value");
}

static void test_numbers(void **state)
{
    const char *s = ROOT("{\"type\":\"object\",\"properties\":{"
                         "\"r\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10},"
                         "\"e\":{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum\":true,"
                         "\"maximum\":1.5,\"exclusiveMaximum\":true},"
                         "\"m\":{\"type\":\"integer\",\"multipleOf\":5}}}");
    check_valid(s, DOC("{\"r\":10,\"e\":1.25,\"m\":15}"), "");
    check_valid(s, DOC("{\"r\":11,\"e\":0,\"m\":7}"),
                "spec.r: Invalid value: 11: spec.r in body should be less than or equal to 10 | "
                "spec.e: Invalid value: 0: spec.e in body should be greater than 0 | "
                "spec.m: Invalid value: 7: spec.m in body should be a multiple of 5");
    check_valid(s, DOC("{\"r\":-1,\"e\":1.5}"),
                "spec.r: Invalid value: -1: spec.r in body should be greater than or equal to 0 "
                "| spec.e: Invalid value: 1.5: spec.e in body should be less than 1.5");
}

static void test_strings(void **state)
{
    const char *s =
        ROOT("{\"type\":\"object\",\"properties\":{"
             "\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":4},"
             "\"dns\":{\"type\":\"string\",\"pattern\":\"^[a-z]([-a-z0-9]*[a-z0-9])?$\"},"
             "\"ver\":{\"type\":\"string\",\"pattern\":\"^v\\\\d+(?:\\\\.\\\\d+)?$\"},"
             "\"cls\":{\"type\":\"string\",\"pattern\":\"^[\\\\w\\\\-\\\\.]+$\"},"
             "\"at\":{\"type\":\"string\",\"format\":\"date-time\"},"
             "\"day\":{\"type\":\"string\",\"format\":\"date\"},"
             "\"port\":{\"x-kubernetes-int-or-string\":true}}}");
    check_valid(s,
                DOC("{\"name\":\"\u00e9t\u00e9s\",\"dns\":\"a-1\",\"ver\":\"v1.2\","
                    "\"cls\":\"a-b.c_d\",\"at\":\"2024-02-29T10:00:00Z\","
                    "\"day\":\"2024-02-29\",\"port\":\"http\"}"),
                "");
    check_valid(s, DOC("{\"port\":8080,\"at\":\"2024-01-01t00:00:00.123+02:00\"}"), "");
    check_valid(
        s,
        DOC("{\"name\":\"x\",\"dns\":\"-a\",\"ver\":\"va\",\"cls\":\"a b\","
            "\"at\":\"2024-01-01 00:00:00\",\"day\":\"2023-02-29\",\"port\":true}"),
        "spec.name: Invalid value: \"x\": spec.name in body should be at least 2 chars "
        "long | "
        "spec.dns: Invalid value: \"-a\": spec.dns in body should match "
        "'^[a-z]([-a-z0-9]*[a-z0-9])?$' | "
        "spec.ver: Invalid value: \"va\": spec.ver in body should match "
        "'^v\\d+(?:\\.\\d+)?$' | "
        "spec.cls: Invalid value: \"a b\": spec.cls in body should match '^[\\w\\-\\.]+$' | "
        "spec.at: Invalid value: \"2024-01-01 00:00:00\": spec.at in body must be of type "
        "date-time: \"2024-01-01 00:00:00\" | "
        "spec.day: Invalid value: \"2023-02-29\": spec.day in body must be of type date: "
        "\"2023-02-29\" | "
        "spec.port: Invalid value: \"boolean\": spec.port in body must be of type "
        "integer,string: \"boolean\"");
    check_valid(s, DOC("{\"name\":\"abcde\"}"),
                "spec.name: Too long: may not be more than 4 bytes");
}

static void test_arrays_and_maps(void **state)
{
    const char *s =
        ROOT("{\"type\":\"object\",\"properties\":{"
             "\"tags\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,"
             "\"x-kubernetes-list-type\":\"set\",\"items\":{\"type\":\"string\"}},"
             "\"ports\":{\"type\":\"array\",\"x-kubernetes-list-type\":\"map\","
             "\"x-kubernetes-list-map-keys\":[\"name\"],\"items\":{\"type\":\"object\","
             "\"required\":[\"name\"],\"properties\":{\"name\":{\"type\":\"string\"},"
             "\"port\":{\"type\":\"integer\",\"maximum\":65535}}}},"
             "\"env\":{\"type\":\"object\",\"maxProperties\":2,"
             "\"additionalProperties\":{\"type\":\"string\"}},"
             "\"closed\":{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true,"
             "\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"integer\"}}}}}");
    check_valid(
        s,
        DOC("{\"tags\":[\"a\",\"b\"],\"ports\":[{\"name\":\"http\",\"port\":80},"
            "{\"name\":\"https\",\"port\":443}],\"env\":{\"A\":\"1\"},\"closed\":{\"a\":1}}"),
        "");
    check_valid(s, DOC("{\"tags\":[]}"),
                "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items");
    check_valid(s, DOC("{\"tags\":[\"a\",\"b\",\"a\",\"c\"]}"),
                "spec.tags: Too many: 4: must have at most 3 items | "
                "spec.tags[2]: Duplicate value: \"a\"");
    check_valid(s,
                DOC("{\"ports\":[{\"name\":\"a\",\"port\":1},{\"port\":70000},"
                    "{\"name\":\"a\",\"port\":2}]}"),
                "spec.ports[1].name: Required value | "
                "spec.ports[1].port: Invalid value: 70000: spec.ports[1].port in body should be "
                "less than or equal to 65535 | "
                "spec.ports[2]: Duplicate value: {\"name\":\"a\"}");
    check_valid(s, DOC("{\"env\":{\"A\":\"1\",\"B\":2,\"C\":\"3\"}}"),
                "spec.env: Too many: 3: must have at most 2 items | "
                "spec.env.B: Invalid value: \"integer\": spec.env.B in body must be of type "
                "string: \"integer\"");
    check_valid(s, DOC("{\"closed\":{\"a\":1,\"b\":2}}"),
                "spec.closed.b: Forbidden: spec.closed.b in body is a forbidden property");
}

static void test_nested_arrays_of_objects(void **state)
{
    const char *s =
        ROOT("{\"type\":\"object\",\"properties\":{\"groups\":{\"type\":\"array\",\"items\":{"
             "\"type\":\"object\",\"properties\":{\"members\":{\"type\":\"array\",\"items\":{"
             "\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":"
             "\"integer\",\"default\":0},\"role\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"],"
             "\"default\":\"a\"}}}}}}}}}");
    json_t *sc = parse(s);
    json_t *d = parse(DOC("{\"groups\":[{\"members\":[{},{\"id\":3,\"x\":1}]},{\"members\":[]}]}"));
    struct fl_err err;
    fl_err_clear(&err);
    assert_int_equal(fl_schema_apply(sc, d, &err), FL_OK);
    json_t *want = parse(DOC("{\"groups\":[{\"members\":[{\"id\":0,\"role\":\"a\"},"
                             "{\"id\":3,\"role\":\"a\"}]},{\"members\":[]}]}"));
    assert_true(json_equal(d, want));
    json_decref(want);
    json_decref(d);
    json_decref(sc);
    check_valid(s,
                DOC("{\"groups\":[{},{\"members\":[{\"id\":1},{\"id\":\"x\",\"role\":\"c\"}]}]}"),
                "spec.groups[1].members[1].id: Invalid value: \"string\": "
                "spec.groups[1].members[1].id in body must be of type integer: \"string\" | "
                "spec.groups[1].members[1].role: Unsupported value: \"c\": supported values: "
                "\"a\", \"b\"");
}

static void test_combinators(void **state)
{
    const char *s = ROOT("{\"type\":\"object\",\"properties\":{"
                         "\"any\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]},"
                         "\"one\":{\"oneOf\":[{\"minimum\":0},{\"maximum\":10}]},"
                         "\"all\":{\"allOf\":[{\"minimum\":0},{\"maximum\":10}]},"
                         "\"not\":{\"not\":{\"type\":\"string\"}}}}");
    check_valid(s, DOC("{\"any\":\"x\",\"one\":20,\"all\":5,\"not\":1}"), "");
    check_valid(s, DOC("{\"any\":true,\"one\":5,\"all\":11,\"not\":\"s\"}"),
                "spec.any: Invalid value: true: spec.any in body must validate at least one "
                "schema (anyOf) | "
                "spec.one: Invalid value: 5: spec.one in body must validate one and only one "
                "schema (oneOf) | "
                "spec.all: Invalid value: 11: spec.all in body should be less than or equal to 10 "
                "| spec.not: Invalid value: \"s\": spec.not in body must not validate the schema "
                "(not)");
}

static void test_root_members_and_caps(void **state)
{
    /* apiVersion, kind and metadata are not checked against the schema. */
    check_valid("{\"type\":\"object\",\"properties\":{\"kind\":{\"type\":\"integer\"},"
                "\"metadata\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                "\"string\",\"maxLength\":1}}}}}",
                DOC("{}"), "");
    /* More problems than causes fit: the first FL_ERR_CAUSES_MAX are kept and
     * the count is complete. */
    json_t *s = parse(ROOT("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}"));
    json_t *d = parse(DOC("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,"
                          "\"i\":1,\"j\":1}"));
    struct fl_err err;
    fl_err_clear(&err);
    assert_int_equal(fl_schema_validate(s, d, &err), 10);
    assert_int_equal(err.ncauses, FL_ERR_CAUSES_MAX);
    json_decref(s);
    json_decref(d);
}

/* Nesting past FL_SCHEMA_MAX_DEPTH is reported, not recursed into. */
static void test_depth(void **state)
{
    json_t *s = json_pack("{s:s}", "type", "object"), *d = json_object();
    json_t *sp = s, *dp = d;
    for (int i = 0; i < FL_SCHEMA_MAX_DEPTH + 10; i++) {
        json_t *ns = json_pack("{s:s}", "type", "object"), *nd = json_object();
        json_object_set_new(sp, "properties", json_pack("{s:o}", "x", ns));
        json_object_set_new(dp, "x", nd);
        sp = ns;
        dp = nd;
    }
    json_object_set_new(dp, "leaf", json_true());
    struct fl_err err;
    fl_err_clear(&err);
    assert_int_equal(fl_schema_apply(s, d, &err), FL_EFAIL);
    assert_int_equal(err.ncauses, 1);
    assert_non_null(strstr(err.causes[0].message, "nested deeper than 64 levels"));
    json_decref(s);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prune_unknown),
        cmocka_unit_test(test_prune_preserve),
        cmocka_unit_test(test_prune_maps_and_embedded),
        cmocka_unit_test(test_prune_arrays),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_required_enum),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_arrays_and_maps),
        cmocka_unit_test(test_nested_arrays_of_objects),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_root_members_and_caps),
        cmocka_unit_test(test_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
