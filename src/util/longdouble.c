/*
 * The few number routines that need C's `long double` (x87 80-bit on x86-64) or
 * glibc's exact printf/strtod, so ferrodis prints and accepts exactly what Redis 7.0 does:
 * INCRBYFLOAT/HINCRBYFLOAT (string2ld + ld2string LD_STR_HUMAN), GEOPOS coordinates,
 * addReplyDouble's "%.17g", hexadecimal float literals and blocking-command timeouts.
 * Every entry point takes explicit lengths and bounded output buffers.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redis's MAX_LONG_DOUBLE_CHARS: inputs this long are refused, and every finite
 * long double printed with "%.17Lf" fits below it. */
#define MAX_LONG_DOUBLE_CHARS (5 * 1024)

/* Redis string2ld: no leading space, the whole input consumed, NaN refused, overflow and
 * underflow-to-zero refused (ERANGE with a non-zero, finite result is fine). */
static int string2ld(const char *s, size_t slen, long double *dp) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    long double value;
    char *eptr;

    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';

    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || (size_t)(eptr - buf) != slen ||
        (errno == ERANGE &&
         (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO)) ||
        isnan(value))
        return 0;
    *dp = value;
    return 1;
}

/* Redis ld2string(..., LD_STR_HUMAN). Returns the length, 0 when `len` is too small. */
static int ld2human(char *buf, size_t len, long double value) {
    int l;

    if (isinf(value)) {
        if (len < 5) return 0;
        if (value > 0) {
            memcpy(buf, "inf", 3);
            l = 3;
        } else {
            memcpy(buf, "-inf", 4);
            l = 4;
        }
        return l;
    }
    l = snprintf(buf, len, "%.17Lf", value);
    if (l < 0 || (size_t)l + 1 > len) return 0;
    if (memchr(buf, '.', (size_t)l) != NULL) {
        char *p = buf + l - 1;
        while (*p == '0') {
            p--;
            l--;
        }
        if (*p == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    return l;
}

/* 0: not a valid long double, 1: finite, 2: infinite. */
int ferrodis_ld_classify(const char *s, size_t len) {
    long double v;
    if (!string2ld(s, len, &v)) return 0;
    return isinf(v) ? 2 : 1;
}

/* a + b in long double, printed like INCRBYFLOAT. Returns the length written to `out`, or
 * -1 when `a` is not a float, -2 when `b` is not, -3 when the sum is NaN or infinite,
 * -4 when `out` is too small (MAX_LONG_DOUBLE_CHARS always suffices). */
int ferrodis_ld_add_human(const char *a, size_t alen, const char *b, size_t blen, char *out,
                          size_t outlen) {
    long double va, vb, sum;
    int l;

    if (!string2ld(a, alen, &va)) return -1;
    if (!string2ld(b, blen, &vb)) return -2;
    sum = va + vb;
    if (isnan(sum) || isinf(sum)) return -3;
    l = ld2human(out, outlen, sum);
    return l > 0 ? l : -4;
}

/* addReplyHumanLongDouble of a double (GEOPOS coordinates). Returns the length or 0. */
int ferrodis_d_human(double v, char *out, size_t outlen) {
    return ld2human(out, outlen, (long double)v);
}

/* addReplyDouble's "%.17g". Returns the length or 0. */
int ferrodis_d_g17(double v, char *out, size_t outlen) {
    int l = snprintf(out, outlen, "%.17g", v);
    if (l < 0 || (size_t)l + 1 > outlen) return 0;
    return l;
}

/* glibc strtod over exactly `len` bytes (used for hexadecimal literals). Sets *consumed to
 * the number of bytes parsed and *erange to whether errno was ERANGE. */
double ferrodis_strtod(const char *s, size_t len, size_t *consumed, int *erange) {
    char stackbuf[128];
    char *buf = stackbuf;
    char *eptr;
    double v;

    if (len >= sizeof(stackbuf)) {
        buf = malloc(len + 1);
        if (buf == NULL) {
            *consumed = 0;
            *erange = 0;
            return 0;
        }
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtod(buf, &eptr);
    *erange = errno == ERANGE;
    *consumed = (size_t)(eptr - buf);
    if (buf != stackbuf) free(buf);
    return v;
}

/* getTimeoutFromObjectOrReply with UNIT_SECONDS, before mstime() is added:
 * ceill(seconds * 1000) as long long. Returns 0 and sets *ms, -1 when `s` is not a
 * float, -2 when the timeout is negative. */
int ferrodis_timeout_secs(const char *s, size_t len, long long *ms) {
    long double ftval, t;
    long long tval;

    if (!string2ld(s, len, &ftval)) return -1;
    t = ceill(ftval * 1000.0);
    /* Out-of-range conversion is undefined in C; x86-64 produces LLONG_MIN (the
     * "integer indefinite" value), which Redis then reports as a negative timeout. */
    if (isnan(t) || t >= 0x1p63L || t < -0x1p63L)
        tval = (-9223372036854775807LL - 1);
    else
        tval = (long long)t;
    if (tval < 0) return -2;
    *ms = tval;
    return 0;
}
