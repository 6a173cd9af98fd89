/*
 * Unit tests for api/printers: per kind, a realistic object and the exact
 * cells kube-apiserver 1.32 would print for it (the deployment and pods of
 * shared/reference/kubectl-response-samples reproduced cell for cell, with
 * `now` = the Date of that capture), the wide (priority 1) columns, the pod
 * status logic case by case, HumanDuration's table, the default printer, and
 * CRD additionalPrinterColumns with their JSONPaths.
 *
 * Objects are written as JSON with single quotes (turned into double quotes
 * before parsing) to keep them readable in C.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/printers.h"

/* Date of the reference capture: Sun, 22 Nov 2026 22:52:50 GMT. */
#define NOW 1795387970

static json_t *parse_sq(const char *sq)
{
    char *s = strdup(sq);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
    if (!j)
        fprintf(stderr, "bad test JSON (%s) at %d: %s\n", e.text, e.position, s);
    free(s);
    assert_non_null(j);
    return j;
}

static void assert_json(const json_t *got, const char *want_sq, const char *what)
{
    json_t *want = parse_sq(want_sq);
    if (!json_equal((json_t *)got, want)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
        fprintf(stderr, "%s:\n  got:  %s\n  want: %s\n", what, g, w);
        free(g);
        free(w);
        json_decref(want);
        fail();
    }
    json_decref(want);
}

/* The cells of obj under group/resource must be exactly `want`, and as many
 * as the resource has columns. */
static void check_at(const char *group, const char *resource, const char *obj_sq,
                     const char *want_sq, int64_t now)
{
    json_t *obj = parse_sq(obj_sq);
    json_t *got = fl_printer_cells(group, resource, obj, now);
    size_t n = 0;
    fl_printer_columns(group, resource, &n);
    assert_json(got, want_sq, resource);
    assert_int_equal(json_array_size(got), n);
    json_decref(got);
    json_decref(obj);
}

static void check(const char *group, const char *resource, const char *obj_sq, const char *want_sq)
{
    check_at(group, resource, obj_sq, want_sq, NOW);
}

/* "Name,Ready,..." and the priorities "00011" of a resource's columns. */
static void check_columns(const char *group, const char *resource, const char *names,
                          const char *priorities)
{
    size_t n = 0;
    const struct fl_column *c = fl_printer_columns(group, resource, &n);
    char got[1024] = "", pri[64] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(got, ",");
        strcat(got, c[i].name);
        pri[i] = (char)('0' + c[i].priority);
        assert_non_null(c[i].type);
        assert_non_null(c[i].format);
        assert_true(c[i].description && *c[i].description);
    }
    assert_string_equal(got, names);
    assert_string_equal(pri, priorities);
}

static const char *col_type(const char *group, const char *resource, const char *name)
{
    size_t n = 0;
    const struct fl_column *c = fl_printer_columns(group, resource, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].name, name))
            return c[i].type;
    return NULL;
}

/* ------------------------------------------------------------------------- */

static void test_now_is_capture_date(void **state)
{
    struct tm tm = {0};
    strptime("2026-11-22T22:52:50", "%Y-%m-%dT%H:%M:%S", &tm);
    assert_int_equal((int64_t)timegm(&tm), NOW);
}

static void test_age_table(void **state)
{
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {
        {-100, "<invalid>"}, {-2, "<invalid>"},     {-1, "0s"},         {0, "0s"},
        {1, "1s"},           {59, "59s"},           {119, "119s"},      {120, "2m"},
        {121, "2m1s"},       {599, "9m59s"},        {600, "10m"},       {3599, "59m"},
        {10799, "179m"},     {10800, "3h"},         {11100, "3h5m"},    {28799, "7h59m"},
        {28800, "8h"},       {172799, "47h"},       {172800, "2d"},     {183600, "2d3h"},
        {691199, "7d23h"},   {691200, "8d"},        {63071999, "729d"}, {63072000, "2y"},
        {65664000, "2y30d"}, {252287999, "7y364d"}, {252288000, "8y"},  {3153600000LL, "100y"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];
        fl_printer_age(cases[i].s, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want))
            fprintf(stderr, "age(%lld) = %s, want %s\n", (long long)cases[i].s, buf, cases[i].want);
        assert_string_equal(buf, cases[i].want);
    }
}

/* table-deployments.json: cells ["web","2/2",2,2,"21s","nginx","nginx:1.27","app=web"]. */
static void test_deployment_reference(void **state)
{
    check("apps", "deployments",
          "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'labels':{'app':'web',"
          "'tier':'frontend'},'name':'web','namespace':'default','uid':'7cac9f13-ddd8-443a-9231-"
          "6701bf79b46c','creationTimestamp':'2026-11-22T22:52:29Z','generation':1,"
          "'resourceVersion':'128'},'spec':{'progressDeadlineSeconds':600,'replicas':2,"
          "'revisionHistoryLimit':10,'selector':{'matchLabels':{'app':'web'}},'strategy':{"
          "'rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'},'type':'RollingUpdate'},"
          "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'image':"
          "'nginx:1.27','name':'nginx','ports':[{'containerPort':80}]}]}}},'status':{"
          "'availableReplicas':2,'observedGeneration':1,'readyReplicas':2,'replicas':2,"
          "'updatedReplicas':2}}",
          "['web','2/2',2,2,'21s','nginx','nginx:1.27','app=web']");
    check_columns("apps", "deployments",
                  "Name,Ready,Up-to-date,Available,Age,Containers,Images,"
                  "Selector",
                  "00000111");
    /* Upstream declares these "string" (the cells are still integers); the
     * reference capture's test server said "integer". */
    assert_string_equal(col_type("apps", "deployments", "Up-to-date"), "string");
    assert_string_equal(col_type("apps", "deployments", "Available"), "string");
}

static void test_deployment_selectors(void **state)
{
    check("apps", "deployments",
          "{'metadata':{'name':'d','creationTimestamp':'2026-11-22T22:50:50Z'},'spec':{"
          "'selector':{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'tier','operator':"
          "'In','values':['fe','be']},{'key':'canary','operator':'DoesNotExist'},{'key':'env',"
          "'operator':'Exists'}]},'template':{'spec':{'containers':[{'name':'a','image':'i:1'},"
          "{'name':'b','image':'i:2'}]}}}}",
          "['d','0/1',0,0,'2m','a,b','i:1,i:2','app=web,!canary,env,tier in (be,fe)']");
    check("apps", "deployments",
          "{'metadata':{'name':'d'},'spec':{'replicas':0,'selector':{'matchExpressions':[{'key':"
          "'x','operator':'Bogus'}]}}}",
          "['d','0/0',0,0,'<unknown>','','','<invalid>']");
}

