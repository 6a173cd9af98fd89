#!/usr/bin/env bash
# Watches with curl -N: live ADDED/MODIFIED/DELETED in revision order, replay
# from a resourceVersion, selector-aware delivery (an object that stops
# matching is DELETED for the watcher), timeoutSeconds, clients that go away,
# and 410 Expired for a revision older than --watch-history.
. "$(dirname "$0")/lib.sh"

start_server "$TMP/data"
NS=/api/v1/namespaces
for ns in w1 w2; do
    api POST $NS "{\"metadata\":{\"name\":\"$ns\"}}"
    assert_status 201
done
CM=$NS/w1/configmaps

api POST $CM "$(cm_json s0)"
assert_status 201
s0_rv=$(json "d['metadata']['resourceVersion']")

# ---- live events, in order -------------------------------------------------

api GET "$CM"
r0=$(json "d['metadata']['resourceVersion']")
# without a resourceVersion a watch starts with the current objects; the
# others start at r0, so they cannot miss what follows however slow curl is
watch_start live "$CM?watch=true"
watch_start all "/api/v1/configmaps?watch=1"
watch_start other "$NS/w2/configmaps?watch=true&resourceVersion=$r0"
watch_start name "$CM?watch=true&fieldSelector=metadata.name%3Db&resourceVersion=$r0"
watch_wait live 1 # the initial ADDED s0: the stream is up
watch_wait all 1
expect=("ADDED s0 $s0_rv")
api POST $CM "$(cm_json a '{"k":"1"}')"
assert_status 201
expect+=("ADDED a $(json "d['metadata']['resourceVersion']")")
a_rv1=$(json "d['metadata']['resourceVersion']")
api PUT $CM/a "$(cm_json a '{"k":"2"}' '{}' "\"resourceVersion\":\"$a_rv1\"")"
assert_status 200
a_rv2=$(json "d['metadata']['resourceVersion']")
expect+=("MODIFIED a $a_rv2")
api PUT $CM/a "$(cm_json a '{"k":"2"}' '{"l":"x"}' "\"resourceVersion\":\"$a_rv2\"")"
assert_status 200
expect+=("MODIFIED a $(json "d['metadata']['resourceVersion']")")
api DELETE $CM/a
assert_status 200
api POST $CM "$(cm_json b)"
assert_status 201
b_rv=$(json "d['metadata']['resourceVersion']")

watch_wait live 6
watch_wait all 6
watch_wait name 1
got=$(watch_events live)
# the DELETED event carries the deletion's own revision, between the last
# MODIFIED and the next write
del_rv=$(watch_events live "e['object']['metadata']['resourceVersion'] if e['type'] == 'DELETED' else ''" | grep -v '^$')
[ -n "$del_rv" ] && [ "$del_rv" -gt "${expect[3]##* }" ] && [ "$del_rv" -lt "$b_rv" ] ||
    fail "DELETED event revision '$del_rv' not between ${expect[3]##* } and $b_rv"
expect+=("DELETED a $del_rv" "ADDED b $b_rv")
want=$(printf '%s\n' "${expect[@]}")
assert_eq "$want" "$got" "live watch events"
assert_eq "$want" "$(watch_events all)" "all-namespaces watch events"
assert_eq "ADDED b $b_rv" "$(watch_events name)" "fieldSelector watch events"
assert_eq '2' "$(watch_events live "e['object'].get('data', {}).get('k', '') if e['object']['metadata']['resourceVersion'] == '$a_rv2' else ''" | grep -v '^$')" \
    "MODIFIED event carries the new object"
for w in live all name; do
    [ "$(watch_events $w "e['object']['kind'] + ' ' + e['object']['apiVersion']" | sort -u)" = "ConfigMap v1" ] ||
        fail "watch $w: event objects must be ConfigMap v1"
done
sleep 0.2
assert_eq "" "$(cat "$TMP/other.watch")" "a watch of another namespace"
api POST $NS/w2/configmaps "$(cm_json o1)"
assert_status 201
watch_wait other 1
assert_eq "ADDED o1 $(json "d['metadata']['resourceVersion']")" "$(watch_events other)" "watch of namespace w2"
# clients going away mid-stream must not upset the server
watch_stop live
watch_stop all
watch_stop other
watch_stop name
api POST $CM "$(cm_json after-close)"
assert_status 201

# ---- replay from a resourceVersion (and timeoutSeconds ends it) -------------

watch_start replay "$CM?watch=true&resourceVersion=$r0&timeoutSeconds=1"
t0=$(date +%s%N)
watch_done replay 10
elapsed=$((($(date +%s%N) - t0) / 1000000))
assert_eq 0 "$WATCH_RC" "curl exit code of a watch ended by timeoutSeconds"
[ "$elapsed" -ge 500 ] && [ "$elapsed" -lt 5000 ] || fail "timeoutSeconds=1 ended the stream after $elapsed ms"
assert_eq "$(printf '%s\n' "${expect[@]:1}" "ADDED after-close")" \
    "$(watch_events replay | sed 's/^\(ADDED after-close\) .*/\1/')" "replay from resourceVersion=$r0"

