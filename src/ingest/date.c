/* date.c — news date formats to unix seconds (see date.h for the list).
 * ISO 8601 and plain numbers are parsed directly; everything else (RFC 2822,
 * "24 Nov 2026", "Nov 24, 2026", Reuters' "26-FEB-1987 15:01:01.79") goes
 * through one token scanner that picks out a month name, day, year, time and
 * zone in whatever order they come. */
#include "ingest/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct dparts {
    int64_t year;
    int month, day, hour, min, sec;
    int tz;          /* offset from UTC in minutes */
    int prec;        /* DATE_* */
} dparts;

int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: exact for the proleptic Gregorian calendar. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int parts_to_time(const dparts *p, int64_t *out)
{
    if (p->year < 1 || p->year > 9999 || p->month < 1 || p->month > 12 || p->day < 1 ||
        p->day > month_days(p->year, p->month) || p->hour > 23 || p->min > 59 || p->sec > 60 ||
        p->tz < -18 * 60 || p->tz > 18 * 60)
        return -1;
    int64_t days = date_days_from_civil(p->year, (unsigned)p->month, (unsigned)p->day);
    *out = days * 86400 + p->hour * 3600 + p->min * 60 + (p->sec > 59 ? 59 : p->sec) - p->tz * 60;
    return 0;
}

/* Reads exactly n digits at *s; -1 if they are not there. */
static int digits(const char **s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i]))
            return -1;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    return v;
}

/* A zone at s: Z, UTC, GMT, UT, +HH, +HHMM, +HH:MM.  Sets *tz; returns the
 * end, or NULL if s does not start with one. */
static const char *parse_zone(const char *s, int *tz)
{
    static const struct { const char *name; int off; } names[] = {
        { "UTC", 0 }, { "GMT", 0 }, { "UT", 0 }, { "Z", 0 }, { "EST", -300 }, { "EDT", -240 },
        { "CST", -360 }, { "CDT", -300 }, { "MST", -420 }, { "MDT", -360 }, { "PST", -480 },
        { "PDT", -420 },
    };
    if (*s == '+' || *s == '-') {
        int sign = *s == '-' ? -1 : 1;
        const char *p = s + 1;
        int h = digits(&p, 2), m = 0;
        if (h < 0)
            return NULL;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && (m = digits(&p, 2)) < 0)
            return NULL;
        if (m > 59)
            return NULL;
        *tz = sign * (h * 60 + m);
        return p;
    }
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t n = strlen(names[i].name);
        if (strncasecmp(s, names[i].name, n) == 0 && !isalpha((unsigned char)s[n])) {
            *tz = names[i].off;
            return s + n;
        }
    }
    return NULL;
}

static const char *skip_blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return s;
}

/* HH:MM[:SS[.fff]] at s into p; returns the end or NULL. */
static const char *parse_clock(const char *s, dparts *p)
{
    int h = isdigit((unsigned char)s[1]) ? digits(&s, 2) : digits(&s, 1);
    if (h < 0 || *s != ':')
        return NULL;
    s++;
    int m = digits(&s, 2), sec = 0;
    if (m < 0)
        return NULL;
    if (*s == ':') {
        s++;
        if ((sec = digits(&s, 2)) < 0)
            return NULL;
        if (*s == '.' || *s == ',') {
            s++;
            if (!isdigit((unsigned char)*s))
                return NULL;
            while (isdigit((unsigned char)*s))
                s++;
        }
    }
    p->hour = h, p->min = m, p->sec = sec, p->prec = DATE_SECOND;
    return s;
}

/* YYYY[-MM[-DD[(T| )HH:MM[:SS[.f]]]]][zone], also with '/' separators. */
static int parse_iso(const char *s, dparts *p)
{
    if ((p->year = digits(&s, 4)) < 0)
        return -1;
    p->month = p->day = 1, p->prec = DATE_YEAR;
    if (*s == '-' || *s == '/') {
        char sep = *s++;
        if ((p->month = digits(&s, 2)) < 0)
            return -1;
        p->prec = DATE_MONTH;
        if (*s == sep) {
            s++;
            if ((p->day = digits(&s, 2)) < 0)
                return -1;
            p->prec = DATE_DAY;
        }
    } else if (isdigit((unsigned char)*s)) { /* YYYYMMDD */
        if ((p->month = digits(&s, 2)) < 0 || (p->day = digits(&s, 2)) < 0)
            return -1;
        p->prec = DATE_DAY;
    }
    if (p->prec == DATE_DAY && (*s == 'T' || *s == 't' || (*s == ' ' && isdigit((unsigned char)s[1])))) {
        if (!(s = parse_clock(s + 1, p)))
            return -1;
    }
    s = skip_blank(s);
    if (*s && p->prec == DATE_SECOND) {
        if (!(s = parse_zone(s, &p->tz)))
            return -1;
    }
    return *skip_blank(s) ? -1 : 0;
}

static int month_of(const char *w, size_t n)
{
    static const char *const full[12] = { "january", "february", "march", "april", "may", "june",
                                          "july", "august", "september", "october", "november",
                                          "december" };
    if (n < 3)
        return 0;
    for (int i = 0; i < 12; i++) {
        if (strncasecmp(w, full[i], 3) == 0 &&
            (n == 3 || (n <= strlen(full[i]) && strncasecmp(w, full[i], n) == 0) ||
             (n == 4 && i == 8 && strncasecmp(w, "sept", 4) == 0)))
            return i + 1;
    }
    return 0;
}

static int is_weekday(const char *w, size_t n)
{
    static const char *const full[7] = { "monday", "tuesday", "wednesday", "thursday",
                                         "friday", "saturday", "sunday" };
    for (int i = 0; i < 7; i++)
        if (n >= 3 && n <= strlen(full[i]) && strncasecmp(w, full[i], n) == 0)
            return 1;
    return n == 4 && (strncasecmp(w, "tues", 4) == 0 || strncasecmp(w, "thur", 4) == 0);
}

