/*
 * Request bodies in Kubernetes' protobuf encoding
 * (Content-Type: application/vnd.kubernetes.protobuf), as kubectl's
 * generators send them (`kubectl create namespace|configmap|secret|
 * deployment|service|serviceaccount|poddisruptionbudget`). A body is the
 * magic "k8s\0" then a runtime.Unknown whose typeMeta names the kind and whose
 * raw bytes are the object. fl_protobuf_decode turns it into the object's
 * Kubernetes JSON, so the rest of the API only ever sees JSON.
 *
 * The messages are our subset of upstream's generated.proto files (proto/,
 * compiled by scripts/gen-proto.sh into src/api/pb_*.pb-c.[ch]). The JSON is
 * what Go's encoding/json gives for the same object: camelCase names,
 * int-or-string as a number or a string, Time as RFC 3339 (a zero Time is
 * left out rather than written as null), Quantity and bytes (base64) as
 * strings, omitempty fields left out when zero, pointer fields kept when
 * set. A field this server does not know is refused (415) unless it carries
 * only zero values, so nothing a client set is dropped silently.
 */
#ifndef FL_API_PROTOBUF_H
#define FL_API_PROTOBUF_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

#define FL_PROTOBUF_CONTENT_TYPE "application/vnd.kubernetes.protobuf"

/* Caps on what one body may cost: its size (the HTTP layer's limit), the
 * memory protobuf-c may allocate while unpacking it, and the number of JSON
 * values it may become. */
#define FL_PROTOBUF_BODY_MAX (3 * 1024 * 1024)
#define FL_PROTOBUF_ALLOC_MAX (64 * 1024 * 1024)
#define FL_PROTOBUF_NODES_MAX (1024 * 1024)

/* Decode a protobuf request body into *out, a new reference to a JSON object
 * that starts with apiVersion and kind. On error *out is NULL and err says:
 *   400 BadRequest            no "k8s\0" magic, undecodable bytes, no kind or
 *                             apiVersion, a value JSON cannot carry (invalid
 *                             UTF-8, a bad Time, Quantity or IntOrString);
 *   413 RequestEntityTooLarge past one of the caps above;
 *   415 UnsupportedMediaType  a kind this decoder does not know (the message
 *                             lists those it does), or a field it does not
 *                             know holding a non-zero value. */
int fl_protobuf_decode(const void *body, size_t len, json_t **out,
                       struct fl_err *err) FL_MUST_CHECK;

#endif