watch_start mid "$CM?watch=true&resourceVersion=$a_rv2&timeoutSeconds=1"
watch_done mid 10
assert_eq "$(printf '%s\n' "${expect[@]:3}" "ADDED after-close")" \
    "$(watch_events mid | sed 's/^\(ADDED after-close\) .*/\1/')" "replay from resourceVersion=$a_rv2"

# A stream that has no events ends cleanly by timeoutSeconds too
watch_start idle "$NS/w2/configmaps?watch=true&resourceVersion=$b_rv&timeoutSeconds=1&fieldSelector=metadata.name%3Dnothing"
watch_done idle 10
assert_eq 0 "$WATCH_RC" "curl exit code of an idle watch ended by timeoutSeconds"
assert_eq "" "$(cat "$TMP/idle.watch")" "idle watch output"

# ---- selector-aware delivery -------------------------------------------------

api GET $CM
cur=$(json "d['metadata']['resourceVersion']")
watch_start sel "$CM?watch=true&resourceVersion=$cur&labelSelector=app%3Dx"
api POST $CM "$(cm_json l1 '{"v":"1"}' '{"app":"x"}')"
assert_status 201
l1=$(json "d['metadata']['resourceVersion']")
api PUT $CM/l1 "$(cm_json l1 '{"v":"2"}' '{"app":"x"}' "\"resourceVersion\":\"$l1\"")"
assert_status 200
l2=$(json "d['metadata']['resourceVersion']")
api PUT $CM/l1 "$(cm_json l1 '{"v":"2"}' '{"app":"y"}' "\"resourceVersion\":\"$l2\"")"
assert_status 200
l3=$(json "d['metadata']['resourceVersion']")
api POST $CM "$(cm_json l2 '{}' '{"app":"y"}')"
assert_status 201
api PUT $CM/l2 "$(cm_json l2 '{"v":"9"}' '{"app":"y"}')"
assert_status 200
api PUT $CM/l1 "$(cm_json l1 '{"v":"2"}' '{"app":"x"}' "\"resourceVersion\":\"$l3\"")"
assert_status 200
l4=$(json "d['metadata']['resourceVersion']")
api DELETE $CM/l2
assert_status 200
api DELETE $CM/l1
assert_status 200
watch_wait sel 5
sleep 0.2
got=$(watch_events sel "e['type'] + ' ' + e['object']['metadata']['name'] + ' ' + e['object']['metadata'].get('labels', {}).get('app', '-')")
assert_eq "ADDED l1 x
MODIFIED l1 x
DELETED l1 y
ADDED l1 x
DELETED l1 x" "$got" "labelSelector watch"
assert_eq "$l1 $l2 $l3 $l4" "$(watch_events sel "e['object']['metadata']['resourceVersion']" | head -4 | tr '\n' ' ' | sed 's/ $//')" \
    "labelSelector watch revisions"
watch_stop sel

# ---- bad watch parameters ----------------------------------------------------

api GET "$CM?watch=true&resourceVersion=abc"
assert_status 200
assert_json "d['type'] == 'ERROR' and d['object']['kind'] == 'Status' and d['object']['code'] == 400" \
    "watch with a malformed resourceVersion:"
api GET "$CM?watch=true&timeoutSeconds=-1"
assert_error 400 BadRequest
api GET "$CM?watch=true&labelSelector=a%20b%20c"
assert_error 400 BadRequest
api POST "$CM?watch=true" "$(cm_json via-post)"
[ "$CODE" != 200 ] || [ "$(json "d.get('kind')")" = ConfigMap ] || fail "POST ?watch=true must not start a watch"
stop_server

# ---- too old: 410 Expired ------------------------------------------------------

start_server "$TMP/data-small" --watch-history 10
api GET $NS
first=$(json "d['metadata']['resourceVersion']")
for i in $(seq 1 50); do
    api POST $NS/default/configmaps "$(cm_json "h$i")"
    assert_status 201
done
api GET "$NS/default/configmaps?watch=true&resourceVersion=$first"
assert_status 200
assert_eq 1 "$(grep -c . "$RESP_FILE")" "a too-old watch gives exactly one event"
assert_json "d['type'] == 'ERROR' and d['object']['kind'] == 'Status' and d['object']['code'] == 410 and d['object']['reason'] == 'Expired'" \
    "a too-old resourceVersion gives an ERROR 410 Expired event:"
api GET "$NS/default/configmaps?watch=true&resourceVersion=2&timeoutSeconds=1"
assert_json "d['type'] == 'ERROR' and d['object']['code'] == 410"
# within the history, the replay works
api GET "$NS/default/configmaps"
last=$(json "d['metadata']['resourceVersion']")
watch_start recent "$NS/default/configmaps?watch=true&resourceVersion=$((last - 5))&timeoutSeconds=1"
watch_done recent 10
assert_eq "ADDED h46
ADDED h47
ADDED h48
ADDED h49
ADDED h50" "$(watch_events recent "e['type'] + ' ' + e['object']['metadata']['name']")" "replay of the last 5 events"
# a continue token older than the history is 410 as well
api GET "$NS/default/configmaps?limit=2"
tok=$(json "d['metadata']['continue']")
for i in $(seq 1 15); do
    api DELETE $NS/default/configmaps/h$i
    assert_status 200
done
api GET "$NS/default/configmaps?limit=2&continue=$(urlenc "$tok")"
assert_error 410 Expired
stop_server
finish