/* table-pods.json, all four rows. */
static void test_pods_reference(void **state)
{
    check("", "pods",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'labels':{'app':'web'},'name':'web-0',"
          "'namespace':'default','uid':'153ba0a6-0f9e-4da3-be4f-579459b6d090',"
          "'creationTimestamp':'2026-11-22T22:52:29Z','resourceVersion':'131'},'spec':{"
          "'containers':[{'image':'nginx:1.27','name':'nginx','imagePullPolicy':'IfNotPresent'}],"
          "'restartPolicy':'Always','nodeName':'fake-node-1'},'status':{'phase':'Running',"
          "'hostIP':'10.0.0.1','podIP':'10.244.0.169','podIPs':[{'ip':'10.244.0.169'}],"
          "'startTime':'2026-11-22T22:52:29Z','qosClass':'BestEffort','conditions':[{'type':"
          "'PodReadyToStartContainers','status':'True','lastProbeTime':null,"
          "'lastTransitionTime':'2026-11-22T22:52:29Z'},{'type':'Initialized','status':'True'},"
          "{'type':'Ready','status':'True'},{'type':'ContainersReady','status':'True'},{'type':"
          "'PodScheduled','status':'True'}],'containerStatuses':[{'name':'nginx','image':"
          "'nginx:1.27','imageID':'','ready':true,'started':true,'restartCount':0,"
          "'containerID':'containerd://4509740df3134253b83f8ae24be51d88','state':{'running':{"
          "'startedAt':'2026-11-22T22:52:29Z'}}}]}}",
          "['web-0','1/1','Running','0','21s','10.244.0.169','fake-node-1','<none>','<none>']");
    static const char *const ips[] = {"10.244.0.117", "10.244.0.95", "10.244.0.81"};
    for (int i = 0; i < 3; i++) {
        char obj[1024], want[256];
        snprintf(obj, sizeof(obj),
                 "{'metadata':{'name':'coredns-%d','labels':{'k8s-app':'kube-dns'},'namespace':"
                 "'kube-system','creationTimestamp':'2026-11-22T22:52:28Z'},'spec':{'containers':"
                 "[{'name':'coredns','image':'coredns/coredns:1.11.3'}],'nodeName':'fake-node-1'},"
                 "'status':{'phase':'Running','podIP':'%s','podIPs':[{'ip':'%s'}],'conditions':["
                 "{'type':'Ready','status':'True'}],'containerStatuses':[{'name':'coredns',"
                 "'ready':true,'restartCount':0,'state':{'running':{'startedAt':"
                 "'2026-11-22T22:52:28Z'}}}]}}",
                 i, ips[i], ips[i]);
        snprintf(want, sizeof(want),
                 "['coredns-%d','1/1','Running','0','22s','%s','fake-node-1','<none>','<none>']", i,
                 ips[i]);
        check("", "pods", obj, want);
    }
}

static void test_pod_columns_match_reference(void **state)
{
    size_t n = 0;
    const struct fl_column *c = fl_printer_columns("", "pods", &n);
    json_t *got = fl_printer_columns_json(c, n);
    /* table-pods.json's columnDefinitions, descriptions aside */
    json_t *want = parse_sq("[['Name','string','name',0],['Ready','string','',0],"
                            "['Status','string','',0],['Restarts','string','',0],"
                            "['Age','string','',0],['IP','string','',1],['Node','string','',1],"
                            "['Nominated Node','string','',1],['Readiness Gates','string','',1]]");
    assert_int_equal(json_array_size(got), json_array_size(want));
    for (size_t i = 0; i < n; i++) {
        json_t *g = json_array_get(got, i), *w = json_array_get(want, i);
        assert_int_equal(json_object_size(g), 5);
        assert_string_equal(json_string_value(json_object_get(g, "name")),
                            json_string_value(json_array_get(w, 0)));
        assert_string_equal(json_string_value(json_object_get(g, "type")),
                            json_string_value(json_array_get(w, 1)));
        assert_string_equal(json_string_value(json_object_get(g, "format")),
                            json_string_value(json_array_get(w, 2)));
        assert_int_equal(json_integer_value(json_object_get(g, "priority")),
                         json_integer_value(json_array_get(w, 3)));
        assert_true(json_is_string(json_object_get(g, "description")));
    }
    json_decref(got);
    json_decref(want);
}

#define POD_META "'metadata':{'name':'p','creationTimestamp':'2026-11-22T22:52:40Z'}"

static void test_pod_status_logic(void **state)
{
    static const struct {
        const char *obj, *want;
    } cases[] = {
        /* waiting reason of the container */
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}]},'status':{'phase':'Pending',"
         "'containerStatuses':[{'name':'c','ready':false,'restartCount':0,'state':{'waiting':{"
         "'reason':'ContainerCreating'}}}]}}",
         "['p','0/1','ContainerCreating','0','10s','<none>','<none>','<none>','<none>']"},
        /* first init container still running */
        {"{" POD_META ",'spec':{'initContainers':[{'name':'i1'},{'name':'i2'}],'containers':[{"
         "'name':'c'}]},'status':{'phase':'Pending','conditions':[{'type':'Initialized',"
         "'status':'False'}],'initContainerStatuses':[{'name':'i1','restartCount':0,'state':{"
         "'running':{}}},{'name':'i2','restartCount':0,'state':{'waiting':{'reason':"
         "'PodInitializing'}}}],'containerStatuses':[{'name':'c','restartCount':0,'state':{"
         "'waiting':{'reason':'PodInitializing'}}}]}}",
         "['p','0/1','Init:0/2','0','10s','<none>','<none>','<none>','<none>']"},
        /* second init container pending after the first completed */
        {"{" POD_META ",'spec':{'initContainers':[{'name':'i1'},{'name':'i2'}],'containers':[{"
         "'name':'c'}]},'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1',"
         "'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'i2','state':{"
         "'waiting':{'reason':'PodInitializing'}}}]}}",
         "['p','0/1','Init:1/2','0','10s','<none>','<none>','<none>','<none>']"},
        /* crash-looping init container: its restarts, with when */
        {"{" POD_META ",'spec':{'initContainers':[{'name':'i1'}],'containers':[{'name':'c'}]},"
         "'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','restartCount':3,"
         "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-22T22:50:50Z'}},"
         "'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}",
         "['p','0/1','Init:CrashLoopBackOff','3 (2m ago)','10s','<none>','<none>','<none>',"
         "'<none>']"},
        {"{" POD_META ",'spec':{'initContainers':[{'name':'i1'}],'containers':[{'name':'c'}]},"
         "'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{"
         "'terminated':{'exitCode':1,'reason':'Error'}}}]}}",
         "['p','0/1','Init:Error','0','10s','<none>','<none>','<none>','<none>']"},
        {"{" POD_META ",'spec':{'initContainers':[{'name':'i1'}],'containers':[{'name':'c'}]},"
         "'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{"
         "'terminated':{'exitCode':2}}}]}}",
         "['p','0/1','Init:ExitCode:2','0','10s','<none>','<none>','<none>','<none>']"},
        {"{" POD_META ",'spec':{'initContainers':[{'name':'i1'}],'containers':[{'name':'c'}]},"
         "'status':{'phase':'Pending','initContainerStatuses':[{'name':'i1','state':{"
         "'terminated':{'exitCode':137,'signal':9}}}]}}",
         "['p','0/1','Init:Signal:9','0','10s','<none>','<none>','<none>','<none>']"},
        /* finished */
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}]},'status':{'phase':'Succeeded',"
         "'containerStatuses':[{'name':'c','ready':false,'restartCount':0,'state':{"
         "'terminated':{'exitCode':0,'reason':'Completed'}}}]}}",
         "['p','0/1','Completed','0','10s','<none>','<none>','<none>','<none>']"},
        /* restarts with the time of the last one */
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}],'nodeName':'n1'},'status':{'phase':"
         "'Running','podIPs':[{'ip':'10.1.0.5'},{'ip':'fd00::5'}],'containerStatuses':[{'name':"
         "'c','ready':true,'restartCount':2,'lastState':{'terminated':{'exitCode':1,"
         "'finishedAt':'2026-11-22T22:47:50Z'}},'state':{'running':{}}}]}}",
         "['p','1/1','Running','2 (5m ago)','10s','10.1.0.5','n1','<none>','<none>']"},
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}]},'status':{'phase':'Running',"
         "'containerStatuses':[{'name':'c','ready':false,'restartCount':7,'state':{'waiting':{"
         "'reason':'CrashLoopBackOff'}}}]}}",
         "['p','0/1','CrashLoopBackOff','7','10s','<none>','<none>','<none>','<none>']"},
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}]},'status':{'phase':'Running',"
         "'containerStatuses':[{'name':'c','state':{'terminated':{'exitCode':137}}}]}}",
         "['p','0/1','ExitCode:137','0','10s','<none>','<none>','<none>','<none>']"},
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}]},'status':{'phase':'Running',"
         "'containerStatuses':[{'name':'c','state':{'terminated':{'exitCode':0,'signal':15}}}]}}",
         "['p','0/1','Signal:15','0','10s','<none>','<none>','<none>','<none>']"},
        /* being deleted */
        {"{'metadata':{'name':'p','creationTimestamp':'2026-11-22T22:52:40Z',"
         "'deletionTimestamp':'2026-11-22T22:53:10Z'},'spec':{'containers':[{'name':'c'}]},"
         "'status':{'phase':'Running','containerStatuses':[{'name':'c','ready':true,'state':{"
         "'running':{}}}]}}",
         "['p','1/1','Terminating','0','10s','<none>','<none>','<none>','<none>']"},
        {"{'metadata':{'name':'p','creationTimestamp':'2026-11-22T22:52:40Z',"
         "'deletionTimestamp':'2026-11-22T22:53:10Z'},'spec':{'containers':[{'name':'c'}]},"
         "'status':{'phase':'Running','reason':'NodeLost'}}",
         "['p','0/1','Unknown','0','10s','<none>','<none>','<none>','<none>']"},
        {"{'metadata':{'name':'p','creationTimestamp':'2026-11-22T22:52:40Z',"
         "'deletionTimestamp':'2026-11-22T22:53:10Z'},'spec':{'containers':[{'name':'c'}]},"
         "'status':{'phase':'Succeeded','containerStatuses':[{'name':'c','state':{'terminated':"
         "{'exitCode':0,'reason':'Completed'}}}]}}",
         "['p','0/1','Completed','0','10s','<none>','<none>','<none>','<none>']"},
        /* a sidecar (restartable init container) counts as a container */
        {"{" POD_META ",'spec':{'initContainers':[{'name':'proxy','restartPolicy':'Always'}],"
         "'containers':[{'name':'app'}]},'status':{'phase':'Running','conditions':[{'type':"
         "'Initialized','status':'True'},{'type':'Ready','status':'True'}],"
         "'initContainerStatuses':[{'name':'proxy','started':true,'ready':true,'restartCount':1,"
         "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-22T22:52:20Z'}},'state':"
         "{'running':{}}}],'containerStatuses':[{'name':'app','ready':true,'restartCount':0,"
         "'state':{'running':{}}}]}}",
         "['p','2/2','Running','1 (30s ago)','10s','<none>','<none>','<none>','<none>']"},
        /* one container completed, one still running: back to Running / NotReady */
        {"{" POD_META ",'spec':{'containers':[{'name':'a'},{'name':'b'}]},'status':{'phase':"
         "'Running','conditions':[{'type':'Ready','status':'True'}],'containerStatuses':[{"
         "'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'b',"
         "'ready':true,'state':{'running':{}}}]}}",
         "['p','1/2','Running','0','10s','<none>','<none>','<none>','<none>']"},
        {"{" POD_META ",'spec':{'containers':[{'name':'a'},{'name':'b'}]},'status':{'phase':"
         "'Running','conditions':[{'type':'Ready','status':'False'}],'containerStatuses':[{"
         "'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'b',"
         "'ready':true,'state':{'running':{}}}]}}",
         "['p','1/2','NotReady','0','10s','<none>','<none>','<none>','<none>']"},
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}],'schedulingGates':[{'name':'g'}]},"
         "'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False',"
         "'reason':'SchedulingGated'}]}}",
         "['p','0/1','SchedulingGated','0','10s','<none>','<none>','<none>','<none>']"},
        /* evicted: status.reason wins over the phase */
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}]},'status':{'phase':'Failed',"
         "'reason':'Evicted'}}",
         "['p','0/1','Evicted','0','10s','<none>','<none>','<none>','<none>']"},
        /* wide: nominated node and readiness gates */
        {"{" POD_META ",'spec':{'containers':[{'name':'c'}],'readinessGates':[{'conditionType':"
         "'a'},{'conditionType':'b'}]},'status':{'phase':'Pending','nominatedNodeName':'n2',"
         "'conditions':[{'type':'a','status':'True'},{'type':'b','status':'False'}]}}",
         "['p','0/1','Pending','0','10s','<none>','<none>','n2','1/2']"},
        /* nothing at all */
        {"{}", "['','0/0','','0','<unknown>','<none>','<none>','<none>','<none>']"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check("", "pods", cases[i].obj, cases[i].want);
}