/* The free-order scanner for textual dates. */
static int parse_words(const char *s, dparts *p)
{
    int have_day = 0, have_year = 0, ampm = 0, have_time = 0;
    p->year = 0, p->month = 0, p->day = 1, p->prec = DATE_MONTH;
    while (*(s = skip_blank(s))) {
        if (isdigit((unsigned char)*s)) {
            const char *e = s;
            while (isdigit((unsigned char)*e))
                e++;
            size_t n = (size_t)(e - s);
            if (*e == ':' && !have_time) {
                if ((n != 1 && n != 2) || !(e = parse_clock(s, p)))
                    return -1;
                have_time = 1;
            } else if (n == 4 && !have_year) {
                p->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
                have_year = 1;
            } else if (n <= 2 && !have_day) {
                p->day = n == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
                have_day = 1;
            } else if (n == 2 && have_day && p->month && !have_year) {
                int yy = (s[0] - '0') * 10 + (s[1] - '0');
                p->year = yy < 50 ? 2000 + yy : 1900 + yy;
                have_year = 1;
            } else {
                return -1;
            }
            s = e;
            /* ordinal suffix: 24th, 1st, 2nd, 3rd */
            if ((strncasecmp(s, "th", 2) == 0 || strncasecmp(s, "st", 2) == 0 ||
                 strncasecmp(s, "nd", 2) == 0 || strncasecmp(s, "rd", 2) == 0) &&
                !isalpha((unsigned char)s[2]))
                s += 2;
        } else if (isalpha((unsigned char)*s)) {
            const char *e = s;
            while (isalpha((unsigned char)*e))
                e++;
            size_t n = (size_t)(e - s);
            int m, tz;
            if (!p->month && (m = month_of(s, n))) {
                p->month = m;
            } else if (is_weekday(s, n) || (n == 2 && strncasecmp(s, "at", 2) == 0)) {
                /* ignored */
            } else if (n == 2 && have_time && (strncasecmp(s, "am", 2) == 0 || strncasecmp(s, "pm", 2) == 0)) {
                ampm = tolower((unsigned char)*s);
            } else if (parse_zone(s, &tz) == e) {
                p->tz = tz;
            } else {
                return -1;
            }
            s = e;
        } else if ((*s == '+' || *s == '-') && have_time && isdigit((unsigned char)s[1])) {
            const char *e = parse_zone(s, &p->tz);
            if (!e)
                return -1;
            s = e;
        } else if (*s == ',' || *s == '.' || *s == '-' || *s == '/' || *s == '(' || *s == ')') {
            s++;
        } else {
            return -1;
        }
    }
    if (!p->month || !have_year)
        return -1;
    if (have_day && p->prec < DATE_DAY)
        p->prec = DATE_DAY;
    if (ampm) {
        if (p->hour < 1 || p->hour > 12)
            return -1;
        p->hour = p->hour % 12 + (ampm == 'p' ? 12 : 0);
    }
    return 0;
}

/* All digits (optionally a fraction): a year, YYYYMMDD or unix time. */
static int parse_number(const char *s, dparts *p, int64_t *out, int *prec)
{
    const char *e = s;
    while (isdigit((unsigned char)*e))
        e++;
    size_t n = (size_t)(e - s);
    const char *rest = e;
    if (*rest == '.') {
        rest++;
        while (isdigit((unsigned char)*rest))
            rest++;
    }
    if (n == 0 || *skip_blank(rest) || n > 15)
        return 1; /* not a plain number */
    if (n == 4 && rest == e)
        return parse_iso(s, p) == 0 && parts_to_time(p, out) == 0 ? (*prec = p->prec, 0) : -1;
    if (n == 8 && rest == e && parse_iso(s, p) == 0 && parts_to_time(p, out) == 0) {
        *prec = p->prec;
        return 0;
    }
    if (n < 6)
        return -1;
    int64_t v = 0;
    for (const char *q = s; q < e; q++)
        v = v * 10 + (*q - '0');
    *out = n >= 12 ? v / 1000 : v;
    *prec = DATE_SECOND;
    return 0;
}

int date_parse(const char *s, int64_t *out, int *precision)
{
    if (!s)
        return -1;
    s = skip_blank(s);
    dparts p;
    memset(&p, 0, sizeof p);
    int64_t t = 0;
    int prec = 0;
    int r = parse_number(s, &p, &t, &prec);
    if (r <= 0) {
        if (r == 0) {
            *out = t;
            if (precision)
                *precision = prec;
        }
        return r;
    }
    memset(&p, 0, sizeof p);
    int ok = isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
                     isdigit((unsigned char)s[3]) && (s[4] == '-' || s[4] == '/' || isdigit((unsigned char)s[4]))
                 ? parse_iso(s, &p)
                 : parse_words(s, &p);
    if (ok != 0 || parts_to_time(&p, &t) != 0)
        return -1;
    *out = t;
    if (precision)
        *precision = p.prec;
    return 0;
}

int64_t date_period_end(int64_t t, int precision)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    switch (precision) {
    case DATE_YEAR:
        return (date_days_from_civil(y + 1, 1, 1)) * 86400 - 1;
    case DATE_MONTH:
        return (m == 12 ? date_days_from_civil(y + 1, 1, 1) : date_days_from_civil(y, m + 1, 1)) * 86400 - 1;
    case DATE_DAY:
        return (days + 1) * 86400 - 1;
    default:
        return t;
    }
}

void date_format_iso(int64_t t, char *out, size_t n)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, n, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}
