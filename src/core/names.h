/*
 * Validation of Kubernetes names, as in k8s.io/apimachinery/pkg/util/validation.
 * Each function returns true when valid; on false, if msg is non-NULL it gets
 * the upstream wording (e.g. "a lowercase RFC 1123 subdomain must consist of
 * lower case alphanumeric characters, '-' or '.', and must start and end with
 * an alphanumeric character (e.g. 'example.com', regex used for validation is
 * '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')").
 */
#ifndef FL_CORE_NAMES_H
#define FL_CORE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 1123 subdomain: <= 253 chars (most object names: configmaps, ...). */
bool fl_name_dns1123_subdomain(const char *s, char *msg, size_t msglen);
/* RFC 1123 label: <= 63 chars (namespaces, services). */
bool fl_name_dns1123_label(const char *s, char *msg, size_t msglen);
/* Label key: optional DNS subdomain prefix + '/' + name (<= 63, [A-Za-z0-9_.-],
 * alphanumeric at both ends). */
bool fl_name_label_key(const char *s, char *msg, size_t msglen);
/* Label value: empty, or <= 63 chars like a key's name part. */
bool fl_name_label_value(const char *s, char *msg, size_t msglen);

/* metadata.generateName's name, as upstream's SimpleNameGenerator makes it:
 * the prefix cut to 58 characters plus five characters of random (consonants
 * and digits without look-alikes). out >= FL_NAME_GENERATED_MAX + 1 bytes. */
#define FL_NAME_GENERATED_MAX 63
void fl_name_generate(const char *prefix, uint64_t random, char *out);

#endif