static void test_pod_row_conditions(void **state)
{
    json_t *obj = parse_sq("{'status':{'phase':'Succeeded'}}");
    json_t *c = fl_printer_row_conditions("", "pods", obj);
    assert_json(c,
                "[{'type':'Completed','status':'True','reason':'Succeeded','message':"
                "'The pod has completed successfully.'}]",
                "succeeded");
    json_decref(c);
    json_decref(obj);
    obj = parse_sq("{'status':{'phase':'Failed'}}");
    c = fl_printer_row_conditions("", "pods", obj);
    assert_json(c,
                "[{'type':'Completed','status':'True','reason':'Failed','message':"
                "'The pod failed.'}]",
                "failed");
    json_decref(c);
    assert_null(fl_printer_row_conditions("apps", "deployments", obj));
    json_decref(obj);
    obj = parse_sq("{'status':{'phase':'Running'}}");
    assert_null(fl_printer_row_conditions("", "pods", obj));
    json_decref(obj);
}

static void test_namespaces(void **state)
{
    check_columns("", "namespaces", "Name,Status,Age", "000");
    check("", "namespaces",
          "{'metadata':{'name':'default','creationTimestamp':'2026-11-22T22:52:05Z'},'status':{"
          "'phase':'Active'}}",
          "['default','Active','45s']");
    check("", "namespaces",
          "{'metadata':{'name':'old','creationTimestamp':'2026-11-22T22:52:05Z',"
          "'deletionTimestamp':'2026-11-22T22:52:45Z'},'status':{'phase':'Terminating'}}",
          "['old','Terminating','45s']");
    check("", "namespaces",
          "{'metadata':{'name':'new','creationTimestamp':'2026-11-22T22:52:50Z'}}",
          "['new','Active','0s']");
}

static void test_configmaps_secrets_serviceaccounts(void **state)
{
    check_columns("", "configmaps", "Name,Data,Age", "000");
    check("", "configmaps",
          "{'metadata':{'name':'cfg','creationTimestamp':'2026-11-20T22:52:50Z'},'data':{'a':'1',"
          "'b':'2'},'binaryData':{'c':'AA=='}}",
          "['cfg',3,'2d']");
    check("", "configmaps", "{'metadata':{'name':'empty'}}", "['empty',0,'<unknown>']");

    check_columns("", "secrets", "Name,Type,Data,Age", "0000");
    check("", "secrets",
          "{'metadata':{'name':'tls','creationTimestamp':'2026-11-22T22:47:50Z'},'type':"
          "'kubernetes.io/tls','data':{'tls.crt':'AA==','tls.key':'AA=='}}",
          "['tls','kubernetes.io/tls',2,'5m']");
    check("", "secrets",
          "{'metadata':{'name':'s','creationTimestamp':'2026-11-22T22:47:50Z'},'data':{'a':'AA=='"
          "},'stringData':{'a':'x','b':'y'}}",
          "['s','Opaque',2,'5m']");

    check_columns("", "serviceaccounts", "Name,Secrets,Age", "000");
    check("", "serviceaccounts",
          "{'metadata':{'name':'default','creationTimestamp':'2026-11-22T22:51:50Z'},'secrets':[{"
          "'name':'default-token'}]}",
          "['default',1,'60s']");
}

