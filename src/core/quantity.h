/*
 * Kubernetes resource quantities, as k8s.io/apimachinery/pkg/api/resource
 * parses and prints them: "100m", "128Mi", "1.5", "2e3". A parsed quantity
 * is an exact decimal, mant × 10^exp, rounded up (away from zero) to nano
 * precision as upstream does, plus the format its suffix implies. From
 * these the canonical string the API server stores and returns is derived:
 * "0.5" → "500m", "1024Mi" → "1Gi", "1.5Gi" → "1536Mi", "1000m" → "1".
 *
 * Values whose significant digits do not fit 36 decimal digits are refused
 * (upstream would accept them with arbitrary precision); nothing realistic
 * for CPU, memory, storage or GPUs comes near.
 */
#ifndef FL_CORE_QUANTITY_H
#define FL_CORE_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum fl_quantity_format {
    FL_QTY_DECIMAL_SI,  /* "", n u m k M G T P E */
    FL_QTY_BINARY_SI,   /* Ki Mi Gi Ti Pi Ei */
    FL_QTY_DECIMAL_EXP, /* e3, E-2 */
};

struct fl_quantity {
    __int128 mant; /* value = mant × 10^exp, |mant| < 10^37 */
    int exp;       /* >= -9 */
    enum fl_quantity_format format;
};

/* Enough for any canonical string. */
#define FL_QUANTITY_STR_MAX 64

/* Parse s (surrounding whitespace is ignored, as upstream's JSON decoding
 * does). On failure returns FL_EFAIL and, if msg is non-NULL, upstream's
 * error text ("quantities must match the regular expression ..."). */
int fl_quantity_parse(const char *s, struct fl_quantity *q, char *msg, size_t msglen) FL_MUST_CHECK;

/* The canonical string into buf (>= FL_QUANTITY_STR_MAX bytes). */
void fl_quantity_format(const struct fl_quantity *q, char *buf, size_t len);

/* -1, 0, 1 as a < b, a == b, a > b. */
int fl_quantity_cmp(const struct fl_quantity *a, const struct fl_quantity *b);

/* -1, 0 or 1. */
int fl_quantity_sign(const struct fl_quantity *q);

/* The value times 10^scale (3: milli-units), rounded up as upstream's
 * Quantity.Value and MilliValue do, saturating at INT64_MAX / INT64_MIN. */
int64_t fl_quantity_scaled(const struct fl_quantity *q, int scale);

/* Whether the value is a whole number. */
bool fl_quantity_is_integer(const struct fl_quantity *q);

#endif
