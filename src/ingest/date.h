/* date.h — parses the date formats found in news archives into seconds
 * since 1970-01-01T00:00:00Z, and formats them back as ISO 8601.
 *
 * Accepted (case-insensitive, surrounding blanks ignored):
 *   ISO 8601      2026-11-24, 2026-11, 2026-11-24T10:30, 2026-11-24 10:30:05.123Z,
 *                 2026-11-24T10:30:05+01:00 (also +0100, +01), 20261124
 *   RFC 2822      Tue, 24 Nov 2026 10:30:05 +0000 (also GMT, UT, UTC, Z,
 *                 EST/EDT/CST/CDT/MST/MDT/PST/PDT, day name optional)
 *   day month     24 Nov 2026, 24 November 2026 [time]
 *   month day     Nov 24, 2026, November 24 2026 [time] [AM|PM]
 *   Reuters       26-FEB-1987 15:01:01.79
 *   slashes       2026/11/24 [time]
 *   bare year     1987
 *   unix time     1700000000 (seconds; 12 or more digits are milliseconds)
 * A date without a zone is taken as UTC. */
#ifndef MG_INGEST_DATE_H
#define MG_INGEST_DATE_H

#include <stddef.h>
#include <stdint.h>

/* How much of a date was given: the unit of its last field. */
enum { DATE_YEAR = 1, DATE_MONTH, DATE_DAY, DATE_SECOND };

/* Parses s.  Returns 0 and sets *out (and *precision when not NULL) on
 * success, -1 when s is not a date in a known format or out of range. */
int date_parse(const char *s, int64_t *out, int *precision);

/* The last second of the period a parsed date names: for "1987" that is
 * 1987-12-31T23:59:59Z, for "1987-03" the end of March.  For --until. */
int64_t date_period_end(int64_t t, int precision);

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 32 bytes). */
void date_format_iso(int64_t t, char *out, size_t n);

#endif