static void test_services(void **state)
{
    check_columns("", "services", "Name,Type,Cluster-IP,External-IP,Port(s),Age,Selector",
                  "0000001");
    check("", "services",
          "{'metadata':{'name':'kubernetes','creationTimestamp':'2026-11-22T22:43:24Z'},'spec':{"
          "'type':'ClusterIP','clusterIP':'10.96.0.1','clusterIPs':['10.96.0.1'],'ports':[{"
          "'name':'https','port':443,'protocol':'TCP','targetPort':6443}]}}",
          "['kubernetes','ClusterIP','10.96.0.1','<none>','443/TCP','9m26s','<none>']");
    /* what `kubectl expose` creates, before defaulting */
    check("", "services",
          "{'metadata':{'name':'web','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'ports':[{'port':80,'targetPort':80}],'selector':{'app':'web'}}}",
          "['web','ClusterIP','<none>','<none>','80/TCP','10s','app=web']");
    check("", "services",
          "{'metadata':{'name':'np','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{'type':"
          "'NodePort','clusterIPs':['10.96.0.7','fd00::7'],'externalIPs':['1.2.3.4','5.6.7.8'],"
          "'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':53,'nodePort':30053,"
          "'protocol':'UDP'}],'selector':{'tier':'fe','app':'web'}}}",
          "['np','NodePort','10.96.0.7','1.2.3.4,5.6.7.8','80:30080/TCP,53:30053/UDP','10s',"
          "'app=web,tier=fe']");
    check("", "services",
          "{'metadata':{'name':'lb','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{'type':"
          "'LoadBalancer','clusterIP':'10.96.0.8','ports':[{'port':443,'nodePort':31443,"
          "'protocol':'TCP'}]}}",
          "['lb','LoadBalancer','10.96.0.8','<pending>','443:31443/TCP','10s','<none>']");
    check("", "services",
          "{'metadata':{'name':'lb','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{'type':"
          "'LoadBalancer','clusterIP':'10.96.0.8','externalIPs':['9.9.9.9'],'ports':[{'port':443,"
          "'protocol':'TCP'}]},'status':{'loadBalancer':{'ingress':[{'ip':'5.6.7.8'},{'hostname':"
          "'lb.example.com'},{'ip':'5.6.7.8'}]}}}",
          "['lb','LoadBalancer','10.96.0.8','5.6.7.8,lb.example.com,9.9.9.9','443/TCP','10s',"
          "'<none>']");
    check("", "services",
          "{'metadata':{'name':'db','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{'type':"
          "'ExternalName','externalName':'db.example.com'}}",
          "['db','ExternalName','<none>','db.example.com','<none>','10s','<none>']");
}

static void test_events(void **state)
{
    check_columns("", "events",
                  "Last Seen,Type,Reason,Object,Subobject,Source,Message,First Seen,Count,Name",
                  "0000110111");
    check("", "events",
          "{'metadata':{'name':'web-0.1','namespace':'default','creationTimestamp':"
          "'2026-11-22T22:52:00Z'},'involvedObject':{'kind':'Pod','name':'web-0','namespace':"
          "'default','fieldPath':'spec.containers{nginx}'},'reason':'Started','message':"
          "'Started container\\n','source':{'component':'kubelet','host':'fake-node-1'},"
          "'firstTimestamp':'2026-11-22T22:52:00Z','lastTimestamp':'2026-11-22T22:52:00Z',"
          "'count':1,'type':'Normal'}",
          "['50s','Normal','Started','pod/web-0','spec.containers{nginx}','kubelet, fake-node-1',"
          "'Started container','50s',1,'web-0.1']");
    /* new-API fields through core/v1: eventTime, series, reporting* */
    check("", "events",
          "{'metadata':{'name':'e2'},'involvedObject':{'kind':'Deployment'},'reason':'Scaled',"
          "'message':'up','type':'Normal','eventTime':'2026-11-22T22:50:50.123456Z','series':{"
          "'count':5,'lastObservedTime':'2026-11-22T22:52:40.000000Z'},'reportingComponent':"
          "'default-scheduler','reportingInstance':'sched-1'}",
          "['10s','Normal','Scaled','deployment','','default-scheduler, sched-1','up','119s',5,"
          "'e2']");
    check("", "events",
          "{'metadata':{'name':'e3'},'involvedObject':{'kind':'Node','name':'n1'},'count':4,"
          "'firstTimestamp':'2026-11-22T20:52:50Z','lastTimestamp':'2026-11-22T22:51:50Z',"
          "'source':{'component':'kubelet'}}",
          "['60s','','','node/n1','','kubelet','','120m',4,'e3']");
    check("events.k8s.io", "events",
          "{'metadata':{'name':'e1'},'regarding':{'kind':'Pod','name':'P-1'},'note':'hello',"
          "'reason':'Pulled','type':'Warning','reportingController':'kubelet',"
          "'reportingInstance':'n1','eventTime':'2026-11-22T22:52:30.000000Z'}",
          "['20s','Warning','Pulled','pod/P-1','','kubelet, n1','hello','20s',1,'e1']");
}

static void test_nodes(void **state)
{
    check_columns("", "nodes",
                  "Name,Status,Roles,Age,Version,Internal-IP,External-IP,OS-Image,Kernel-Version,"
                  "Container-Runtime",
                  "0000011111");
    check("", "nodes",
          "{'metadata':{'name':'n1','creationTimestamp':'2026-11-12T22:52:50Z','labels':{"
          "'node-role.kubernetes.io/master':'','node-role.kubernetes.io/control-plane':'',"
          "'node-role.kubernetes.io/':'x','kubernetes.io/role':'worker','kubernetes.io/os':"
          "'linux'}},'spec':{'unschedulable':true},'status':{'conditions':[{'type':"
          "'MemoryPressure','status':'False'},{'type':'Ready','status':'True'}],'addresses':[{"
          "'type':'Hostname','address':'n1'},{'type':'InternalIP','address':'10.0.0.1'}],"
          "'nodeInfo':{'kubeletVersion':'v1.32.4','osImage':'Debian GNU/Linux 12 (bookworm)',"
          "'kernelVersion':'6.1.0-18-amd64','containerRuntimeVersion':'containerd://1.7.13'}}}",
          "['n1','Ready,SchedulingDisabled','control-plane,master,worker','10d','v1.32.4',"
          "'10.0.0.1','<none>','Debian GNU/Linux 12 (bookworm)','6.1.0-18-amd64',"
          "'containerd://1.7.13']");
    check("", "nodes",
          "{'metadata':{'name':'n2','creationTimestamp':'2026-11-22T22:52:50Z'},'status':{"
          "'conditions':[{'type':'Ready','status':'Unknown'}],'addresses':[{'type':'ExternalIP',"
          "'address':'203.0.113.9'}]}}",
          "['n2','NotReady','<none>','0s','','<none>','203.0.113.9','<unknown>','<unknown>',"
          "'<unknown>']");
    check("", "nodes", "{'metadata':{'name':'n3'}}",
          "['n3','Unknown','<none>','<unknown>','','<none>','<none>','<unknown>','<unknown>',"
          "'<unknown>']");
}

static void test_persistentvolumeclaims(void **state)
{
    check_columns("", "persistentvolumeclaims",
                  "Name,Status,Volume,Capacity,Access Modes,StorageClass,VolumeAttributesClass,"
                  "Age,VolumeMode",
                  "000000001");
    check("", "persistentvolumeclaims",
          "{'metadata':{'name':'data','creationTimestamp':'2026-11-22T21:52:50Z'},'spec':{"
          "'volumeName':'pv-1','storageClassName':'standard','volumeMode':'Filesystem',"
          "'resources':{'requests':{'storage':'5Gi'}}},'status':{'phase':'Bound','capacity':{"
          "'storage':'10Gi'},'accessModes':['ReadWriteOnce','ReadWriteOnce','ReadOnlyMany']}}",
          "['data','Bound','pv-1','10Gi','RWO,ROX','standard','<unset>','60m','Filesystem']");
    check("", "persistentvolumeclaims",
          "{'metadata':{'name':'claim','creationTimestamp':'2026-11-22T22:52:40Z','annotations':"
          "{'volume.beta.kubernetes.io/storage-class':'fast'}},'spec':{'storageClassName':"
          "'standard','volumeAttributesClassName':'gold','accessModes':['ReadWriteMany']},"
          "'status':{'phase':'Pending'}}",
          "['claim','Pending','','','','fast','gold','10s','<unset>']");
    check("", "persistentvolumeclaims",
          "{'metadata':{'name':'gone','creationTimestamp':'2026-11-22T22:52:40Z',"
          "'deletionTimestamp':'2026-11-22T22:52:45Z'},'spec':{'volumeName':'pv-2'},'status':{"
          "'phase':'Bound','capacity':{'storage':'1Gi'},'accessModes':['ReadWriteOncePod',"
          "'ReadWriteMany']}}",
          "['gone','Terminating','pv-2','1Gi','RWX,RWOP','','<unset>','10s','<unset>']");
}

