/*
 * pint/tel.h — telephone numbers as people type them, normalised to E.164
 * and to the RFC 2543 form PINT puts in `c=TN RFC2543 …` (RFC 2848 §3.4.1),
 * plus strict checks for that form and for `a=phone-context` values.
 *
 * Nothing here allocates or keeps state: struct pint_tel and struct
 * pint_tel_error are caller-owned values with fixed-size arrays. Number
 * input is (p, len) and need not be NUL-terminated; contexts and the
 * strings given to pint_tel_mask() are NUL-terminated.
 */
#ifndef PINT_TEL_H
#define PINT_TEL_H

#include <stdbool.h>
#include <stddef.h>

#define PINT_TEL_MAX_INPUT	64	/* bytes of a typed number */
#define PINT_TEL_MIN_DIGITS	7	/* E.164 digits after the '+' */
#define PINT_TEL_MAX_DIGITS	15	/* E.164, and any local number */
#define PINT_TEL_MAX_CONTEXT	64	/* bytes of a phone-context value */

#define PINT_TEL_E164_SIZE	(PINT_TEL_MAX_DIGITS + 2)
/* "+" 15 digits and 14 single dashes, NUL */
#define PINT_TEL_RFC2543_SIZE	(2 * PINT_TEL_MAX_DIGITS + 1)
#define PINT_TEL_CONTEXT_SIZE	(PINT_TEL_MAX_CONTEXT + 1)
#define PINT_TEL_MSG_SIZE	256

enum pint_tel_kind {
	PINT_TEL_NONE = 0,	/* not parsed (or parse failed) */
	PINT_TEL_GLOBAL,	/* typed with '+' or an international prefix */
	PINT_TEL_NATIONAL,	/* made E.164 with a "+cc…" context */
	PINT_TEL_LOCAL,		/* only meaningful within its context */
};

struct pint_tel {
	enum pint_tel_kind kind;
	/* "+" and 7..15 digits; "" for PINT_TEL_LOCAL */
	char e164[PINT_TEL_E164_SIZE];
	/* digits of the country code at the start of e164[1]; 0 if none */
	unsigned cc_len;
	/* the digits as typed, each separator run written as one '-'
	 * ("+44-20-5555-0177", "0201-555-0142"): a valid RFC 2543 number */
	char grouped[PINT_TEL_RFC2543_SIZE];
	/* the normalised context used (NATIONAL, LOCAL), else "" */
	char context[PINT_TEL_CONTEXT_SIZE];
};

enum pint_tel_reason {
	PINT_TEL_OK = 0,
	PINT_TEL_EMPTY,
	PINT_TEL_TOO_SHORT,
	PINT_TEL_TOO_LONG,
	PINT_TEL_BAD_CHAR,
	PINT_TEL_MISSING_CONTEXT,
	PINT_TEL_BAD_CONTEXT,
	PINT_TEL_UNKNOWN_COUNTRY_CODE,
	PINT_TEL_BAD_PREFIX,
};

struct pint_tel_error {
	enum pint_tel_reason reason;
	size_t pos;		/* 1-based offending byte (bad_char, bad_context), else 0 */
	unsigned char ch;	/* that byte */
	char msg[PINT_TEL_MSG_SIZE];	/* "to: '+1-55' is too short …" */
};

/* Parsing what people type */
int pint_tel_parse(struct pint_tel *tel, const char *p, size_t len,
		   const char *context, const char *field,
		   struct pint_tel_error *why);

/* Output forms */
int pint_tel_rfc2543(const struct pint_tel *tel, char *buf, size_t size);
int pint_tel_rfc2543_global(const struct pint_tel *tel, char *buf,
			    size_t size);
int pint_tel_mask(const char *number, char *buf, size_t size);

/* Strict checks for received SDP */
int pint_tel_check_rfc2543(const char *p, size_t len, bool *globalp);
int pint_tel_check_context(const char *p, size_t len);

/* Tables */
unsigned pint_tel_cc_len(const char *digits, size_t len);
const char *pint_tel_reason_name(enum pint_tel_reason r);

#endif
