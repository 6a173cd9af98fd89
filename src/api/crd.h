/*
 * CustomResourceDefinitions, as apiextensions-apiserver serves them: each
 * stored CRD (apiextensions.k8s.io/v1) whose names are accepted has its
 * served versions in the registry (api/registry.h) and their schemas in the
 * OpenAPI documents (api/openapi.h), and custom resource bodies are pruned,
 * defaulted and validated against the served version's schema
 * (api/schema.h).
 *
 * A controller in the client-go sense: a store watch of the CRDs feeds a
 * work queue (controllers/workqueue.h) of CRD keys, and reconciling a key
 * reads the CRD's current state from the store, so a burst of changes
 * converges on the last one and a restart picks up where a crash left off.
 * Reconciling a CRD:
 *
 * - names: plural/singular/kind/listKind default as upstream; a CRD that
 *   fails the CustomResourceDefinition validation (api/kinds.h), or whose
 *   names collide with a type the registry already serves in its group (a
 *   built-in, or another CRD), is not served: NamesAccepted=False,
 *   Established=False;
 * - otherwise every `served: true` version is registered (in Kubernetes
 *   version priority order, so discovery prefers v2 over v1 over v1beta1),
 *   with its scope, short names, categories, status and scale subresources,
 *   selectableFields, additionalPrinterColumns and openAPIV3Schema; the
 *   registration is redone only when the spec changes;
 * - status: NamesAccepted and Established conditions, acceptedNames and
 *   storedVersions, and the finalizer customresourcecleanup.apiextensions.k8s.io,
 *   written (fl_store_update) only when they differ from what is stored, so
 *   the write's own event changes nothing and the loop ends;
 * - deletion: the finalizer makes a delete mark the CRD; the next reconcile
 *   stops serving it, deletes every custom resource of group/plural (their
 *   own finalizers are dropped: nothing would serve them again) and removes
 *   the finalizer, which lets the store delete the CRD. Custom resources are
 *   only deleted when no other type serves group/plural. A CRD that
 *   disappears without the finalizer (deleted before its first reconcile) is
 *   withdrawn the same way.
 *
 * Storage: a custom resource is stored once, under <group>/<plural>/, whatever
 * version wrote it. Reads through another served version apply conversion
 * strategy None (only apiVersion changes): fl_crd_convert.
 *
 * The registry and the OpenAPI documents this feeds are process-wide, so the
 * controller is too: one per process, started once.
 */
#ifndef FL_API_CRD_H
#define FL_API_CRD_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>

#include "api/registry.h"
#include "core/err.h"
#include "core/obj.h"
#include "store/store.h"

#define FL_CRD_FINALIZER "customresourcecleanup.apiextensions.k8s.io"

/* Serve the CRDs stored in store (before this returns), and follow their
 * changes from then on: a watch of the CRDs and a work queue run on base.
 * Both are borrowed and must outlive fl_crd_stop. Fails only if the store
 * cannot list or watch (err set). */
int fl_crd_start(struct event_base *base, struct fl_store *store, struct fl_err *err) FL_MUST_CHECK;

/* Stop following CRDs (before the store is freed) and stop serving them.
 * Safe without a start, and twice. */
void fl_crd_stop(void);

/* For a create or update body of a custom resource (t->schema set; does
 * nothing for other types): on create, drop status when t has a status
 * subresource (upstream resets it); then prune, default and validate against
 * the served version's schema. 422 Invalid with one cause per problem, worded
 * like api/validate.c (`Widget "x" is invalid: spec.replicas: Invalid value:
 * ...`). Call after fieldValidation has looked at the unknown fields (they
 * are gone afterwards) and before fl_validate. */
int fl_crd_prepare(const struct fl_rtype *t, json_t *doc, bool create,
                   struct fl_err *err) FL_MUST_CHECK;

/* Conversion strategy None: *o (a reference the caller owns; may be NULL)
 * becomes the object as t serves it. Unchanged when t is not a custom
 * resource type or *o already has t's apiVersion; else *o is released and
 * replaced by a copy (same key and revisions) with t's apiVersion. */
void fl_crd_convert(const struct fl_rtype *t, struct fl_obj **o);

/* The same on a parsed object, in place (the base of a patch, a Scale). */
void fl_crd_convert_json(const struct fl_rtype *t, json_t *doc);

#endif