static void test_endpoints(void **state)
{
    check_columns("", "endpoints", "Name,Endpoints,Age", "000");
    check("", "endpoints",
          "{'metadata':{'name':'web','creationTimestamp':'2026-11-22T22:52:40Z'},'subsets':[{"
          "'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}],'ports':[{'port':80},{'port':443}]}"
          "]}",
          "['web','10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...','10s']");
    check("", "endpoints",
          "{'metadata':{'name':'dns','creationTimestamp':'2026-11-22T22:52:40Z'},'subsets':[{"
          "'addresses':[{'ip':'fd00::1'}],'ports':[{'port':53,'protocol':'UDP'}]},{'addresses':[{"
          "'ip':'10.0.0.9'}]}]}",
          "['dns','[fd00::1]:53,10.0.0.9','10s']");
    check("", "endpoints",
          "{'metadata':{'name':'none','creationTimestamp':'2026-11-22T22:52:40Z'}}",
          "['none','<none>','10s']");
    check("", "endpoints",
          "{'metadata':{'name':'notready','creationTimestamp':'2026-11-22T22:52:40Z'},'subsets':"
          "[{'notReadyAddresses':[{'ip':'10.0.0.3'}],'ports':[{'port':80}]}]}",
          "['notready','','10s']");
}

static void test_statefulsets_replicasets(void **state)
{
    check_columns("apps", "statefulsets", "Name,Ready,Age,Containers,Images", "00011");
    check("apps", "statefulsets",
          "{'metadata':{'name':'db','creationTimestamp':'2026-11-22T22:52:46Z'},'spec':{"
          "'replicas':3,'serviceName':'db','selector':{'matchLabels':{'app':'db'}},'template':{"
          "'spec':{'containers':[{'image':'postgres:16','name':'pg'}]}}},'status':{'replicas':3,"
          "'readyReplicas':3}}",
          "['db','3/3','4s','pg','postgres:16']");

    check_columns("apps", "replicasets",
                  "Name,Desired,Current,Ready,Age,Containers,Images,Selector", "00000111");
    check("apps", "replicasets",
          "{'metadata':{'name':'web-abc','creationTimestamp':'2026-11-22T22:52:29Z'},'spec':{"
          "'replicas':2,'selector':{'matchLabels':{'pod-template-hash':'abc','app':'web'}},"
          "'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.27'},{'name':"
          "'sidecar','image':'busybox'}]}}},'status':{'replicas':2,'readyReplicas':1}}",
          "['web-abc',2,2,1,'21s','nginx,sidecar','nginx:1.27,busybox',"
          "'app=web,pod-template-hash=abc']");
    check("apps", "replicasets", "{'metadata':{'name':'rs'},'spec':{'selector':{}}}",
          "['rs',1,0,0,'<unknown>','','','<none>']");
    check("apps", "replicasets",
          "{'metadata':{'name':'rs'},'spec':{'replicas':0,'selector':{'matchExpressions':[{'key':"
          "'a','operator':'In','values':[]}]}}}",
          "['rs',0,0,0,'<unknown>','','','<error>']");
}

static void test_daemonsets_controllerrevisions(void **state)
{
    check_columns("apps", "daemonsets",
                  "Name,Desired,Current,Ready,Up-to-date,Available,Node Selector,Age,Containers,"
                  "Images,Selector",
                  "00000000111");
    check("apps", "daemonsets",
          "{'metadata':{'name':'fluentd','creationTimestamp':'2026-11-22T22:42:50Z'},'spec':{"
          "'selector':{'matchLabels':{'name':'fluentd'}},'template':{'spec':{'nodeSelector':{"
          "'kubernetes.io/os':'linux'},'containers':[{'name':'fluentd','image':'fluentd:v1'}]}}},"
          "'status':{'desiredNumberScheduled':3,'currentNumberScheduled':3,'numberReady':2,"
          "'updatedNumberScheduled':3,'numberAvailable':2}}",
          "['fluentd',3,3,2,3,2,'kubernetes.io/os=linux','10m','fluentd','fluentd:v1',"
          "'name=fluentd']");

    check_columns("apps", "controllerrevisions", "Name,Controller,Revision,Age", "0000");
    check("apps", "controllerrevisions",
          "{'metadata':{'name':'db-7d9f','creationTimestamp':'2026-11-22T22:52:46Z',"
          "'ownerReferences':[{'apiVersion':'v1','kind':'Pod','name':'other'},{'apiVersion':"
          "'apps/v1','kind':'StatefulSet','name':'db','uid':'u','controller':true}]},"
          "'revision':2}",
          "['db-7d9f','statefulset.apps/db',2,'4s']");
    check("apps", "controllerrevisions",
          "{'metadata':{'name':'x','ownerReferences':[{'apiVersion':'v1','kind':'Pod','name':"
          "'p','controller':true}]},'revision':1}",
          "['x','pod/p',1,'<unknown>']");
    check("apps", "controllerrevisions", "{'metadata':{'name':'orphan'}}",
          "['orphan','<none>',0,'<unknown>']");
}

static void test_horizontalpodautoscalers(void **state)
{
    check_columns("autoscaling", "horizontalpodautoscalers",
                  "Name,Reference,Targets,MinPods,MaxPods,Replicas,Age", "0000000");
    check("autoscaling", "horizontalpodautoscalers",
          "{'metadata':{'name':'web','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'web'},"
          "'minReplicas':2,'maxReplicas':10,'metrics':[{'type':'Resource','resource':{'name':"
          "'cpu','target':{'type':'Utilization','averageUtilization':80}}},{'type':'Pods','pods':"
          "{'metric':{'name':'rps'},'target':{'type':'AverageValue','averageValue':'100'}}},{"
          "'type':'External','external':{'metric':{'name':'q'},'target':{'type':'Value','value':"
          "'30'}}}]},'status':{'currentReplicas':3,'currentMetrics':[{'type':'Resource',"
          "'resource':{'name':'cpu','current':{'averageUtilization':42,'averageValue':'120m'}}}"
          "]}}",
          "['web','Deployment/web','cpu: 42%/80%, <unknown>/100 + 1 more...','2',10,3,'10s']");
    check("autoscaling", "horizontalpodautoscalers",
          "{'metadata':{'name':'mem','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'scaleTargetRef':{'kind':'StatefulSet','name':'db'},'maxReplicas':4,'metrics':[{"
          "'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue',"
          "'averageValue':'500Mi'}}},{'type':'Object','object':{'target':{'type':'AverageValue',"
          "'averageValue':'2'}}}]},'status':{'currentMetrics':[{'type':'Resource','resource':{"
          "'name':'memory','current':{'averageValue':'300Mi'}}},{'type':'Object','object':{"
          "'current':{'averageValue':'1'}}}]}}",
          "['mem','StatefulSet/db','memory: 300Mi/500Mi, 1/2 (avg)','<unset>',4,0,'10s']");
    /* autoscaling/v1 */
    check("autoscaling", "horizontalpodautoscalers",
          "{'metadata':{'name':'v1','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':5,"
          "'targetCPUUtilizationPercentage':50},'status':{'currentReplicas':1,"
          "'currentCPUUtilizationPercentage':12}}",
          "['v1','Deployment/web','cpu: 12%/50%','<unset>',5,1,'10s']");
    check("autoscaling", "horizontalpodautoscalers",
          "{'metadata':{'name':'bare'},'spec':{'scaleTargetRef':{'kind':'Deployment','name':'x'},"
          "'minReplicas':1,'maxReplicas':3}}",
          "['bare','Deployment/x','<none>','1',3,0,'<unknown>']");
}

