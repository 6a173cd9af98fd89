/*
 * Resource quantities: see quantity.h. The parser follows upstream's
 * parseQuantityString character by character (so "Mi" and "." are zero, as
 * there, and "1.G" is accepted); the printer follows CanonicalizeBytes.
 * Arithmetic is on __int128 with the mantissa kept below 10^36, so the ×100
 * of canonicalization and the alignment of comparisons cannot overflow.
 */
#include "core/quantity.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANT_DIGITS 36
#define EXP_LIMIT 100000 /* beyond this an exponent is refused, not stored */

static const char format_wrong[] = "quantities must match the regular expression "
                                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
static const char suffix_wrong[] = "unable to parse quantity's suffix";
static const char too_precise[] = "unable to parse numeric part of quantity";

static const struct {
    const char *suffix;
    int exp;
} dec_suffixes[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
                    {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
static const char *const bin_suffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

static __int128 pow10_i128(int n)
{
    __int128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

static __int128 abs_i128(__int128 v)
{
    return v < 0 ? -v : v;
}

static int digits_i128(__int128 v)
{
    int n = 1;
    v = abs_i128(v);
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static int fail(char *msg, size_t msglen, const char *text)
{
    if (msg && msglen)
        snprintf(msg, msglen, "%s", text);
    return FL_EFAIL;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The suffix's power of ten (or of 1024 for binary suffixes). */
static int interpret(const char *suf, size_t n, enum fl_quantity_format *format, long long *exp,
                     int *bin)
{
    *bin = 0;
    *exp = 0;
    for (size_t i = 0; i < FL_ARRAY_LEN(dec_suffixes); i++)
        if (strlen(dec_suffixes[i].suffix) == n && !memcmp(dec_suffixes[i].suffix, suf, n)) {
            *format = FL_QTY_DECIMAL_SI;
            *exp = dec_suffixes[i].exp;
            return FL_OK;
        }
    for (size_t i = 1; i < FL_ARRAY_LEN(bin_suffixes); i++)
        if (n == 2 && !memcmp(bin_suffixes[i], suf, 2)) {
            *format = FL_QTY_BINARY_SI;
            *bin = (int)i;
            return FL_OK;
        }
    if (n >= 2 && (suf[0] == 'e' || suf[0] == 'E')) {
        char tmp[32];
        if (n - 1 >= sizeof(tmp))
            return FL_EFAIL;
        memcpy(tmp, suf + 1, n - 1);
        tmp[n - 1] = '\0';
        char *endp;
        errno = 0;
        long long v = strtoll(tmp, &endp, 10);
        if (errno || *endp || endp == tmp)
            return FL_EFAIL;
        *format = FL_QTY_DECIMAL_EXP;
        *exp = v;
        return FL_OK;
    }
    return FL_EFAIL;
}

int fl_quantity_parse(const char *s, struct fl_quantity *q, char *msg, size_t msglen)
{
    memset(q, 0, sizeof(*q));
    if (msg && msglen)
        msg[0] = '\0';
    if (!s)
        return fail(msg, msglen, format_wrong);
    while (is_space(*s))
        s++;
    size_t end = strlen(s);
    while (end && is_space(s[end - 1]))
        end--;
    if (end == 0)
        return fail(msg, msglen, format_wrong);

    size_t pos = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        pos++;
    }
    while (pos < end && s[pos] == '0')
        pos++;
    if (pos >= end)
        return FL_OK; /* all zeros (or just a sign): 0 */
    size_t num = pos;
    while (pos < end && is_digit(s[pos]))
        pos++;
    size_t num_end = pos, den = pos, den_end = pos;
    if (pos < end && s[pos] == '.') {
        den = ++pos;
        while (pos < end && is_digit(s[pos]))
            pos++;
        den_end = pos;
    }
    size_t suf = pos;
    while (pos < end && memchr("eEinumkKMGTP", s[pos], 12))
        pos++;
    if (pos < end && (s[pos] == '-' || s[pos] == '+'))
        pos++;
    while (pos < end && is_digit(s[pos]))
        pos++;
    if (pos < end)
        return fail(msg, msglen, format_wrong);

    long long exp;
    int bin;
    if (interpret(s + suf, end - suf, &q->format, &exp, &bin) != FL_OK)
        return fail(msg, msglen, suffix_wrong);

    /* Digits of numerator then denominator, trailing zeros moved into the
     * exponent, at most MANT_DIGITS significant ones. */
    char digits[512];
    size_t nd = 0;
    for (size_t i = num; i < num_end; i++)
        if (nd < sizeof(digits))
            digits[nd++] = s[i];
    for (size_t i = den; i < den_end; i++)
        if (nd < sizeof(digits))
            digits[nd++] = s[i];
    if (nd == sizeof(digits))
        return fail(msg, msglen, too_precise);
    exp -= (long long)(den_end - den);
    size_t first = 0;
    while (first < nd && digits[first] == '0')
        first++;
    if (first == nd) { /* "0.000", "Mi": zero in the suffix's format */
        q->mant = 0;
        q->exp = 0;
        return FL_OK;
    }
    while (nd > first && digits[nd - 1] == '0') {
        nd--;
        exp++;
    }
    if (nd - first > MANT_DIGITS || exp > EXP_LIMIT || exp < -EXP_LIMIT)
        return fail(msg, msglen, too_precise);
    __int128 m = 0;
    for (size_t i = first; i < nd; i++)
        m = m * 10 + (digits[i] - '0');

    /* Binary suffixes multiply exactly; keep the mantissa within bounds by
     * moving factors of ten into the exponent. */
    __int128 limit = pow10_i128(MANT_DIGITS);
    for (int i = 0; i < bin * 10; i++) {
        m *= 2;
        while (m % 10 == 0) {
            m /= 10;
            exp++;
        }
        if (m >= limit)
            return fail(msg, msglen, too_precise);
    }

    /* Round up (away from zero) to nano precision. */
    if (exp < -9) {
        long long shift = -9 - exp;
        if (shift > MANT_DIGITS) {
            m = 1;
        } else {
            __int128 d = pow10_i128((int)shift);
            m = m / d + (m % d != 0);
        }
        exp = -9;
    }
    q->mant = neg ? -m : m;
    q->exp = (int)exp;
    return FL_OK;
}

/* The integer value, when whole and small enough. */
static bool as_integer(const struct fl_quantity *q, __int128 *out)
{
    if (q->exp >= 0) {
        if (q->exp + digits_i128(q->mant) > 37)
            return false;
        *out = q->mant * pow10_i128(q->exp);
        return true;
    }
    __int128 d = pow10_i128(-q->exp);
    if (q->mant % d != 0)
        return false;
    *out = q->mant / d;
    return true;
}

static void i128_str(__int128 v, char *buf, size_t len)
{
    char tmp[48];
    size_t n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    size_t o = 0;
    if (neg && o + 1 < len)
        buf[o++] = '-';
    while (n && o + 1 < len)
        buf[o++] = tmp[--n];
    if (len)
        buf[o < len ? o : len - 1] = '\0';
}

void fl_quantity_format(const struct fl_quantity *q, char *buf, size_t len)
{
    char num[48];
    if (q->mant == 0) {
        snprintf(buf, len, "0");
        return;
    }
    enum fl_quantity_format format = q->format;
    if (format == FL_QTY_BINARY_SI) {
        __int128 v;
        size_t k = 0;
        if (as_integer(q, &v) && (v <= -1024 || v >= 1024))
            while (k + 1 < FL_ARRAY_LEN(bin_suffixes) && v % 1024 == 0) {
                v /= 1024;
                k++;
            }
        if (k > 0) {
            i128_str(v, num, sizeof(num));
            snprintf(buf, len, "%s%s", num, bin_suffixes[k]);
            return;
        }
        /* Below 1Ki, not whole, or not a multiple of 1Ki: upstream prints
         * the bare number here, which reads back (and is served) as
         * decimal; print that decimal form directly so this is a fixed
         * point. */
        format = FL_QTY_DECIMAL_SI;
    }
    __int128 m = q->mant;
    int e = q->exp;
    while (m % 10 == 0) {
        m /= 10;
        e++;
    }
    switch (e % 3) {
    case 1:
    case -2:
        m *= 10;
        e -= 1;
        break;
    case 2:
    case -1:
        m *= 100;
        e -= 2;
        break;
    }
    i128_str(m, num, sizeof(num));
    if (format == FL_QTY_DECIMAL_SI)
        for (size_t i = 0; i < FL_ARRAY_LEN(dec_suffixes); i++)
            if (dec_suffixes[i].exp == e) {
                snprintf(buf, len, "%s%s", num, dec_suffixes[i].suffix);
                return;
            }
    if (e == 0)
        snprintf(buf, len, "%s", num);
    else
        snprintf(buf, len, "%se%d", num, e);
}

int fl_quantity_sign(const struct fl_quantity *q)
{
    return q->mant > 0 ? 1 : q->mant < 0 ? -1 : 0;
}

int64_t fl_quantity_scaled(const struct fl_quantity *q, int scale)
{
    int exp = q->exp + scale;
    __int128 v = q->mant;
    bool neg = v < 0;
    if (neg)
        v = -v;
    for (; exp > 0; exp--) {
        if (v > (__int128)INT64_MAX)
            return neg ? INT64_MIN : INT64_MAX;
        v *= 10;
    }
    bool frac = false;
    for (; exp < 0; exp++) {
        frac |= v % 10 != 0;
        v /= 10;
    }
    if (frac && !neg)
        v++; /* towards +infinity, as math.Ceil */
    if (v > (__int128)INT64_MAX)
        return neg ? INT64_MIN : INT64_MAX;
    return neg ? -(int64_t)v : (int64_t)v;
}

int fl_quantity_cmp(const struct fl_quantity *a, const struct fl_quantity *b)
{
    int sa = fl_quantity_sign(a), sb = fl_quantity_sign(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    /* Same sign: compare magnitudes, then flip for negatives. */
    __int128 ma = abs_i128(a->mant), mb = abs_i128(b->mant);
    int oa = digits_i128(ma) + a->exp, ob = digits_i128(mb) + b->exp;
    int c;
    if (oa != ob) {
        c = oa < ob ? -1 : 1;
    } else {
        /* Same order of magnitude: the exponents differ by at most 36. */
        if (a->exp > b->exp)
            ma *= pow10_i128(a->exp - b->exp);
        else
            mb *= pow10_i128(b->exp - a->exp);
        c = ma < mb ? -1 : ma > mb ? 1 : 0;
    }
    return sa < 0 ? -c : c;
}

bool fl_quantity_is_integer(const struct fl_quantity *q)
{
    if (q->exp >= 0)
        return true;
    return q->mant % pow10_i128(-q->exp) == 0;
}