static void test_pdb_endpointslices_leases(void **state)
{
    check_columns("policy", "poddisruptionbudgets",
                  "Name,Min Available,Max Unavailable,Allowed Disruptions,Age", "00000");
    check("policy", "poddisruptionbudgets",
          "{'metadata':{'name':'web-pdb','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'minAvailable':2,'selector':{'matchLabels':{'app':'web'}}},'status':{"
          "'disruptionsAllowed':1}}",
          "['web-pdb','2','N/A',1,'10s']");
    check("policy", "poddisruptionbudgets",
          "{'metadata':{'name':'p2','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'maxUnavailable':'25%'}}",
          "['p2','N/A','25%',0,'10s']");

    check_columns("discovery.k8s.io", "endpointslices", "Name,AddressType,Ports,Endpoints,Age",
                  "00000");
    check("discovery.k8s.io", "endpointslices",
          "{'metadata':{'name':'web-x1','creationTimestamp':'2026-11-22T22:52:40Z'},"
          "'addressType':'IPv4','ports':[{'name':'http','port':80},{'name':'named'},{},{'port':"
          "8443}],'endpoints':[{'addresses':['10.0.0.1']},{'addresses':['10.0.0.2','10.0.0.3']}]"
          "}",
          "['web-x1','IPv4','80,named,* + 1 more...','10.0.0.1,10.0.0.2,10.0.0.3','10s']");
    check("discovery.k8s.io", "endpointslices",
          "{'metadata':{'name':'e','creationTimestamp':'2026-11-22T22:52:40Z'},'addressType':"
          "'IPv6','endpoints':[{'addresses':['fd00::1','fd00::2','fd00::3']},{'addresses':["
          "'fd00::4','fd00::5']}]}",
          "['e','IPv6','<unset>','fd00::1,fd00::2,fd00::3 + 2 more...','10s']");

    check_columns("coordination.k8s.io", "leases", "Name,Holder,Age", "000");
    check("coordination.k8s.io", "leases",
          "{'metadata':{'name':'kube-scheduler','creationTimestamp':'2026-11-22T22:42:50Z'},"
          "'spec':{'holderIdentity':'sched-1_abc','leaseDurationSeconds':15}}",
          "['kube-scheduler','sched-1_abc','10m']");
    check("coordination.k8s.io", "leases", "{'metadata':{'name':'free'}}",
          "['free','','<unknown>']");
}

static void test_customresourcedefinitions(void **state)
{
    check_columns("apiextensions.k8s.io", "customresourcedefinitions", "Name,Created At", "00");
    assert_string_equal(col_type("apiextensions.k8s.io", "customresourcedefinitions", "Created At"),
                        "date");
    check("apiextensions.k8s.io", "customresourcedefinitions",
          "{'metadata':{'name':'propagationpolicies.policy.karmada.io','creationTimestamp':"
          "'2026-11-22T22:43:24Z'}}",
          "['propagationpolicies.policy.karmada.io','2026-11-22T22:43:24Z']");
    check("apiextensions.k8s.io", "customresourcedefinitions",
          "{'metadata':{'name':'x.example.com','creationTimestamp':'2026-11-22T23:43:24+01:00'}}",
          "['x.example.com','2026-11-22T22:43:24Z']");
    check("apiextensions.k8s.io", "customresourcedefinitions", "{'metadata':{'name':'y'}}",
          "['y','0001-01-01T00:00:00Z']");
}

static void test_karmada_clusters(void **state)
{
    check_columns("cluster.karmada.io", "clusters",
                  "Name,Version,Mode,Ready,Age,Zones,Region,Provider,API-Endpoint,Proxy-URL",
                  "0000011111");
    check("cluster.karmada.io", "clusters",
          "{'metadata':{'name':'member1','creationTimestamp':'2026-11-22T22:42:50Z'},'spec':{"
          "'syncMode':'Push','apiEndpoint':'https://10.0.0.5:6443','zones':['z1','z2'],"
          "'region':'eu-west'},'status':{'kubernetesVersion':'v1.31.0','conditions':[{'type':"
          "'Ready','status':'True','reason':'ClusterReady'}]}}",
          "['member1','v1.31.0','Push','True','10m','z1,z2','eu-west','<none>',"
          "'https://10.0.0.5:6443','<none>']");
    check("cluster.karmada.io", "clusters",
          "{'metadata':{'name':'member2'},'spec':{'syncMode':'Pull','provider':'aws','proxyURL':"
          "'http://proxy:3128'}}",
          "['member2','','Pull','Unknown','<unknown>','<none>','<none>','aws','',"
          "'http://proxy:3128']");
}

static void test_karmada_crd_kinds(void **state)
{
    check_columns("policy.karmada.io", "propagationpolicies",
                  "Name,CONFLICT-RESOLUTION,PRIORITY,AGE", "0000");
    check_columns("policy.karmada.io", "clusterpropagationpolicies",
                  "Name,CONFLICT-RESOLUTION,PRIORITY,AGE", "0000");
    assert_string_equal(col_type("policy.karmada.io", "propagationpolicies", "AGE"), "date");
    check("policy.karmada.io", "propagationpolicies",
          "{'metadata':{'name':'web-pp','creationTimestamp':'2026-11-22T22:44:05Z'},'spec':{"
          "'conflictResolution':'Abort','priority':0,'resourceSelectors':[{'apiVersion':"
          "'apps/v1','kind':'Deployment','name':'web'}]}}",
          "['web-pp','Abort','0','8m45s']");
    check("policy.karmada.io", "clusterpropagationpolicies",
          "{'metadata':{'name':'cpp','creationTimestamp':'2026-11-22T22:44:05Z'},'spec':{}}",
          "['cpp',null,null,'8m45s']");

    check_columns("policy.karmada.io", "overridepolicies", "Name,Age", "00");
    check_columns("policy.karmada.io", "clusteroverridepolicies", "Name,Age", "00");
    check("policy.karmada.io", "overridepolicies",
          "{'metadata':{'name':'op','creationTimestamp':'2026-11-22T22:52:40Z'}}", "['op','10s']");

    check_columns("work.karmada.io", "resourcebindings", "Name,Scheduled,FullyApplied,Age", "0000");
    check_columns("work.karmada.io", "clusterresourcebindings", "Name,Scheduled,FullyApplied,Age",
                  "0000");
    check("work.karmada.io", "resourcebindings",
          "{'metadata':{'name':'web-deployment','creationTimestamp':'2026-11-22T22:52:40Z'},"
          "'status':{'conditions':[{'type':'Scheduled','status':'True','reason':'Success'},{"
          "'type':'FullyApplied','status':'False'}]}}",
          "['web-deployment','True','False','10s']");
    check("work.karmada.io", "clusterresourcebindings",
          "{'metadata':{'name':'crb','creationTimestamp':'2026-11-22T22:52:40Z'}}",
          "['crb',null,null,'10s']");

    check_columns("autoscaling.karmada.io", "federatedhpas",
                  "Name,REFERENCE-KIND,REFERENCE-NAME,MINPODS,MAXPODS,REPLICAS,AGE", "0000000");
    check("autoscaling.karmada.io", "federatedhpas",
          "{'metadata':{'name':'web','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'web'},"
          "'minReplicas':1,'maxReplicas':10},'status':{'currentReplicas':3}}",
          "['web','Deployment','web',1,10,3,'10s']");
    check("autoscaling.karmada.io", "federatedhpas",
          "{'metadata':{'name':'f','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':10}}",
          "['f','Deployment','web',null,10,null,'10s']");

    check_columns("autoscaling.karmada.io", "cronfederatedhpas",
                  "Name,REFERENCE-KIND,REFERENCE-NAME,AGE", "0000");
    check("autoscaling.karmada.io", "cronfederatedhpas",
          "{'metadata':{'name':'nightly','creationTimestamp':'2026-11-22T22:52:40Z'},'spec':{"
          "'scaleTargetRef':{'apiVersion':'autoscaling.karmada.io/v1alpha1','kind':"
          "'FederatedHPA','name':'web'},'rules':[]}}",
          "['nightly','FederatedHPA','web','10s']");
}

static void test_default_printer(void **state)
{
    check_columns("example.com", "foos", "Name,Age", "00");
    assert_string_equal(col_type("example.com", "foos", "Age"), "date");
    check("example.com", "foos",
          "{'metadata':{'name':'foo-1','creationTimestamp':'2026-11-22T22:47:50Z'}}",
          "['foo-1','5m']");
    /* a date column over a missing field is null, as for any CRD column */
    check("example.com", "foos", "{'metadata':{'name':'foo-2'}}", "['foo-2',null]");
    check("example.com", "foos",
          "{'metadata':{'name':'future','creationTimestamp':'2026-11-22T22:53:50Z'}}",
          "['future','<invalid>']");
    check("example.com", "foos", "{'metadata':{'name':'bad','creationTimestamp':'not-a-time'}}",
          "['bad','<invalid>']");
    /* same resource name, other group: not the core printer */
    check_columns("example.com", "pods", "Name,Age", "00");
    check_columns(NULL, NULL, "Name,Age", "00");
}

/* Every printer emits one cell per column whatever the object looks like. */
static void test_cells_match_columns_on_odd_objects(void **state)
{
    static const char *const kinds[][2] = {
        {"", "namespaces"},
        {"", "configmaps"},
        {"", "secrets"},
        {"", "services"},
        {"", "serviceaccounts"},
        {"", "events"},
        {"events.k8s.io", "events"},
        {"", "pods"},
        {"", "nodes"},
        {"", "persistentvolumeclaims"},
        {"", "endpoints"},
        {"apps", "deployments"},
        {"apps", "statefulsets"},
        {"apps", "replicasets"},
        {"apps", "daemonsets"},
        {"apps", "controllerrevisions"},
        {"autoscaling", "horizontalpodautoscalers"},
        {"policy", "poddisruptionbudgets"},
        {"discovery.k8s.io", "endpointslices"},
        {"coordination.k8s.io", "leases"},
        {"apiextensions.k8s.io", "customresourcedefinitions"},
        {"cluster.karmada.io", "clusters"},
        {"policy.karmada.io", "propagationpolicies"},
        {"policy.karmada.io", "clusterpropagationpolicies"},
        {"policy.karmada.io", "overridepolicies"},
        {"policy.karmada.io", "clusteroverridepolicies"},
        {"work.karmada.io", "resourcebindings"},
        {"work.karmada.io", "clusterresourcebindings"},
        {"autoscaling.karmada.io", "federatedhpas"},
        {"autoscaling.karmada.io", "cronfederatedhpas"},
        {"x.io", "unknown"},
    };
    static const char *const objs[] = {
        "{}",
        "[]",
        "null",
        "{'metadata':[],'spec':5,'status':'x','data':7,'subsets':{},'ports':'p'}",
        "{'metadata':{'name':7,'labels':[1],'ownerReferences':{}},'spec':{'containers':{},"
        "'selector':[],'ports':[5,{'port':'x'}],'metrics':[{'type':'Pods'}],"
        "'scaleTargetRef':3},'status':{'conditions':[null,1],'containerStatuses':[{'state':5}],"
        "'podIPs':[7],'initContainerStatuses':[{}]},'involvedObject':[],'series':{},"
        "'endpoints':[{'addresses':[1]}]}",
    };
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        size_t n = 0;
        const struct fl_column *cols = fl_printer_columns(kinds[k][0], kinds[k][1], &n);
        assert_true(n >= 2);
        assert_string_equal(cols[k == 5 || k == 6 ? n - 1 : 0].name, "Name");
        for (size_t o = 0; o < sizeof(objs) / sizeof(objs[0]); o++) {
            json_t *obj = parse_sq(objs[o]);
            json_t *cells = fl_printer_cells(kinds[k][0], kinds[k][1], obj, NOW);
            assert_true(json_is_array(cells));
            assert_int_equal(json_array_size(cells), n);
            json_decref(cells);
            json_decref(obj);
        }
    }
}

static const char *const apc_sq =
    "[{'name':'Replicas','type':'integer','jsonPath':'.spec.replicas'},"
    "{'name':'Ready','type':'string','jsonPath':'.status.conditions[?(@.type==\\'Ready\\')]"
    ".status','priority':1,'description':'Readiness'},"
    "{'name':'Ratio','type':'number','jsonPath':'.spec.ratio'},"
    "{'name':'Paused','type':'boolean','jsonPath':'.spec.paused'},"
    "{'name':'Started','type':'date','jsonPath':'.status.startTime'},"
    "{'name':'Image','type':'string','jsonPath':'.spec.containers[0].image'},"
    "{'name':'Last','type':'string','jsonPath':'.spec.containers[-1].name'},"
    "{'name':'Missing','type':'string','jsonPath':'.spec.nope'},"
    "{'name':'Sel','type':'string','jsonPath':'.spec.selector'},"
    "{'name':'App','type':'string','jsonPath':'.metadata.labels[\\'app.kubernetes.io/name\\']'},"
    "{'name':'Count','type':'string','jsonPath':'.spec.replicas'},"
    "{'name':'Scale','type':'string','jsonPath':'.spec.ratio'},"
    "{'name':'Null','type':'string','jsonPath':'.spec.nothing'},"
    "{'name':'Bad','type':'string','jsonPath':'.spec..x'},"
    "{'name':'Gen','type':'integer','format':'int32','jsonPath':'.metadata.generation'},"
    "{'name':'Flag','type':'string','jsonPath':'.spec.paused'},"
    "{'name':'Big','type':'integer','jsonPath':'.spec.ratio'}]";

/* The test helpers swap ' for ", so a JSONPath quote inside a JSON string is
 * written \\' above and arrives as \" (an escaped double quote). */

static void test_crd_columns(void **state)
{
    json_t *apc = parse_sq(apc_sq);
    json_t *cols = fl_printer_crd_columns(apc);
    assert_int_equal(json_array_size(cols), 1 + json_array_size(apc));
    json_t *c0 = json_array_get(cols, 0);
    assert_string_equal(json_string_value(json_object_get(c0, "name")), "Name");
    assert_string_equal(json_string_value(json_object_get(c0, "format")), "name");
    json_t *c1 = json_array_get(cols, 1);
    assert_string_equal(json_string_value(json_object_get(c1, "description")),
                        "Custom resource definition column (in JSONPath format): .spec.replicas");
    assert_string_equal(json_string_value(json_object_get(c1, "format")), "");
    assert_int_equal(json_integer_value(json_object_get(c1, "priority")), 0);
    json_t *c2 = json_array_get(cols, 2);
    assert_string_equal(json_string_value(json_object_get(c2, "description")), "Readiness");
    assert_int_equal(json_integer_value(json_object_get(c2, "priority")), 1);
    json_t *c15 = json_array_get(cols, 15);
    assert_string_equal(json_string_value(json_object_get(c15, "name")), "Gen");
    assert_string_equal(json_string_value(json_object_get(c15, "format")), "int32");
    /* no Age column is added when the CRD lists its own columns */
    for (size_t i = 0; i < json_array_size(cols); i++)
        assert_string_not_equal(json_string_value(json_object_get(json_array_get(cols, i), "name")),
                                "Age");
    json_decref(cols);
    json_decref(apc);

    /* none declared: Name + Age (date), as apiextensions serves them */
    json_t *empty = json_array();
    cols = fl_printer_crd_columns(empty);
    assert_int_equal(json_array_size(cols), 2);
    json_t *age = json_array_get(cols, 1);
    assert_string_equal(json_string_value(json_object_get(age, "name")), "Age");
    assert_string_equal(json_string_value(json_object_get(age, "type")), "date");
    json_decref(cols);
    cols = fl_printer_crd_columns(NULL);
    assert_int_equal(json_array_size(cols), 2);
    json_decref(cols);
    json_decref(empty);
}

static void test_crd_cells(void **state)
{
    json_t *apc = parse_sq(apc_sq);
    json_t *obj = parse_sq(
        "{'metadata':{'name':'demo-1','generation':4,'labels':{'app.kubernetes.io/name':"
        "'demo'}},'spec':{'replicas':3,'ratio':1.5,'paused':true,'containers':[{'name':'a',"
        "'image':'img:1'},{'name':'b','image':'img:2'}],'selector':{'matchLabels':{'b':'2',"
        "'a':'1'}},'nothing':null},'status':{'startTime':'2026-11-22T22:47:50Z','conditions':["
        "{'type':'Progressing','status':'True'},{'type':'Ready','status':'False'}]}}");
    json_t *cells = fl_printer_crd_cells(apc, obj, NOW);
    assert_json(cells,
                "['demo-1',3,'False',1.5,true,'5m','img:1','b',null,"
                "'{\\'matchLabels\\':{\\'a\\':\\'1\\',\\'b\\':\\'2\\'}}','demo','3','1.5',"
                "'<no value>',null,4,'true',1]",
                "crd cells");
    json_decref(cells);

    /* wrong JSON types give null, dates that do not parse <invalid> */
    json_t *odd = parse_sq("{'metadata':{'name':'o'},'spec':{'replicas':'three','ratio':'x',"
                           "'paused':'yes'},'status':{'startTime':'yesterday'}}");
    cells = fl_printer_crd_cells(apc, odd, NOW);
    assert_json(cells,
                "['o',null,null,null,null,'<invalid>',null,null,null,null,null,'three','x',null,"
                "null,null,'yes',null]",
                "odd crd cells");
    json_decref(cells);
    json_decref(odd);
    json_decref(obj);
    json_decref(apc);

    /* none declared: name and age */
    obj = parse_sq("{'metadata':{'name':'x','creationTimestamp':'2026-11-22T22:52:40Z'}}");
    cells = fl_printer_crd_cells(NULL, obj, NOW);
    assert_json(cells, "['x','10s']", "default crd cells");
    json_decref(cells);
    json_decref(obj);
}

/* One string column over one object: the JSONPath subset and kubectl's
 * printing of non-string results. */
static void check_path(const char *path, const char *type, const char *obj_sq, const char *want_sq)
{
    json_t *apc = json_pack("[{s:s, s:s, s:s}]", "name", "C", "type", type, "jsonPath", path);
    json_t *obj = parse_sq(obj_sq);
    json_t *cells = fl_printer_crd_cells(apc, obj, NOW);
    json_t *want = parse_sq(want_sq);
    if (!json_equal(json_array_get(cells, 1), want)) {
        char *g = json_dumps(json_array_get(cells, 1), JSON_ENCODE_ANY);
        fprintf(stderr, "path %s: got %s, want %s\n", path, g, want_sq);
        free(g);
        fail();
    }
    json_decref(want);
    json_decref(cells);
    json_decref(obj);
    json_decref(apc);
}

static void test_jsonpath_subset(void **state)
{
    const char *o = "{'metadata':{'name':'n','labels':{'a.b/c':'dots'}},'spec':{'items':[{'n':1,"
                    "'name':'one','ok':false},{'n':3,'name':'three','ok':true},{'n':5,'name':"
                    "'five'}],'m':{'x':{'y':'xy'}},'big':1000000.0,'small':0.0001,'tiny':0.00001,"
                    "'mid':123456.7,'neg':-2.5,'e':[]}}";
    check_path(".spec.items[?(@.n > 2)].name", "string", o, "'three'");
    check_path(".spec.items[?(@.n >= 5)].name", "string", o, "'five'");
    check_path(".spec.items[?(@.n < 3)].name", "string", o, "'one'");
    check_path(".spec.items[?(@.n <= 3)].n", "integer", o, "1");
    check_path(".spec.items[?(@.name != 'one')].name", "string", o, "'three'");
    check_path(".spec.items[?(@.ok == true)].name", "string", o, "'three'");
    check_path(".spec.items[?(@.ok)].name", "string", o, "'one'");
    check_path(".spec.items[?(@.name=='nine')].name", "string", o, "null");
    check_path(".spec.items[*].name", "string", o, "'one'");
    check_path(".spec.items[2].n", "integer", o, "5");
    check_path(".spec.items[-2].name", "string", o, "'three'");
    check_path(".spec.items[9].name", "string", o, "null");
    check_path(".spec.m.*.y", "string", o, "'xy'");
    check_path("$.spec.m['x'].y", "string", o, "'xy'");
    check_path("{.spec.m.x.y}", "string", o, "'xy'");
    check_path(".metadata.labels.a\\.b/c", "string", o, "'dots'");
    check_path(".metadata.labels['a.b/c']", "string", o, "'dots'");
    check_path(".spec.e", "string", o, "'[]'");
    check_path(".spec.items[0]", "string", o, "'{\\'n\\':1,\\'name\\':\\'one\\',\\'ok\\':false}'");
    check_path(".spec.big", "string", o, "'1e+06'");
    check_path(".spec.small", "string", o, "'0.0001'");
    check_path(".spec.tiny", "string", o, "'1e-05'");
    check_path(".spec.mid", "string", o, "'123456.7'");
    check_path(".spec.neg", "string", o, "'-2.5'");
    check_path(".spec.big", "number", o, "1000000.0");
    check_path(".spec.items[1].n", "number", o, "3.0");
    check_path(".spec.neg", "integer", o, "-2");
    check_path(".spec.items[0].ok", "boolean", o, "false");
    check_path(".spec.items[0].ok", "unknowntype", o, "null");
    /* outside the subset: null, not a crash */
    check_path(".spec..name", "string", o, "null");
    check_path(".spec.items[0:2]", "string", o, "null");
    check_path(".spec.items[?(@.n ==)]", "string", o, "null");
    check_path(".spec.items[", "string", o, "null");
    check_path("spec", "string", o, "null");
    check_path("", "string", o, "null");
    check_path("$", "string", o, "null");
}

static void test_columns_json(void **state)
{
    size_t n = 0;
    const struct fl_column *c = fl_printer_columns("", "services", &n);
    json_t *j = fl_printer_columns_json(c, n);
    assert_int_equal(json_array_size(j), n);
    json_t *sel = json_array_get(j, n - 1);
    assert_string_equal(json_string_value(json_object_get(sel, "name")), "Selector");
    assert_int_equal(json_integer_value(json_object_get(sel, "priority")), 1);
    assert_string_equal(json_string_value(json_object_get(sel, "format")), "");
    json_t *name = json_array_get(j, 0);
    assert_true(strncmp(json_string_value(json_object_get(name, "description")),
                        "Name must be unique within a namespace.", 39) == 0);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_now_is_capture_date),
        cmocka_unit_test(test_age_table),
        cmocka_unit_test(test_deployment_reference),
        cmocka_unit_test(test_deployment_selectors),
        cmocka_unit_test(test_pods_reference),
        cmocka_unit_test(test_pod_columns_match_reference),
        cmocka_unit_test(test_pod_status_logic),
        cmocka_unit_test(test_pod_row_conditions),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_configmaps_secrets_serviceaccounts),
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_persistentvolumeclaims),
        cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_statefulsets_replicasets),
        cmocka_unit_test(test_daemonsets_controllerrevisions),
        cmocka_unit_test(test_horizontalpodautoscalers),
        cmocka_unit_test(test_pdb_endpointslices_leases),
        cmocka_unit_test(test_customresourcedefinitions),
        cmocka_unit_test(test_karmada_clusters),
        cmocka_unit_test(test_karmada_crd_kinds),
        cmocka_unit_test(test_default_printer),
        cmocka_unit_test(test_cells_match_columns_on_odd_objects),
        cmocka_unit_test(test_crd_columns),
        cmocka_unit_test(test_crd_cells),
        cmocka_unit_test(test_jsonpath_subset),
        cmocka_unit_test(test_columns_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
