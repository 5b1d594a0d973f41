/*
 * tests/pint/test_dialoginfo.c — pint/dialoginfo.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/dialoginfo.h"

/*
 * Parse a fixture from an exact-size copy, so ASan sees any read past len
 * (test_read_file() NUL-terminates its buffer, the network does not).
 */
static int parse_file(const char *name, struct pint_dinfo **dip)
{
	char rel[128];
	size_t len;
	char *buf, *exact;
	int err;

	snprintf(rel, sizeof(rel), "dialoginfo/%s", name);
	buf = test_read_file(rel, &len);
	exact = malloc(len ? len : 1);
	assert_non_null(exact);
	memcpy(exact, buf, len);
	free(buf);
	err = pint_dinfo_parse(dip, exact, len);
	free(exact);
	return err;
}

static void test_fixture_table(void **state)
{
	static const struct {
		const char *file;
		int err;
		size_t ndialogs;
	} cases[] = {
		{"seq1-trying.xml", 0, 1},
		{"seq2-early.xml", 0, 1},
		{"seq3-confirmed.xml", 0, 1},
		{"seq4-terminated-bye.xml", 0, 1},
		{"rejected-486.xml", 0, 1},
		{"cancelled.xml", 0, 1},
		{"partial-update.xml", 0, 1},
		{"multi-dialog.xml", 0, 3},
		{"notify-state.xml", 0, 1},
		{"empty-full.xml", 0, 0},
		{"extensions.xml", 0, 1},
		{"no-namespace.xml", 0, 1},
		{"max-dialogs.xml", 0, 16},
		{"max-depth.xml", 0, 1},
		{"max-id.xml", 0, 1},
		{"utf16.xml", 0, 1},
		{"bad-malformed.xml", EBADMSG, 0},
		{"bad-truncated.xml", EBADMSG, 0},
		{"bad-wrong-ns.xml", EBADMSG, 0},
		{"bad-wrong-root.xml", EBADMSG, 0},
		{"bad-no-version.xml", EBADMSG, 0},
		{"bad-version-neg.xml", EBADMSG, 0},
		{"bad-version-big.xml", EBADMSG, 0},
		{"bad-no-state.xml", EBADMSG, 0},
		{"bad-doc-state.xml", EBADMSG, 0},
		{"bad-dialog-no-id.xml", EBADMSG, 0},
		{"bad-dialog-empty-id.xml", EBADMSG, 0},
		{"bad-dialog-no-state.xml", EBADMSG, 0},
		{"bad-state-value.xml", EBADMSG, 0},
		{"bad-dup-state.xml", EBADMSG, 0},
		{"bad-dup-id.xml", EBADMSG, 0},
		{"bad-billion-laughs.xml", EBADMSG, 0},
		{"bad-doctype.xml", EBADMSG, 0},
		{"bad-external-entity.xml", EBADMSG, 0},
		{"bad-undefined-entity.xml", EBADMSG, 0},
		{"bad-not-xml.xml", EBADMSG, 0},
		{"bad-deep-nesting.xml", EMSGSIZE, 0},
		{"bad-too-many-dialogs.xml", EMSGSIZE, 0},
		{"bad-long-id.xml", EMSGSIZE, 0},
		{"bad-long-identity.xml", EMSGSIZE, 0},
		{"bad-long-entity.xml", EMSGSIZE, 0},
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pint_dinfo *di = NULL;
		int err = parse_file(cases[i].file, &di);

		if (err != cases[i].err)
			fail_msg("%s: got %d, want %d", cases[i].file, err, cases[i].err);
		if (err) {
			assert_null(di);
			continue;
		}
		assert_non_null(di);
		if (di->ndialogs != cases[i].ndialogs)
			fail_msg("%s: %zu dialogs, want %zu", cases[i].file,
				 di->ndialogs, cases[i].ndialogs);
		for (j = 0; j < di->ndialogs; j++) {
			assert_true(di->dialogs[j].id[0] != '\0');
			assert_int_not_equal(di->dialogs[j].state, PINT_DINFO_STATE_NONE);
		}
		pint_dinfo_free(di);
	}
}

/* RFC 4235 call flow: trying -> early -> confirmed -> terminated remote-bye. */
static void test_rfc_sequence_fields(void **state)
{
	struct pint_dinfo *di;
	const struct pint_dinfo_dialog *d;

	(void)state;
	assert_int_equal(parse_file("seq1-trying.xml", &di), 0);
	assert_int_equal(di->version, 0);
	assert_int_equal(di->state, PINT_DINFO_FULL);
	assert_string_equal(di->entity, "sip:alice@example.com");
	d = &di->dialogs[0];
	assert_string_equal(d->id, "as7d900as8");
	assert_string_equal(d->call_id, "a84b4c76e66710");
	assert_string_equal(d->local_tag, "1928301774");
	assert_string_equal(d->remote_tag, "");
	assert_int_equal(d->direction, PINT_DINFO_INITIATOR);
	assert_int_equal(d->state, PINT_DINFO_TRYING);
	assert_int_equal(d->event, PINT_DINFO_EV_NONE);
	assert_int_equal(d->code, 0);
	assert_false(d->has_duration);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("seq2-early.xml", &di), 0);
	assert_int_equal(di->version, 1);
	assert_int_equal(di->state, PINT_DINFO_PARTIAL);
	assert_string_equal(di->dialogs[0].remote_tag, "456887766");
	assert_int_equal(di->dialogs[0].state, PINT_DINFO_EARLY);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("seq3-confirmed.xml", &di), 0);
	d = &di->dialogs[0];
	assert_int_equal(d->state, PINT_DINFO_CONFIRMED);
	assert_true(d->has_duration);
	assert_int_equal(d->duration, 274);
	assert_string_equal(d->local.identity, "sip:alice@example.com");
	assert_string_equal(d->local.display, "Alice");
	assert_string_equal(d->local.target, "sip:alice@pc33.example.com");
	assert_string_equal(d->remote.identity, "sip:bob@example.org");
	assert_string_equal(d->remote.display, "Bob");
	assert_string_equal(d->remote.target, "sip:bobster@phone21.example.org");
	pint_dinfo_free(di);

	assert_int_equal(parse_file("seq4-terminated-bye.xml", &di), 0);
	d = &di->dialogs[0];
	assert_int_equal(d->state, PINT_DINFO_TERMINATED);
	assert_int_equal(d->event, PINT_DINFO_EV_REMOTE_BYE);
	assert_int_equal(d->duration, 1004);
	assert_string_equal(pint_dinfo_state_name(d->state), "terminated");
	assert_string_equal(pint_dinfo_event_name(d->event), "remote-bye");
	pint_dinfo_free(di);
}

static void test_terminated_reasons(void **state)
{
	struct pint_dinfo *di;
	const struct pint_dinfo_dialog *d;

	(void)state;
	assert_int_equal(parse_file("rejected-486.xml", &di), 0);
	d = &di->dialogs[0];
	assert_int_equal(d->state, PINT_DINFO_TERMINATED);
	assert_int_equal(d->event, PINT_DINFO_EV_REJECTED);
	assert_int_equal(d->code, 486);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("cancelled.xml", &di), 0);
	d = &di->dialogs[0];
	assert_int_equal(d->event, PINT_DINFO_EV_CANCELLED);
	assert_int_equal(d->code, 487);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("multi-dialog.xml", &di), 0);
	assert_string_equal(di->dialogs[0].id, "fork-a");
	assert_int_equal(di->dialogs[0].state, PINT_DINFO_EARLY);
	assert_string_equal(di->dialogs[0].remote_tag, "ra");
	assert_string_equal(di->dialogs[1].id, "fork-b");
	assert_int_equal(di->dialogs[1].state, PINT_DINFO_CONFIRMED);
	assert_string_equal(di->dialogs[2].id, "other");
	assert_int_equal(di->dialogs[2].direction, PINT_DINFO_RECIPIENT);
	assert_int_equal(di->dialogs[2].event, PINT_DINFO_EV_TIMEOUT);
	pint_dinfo_free(di);
}

static void test_lenient_spellings(void **state)
{
	struct pint_dinfo *di;
	const struct pint_dinfo_dialog *d;

	(void)state;
	assert_int_equal(parse_file("notify-state.xml", &di), 0);
	assert_int_equal(di->state, PINT_DINFO_FULL);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("partial-update.xml", &di), 0);
	assert_int_equal(di->version, 12);
	assert_int_equal(di->dialogs[0].state, PINT_DINFO_PROCEEDING);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("no-namespace.xml", &di), 0);
	assert_int_equal(di->dialogs[0].state, PINT_DINFO_CONFIRMED);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("utf16.xml", &di), 0);
	assert_string_equal(di->dialogs[0].id, "u16");
	pint_dinfo_free(di);

	/* Foreign and unknown elements skipped, odd values read as absent. */
	assert_int_equal(parse_file("extensions.xml", &di), 0);
	assert_int_equal(di->version, 8);
	d = &di->dialogs[0];
	assert_string_equal(d->id, "e1");
	assert_int_equal(d->direction, PINT_DINFO_DIR_UNSET);
	assert_int_equal(d->state, PINT_DINFO_CONFIRMED);
	assert_int_equal(d->event, PINT_DINFO_EV_UNKNOWN);
	assert_int_equal(d->code, 0);
	assert_false(d->has_duration);
	assert_string_equal(d->local.identity, "sip:a@example.com");
	assert_string_equal(d->remote.identity, "sip:b@example.com;user=phone");
	assert_string_equal(d->remote.display, "B & C");
	pint_dinfo_free(di);
}

static void test_limits_exact(void **state)
{
	struct pint_dinfo *di;

	(void)state;
	assert_int_equal(parse_file("max-id.xml", &di), 0);
	assert_int_equal(strlen(di->dialogs[0].id), PINT_DINFO_MAX_STR);
	pint_dinfo_free(di);

	assert_int_equal(parse_file("max-dialogs.xml", &di), 0);
	assert_string_equal(di->dialogs[15].id, "d15");
	pint_dinfo_free(di);
}

/* A valid document padded to size bytes with a comment. */
static char *padded_doc(size_t size)
{
	static const char head[] =
		"<dialog-info xmlns=\"" PINT_DINFO_NS "\" version=\"3\" state=\"full\">"
		"<dialog id=\"p\"><state>early</state></dialog><!--";
	static const char tail[] = "--></dialog-info>";
	size_t hl = sizeof(head) - 1, tl = sizeof(tail) - 1;
	char *buf = malloc(size);

	assert_non_null(buf);
	assert_true(size > hl + tl);
	memcpy(buf, head, hl);
	memset(buf + hl, 'x', size - hl - tl);
	memcpy(buf + size - tl, tail, tl);
	return buf;
}

static void test_body_size(void **state)
{
	struct pint_dinfo *di = NULL;
	char *buf;

	(void)state;
	buf = padded_doc(PINT_DINFO_MAX_BODY);
	assert_int_equal(pint_dinfo_parse(&di, buf, PINT_DINFO_MAX_BODY), 0);
	assert_int_equal(di->dialogs[0].state, PINT_DINFO_EARLY);
	pint_dinfo_free(di);
	free(buf);

	di = NULL;
	buf = padded_doc(PINT_DINFO_MAX_BODY + 1);
	assert_int_equal(pint_dinfo_parse(&di, buf, PINT_DINFO_MAX_BODY + 1), EMSGSIZE);
	assert_null(di);
	free(buf);
}

static void test_bad_args(void **state)
{
	struct pint_dinfo *di = NULL;

	(void)state;
	assert_int_equal(pint_dinfo_parse(NULL, "x", 1), EINVAL);
	assert_int_equal(pint_dinfo_parse(&di, NULL, 1), EINVAL);
	assert_int_equal(pint_dinfo_parse(&di, NULL, 0), EBADMSG);
	assert_int_equal(pint_dinfo_parse(&di, "", 0), EBADMSG);
	assert_null(di);
	pint_dinfo_free(NULL);
}

/* Allocation failure anywhere, expat included, is a clean ENOMEM. */
static void test_alloc_failure(void **state)
{
	struct pint_dinfo *di;
	unsigned long k;
	size_t len;
	char *buf;
	int err;

	(void)state;
	buf = test_read_file("dialoginfo/seq3-confirmed.xml", &len);
	for (k = 1; k < 1000; k++) {
		di = NULL;
		alloc_fail_at(k);
		err = pint_dinfo_parse(&di, buf, len);
		alloc_fail_at(0);
		if (!err) {
			assert_int_equal(di->dialogs[0].duration, 274);
			pint_dinfo_free(di);
			break;
		}
		assert_int_equal(err, ENOMEM);
		assert_null(di);
	}
	free(buf);
	assert_true(k > 2);
	assert_true(k < 1000);
}

static struct pint_dinfo *doc(uint32_t version, enum pint_dinfo_doc st)
{
	struct pint_dinfo *di = calloc(1, sizeof(*di));

	assert_non_null(di);
	di->version = version;
	di->state = st;
	return di;
}

static enum pint_dinfo_verdict check(struct pint_dinfo_track *tr,
				     uint32_t version, enum pint_dinfo_doc st)
{
	struct pint_dinfo *di = doc(version, st);
	enum pint_dinfo_verdict v;

	assert_int_equal(pint_dinfo_track_check(tr, di, &v), 0);
	free(di);
	return v;
}

static void test_track_rfc_sequence(void **state)
{
	static const char *const files[] = {
		"seq1-trying.xml", "seq2-early.xml", "seq3-confirmed.xml",
		"seq4-terminated-bye.xml",
	};
	struct pint_dinfo_track tr;
	struct pint_dinfo *di, *old;
	enum pint_dinfo_verdict v;
	size_t i;

	(void)state;
	pint_dinfo_track_init(&tr);
	for (i = 0; i < 4; i++) {
		assert_int_equal(parse_file(files[i], &di), 0);
		assert_int_equal(pint_dinfo_track_check(&tr, di, &v), 0);
		assert_int_equal(v, PINT_DINFO_ACCEPT);
		assert_int_equal(tr.version, di->version);
		pint_dinfo_free(di);
	}

	/* A late retransmission of version 1 is discarded. */
	assert_int_equal(parse_file("seq2-early.xml", &old), 0);
	assert_int_equal(pint_dinfo_track_check(&tr, old, &v), 0);
	assert_int_equal(v, PINT_DINFO_STALE);
	assert_string_equal(pint_dinfo_verdict_name(v), "stale");
	assert_int_equal(tr.version, 3);
	pint_dinfo_free(old);

	assert_int_equal(pint_dinfo_track_check(NULL, NULL, &v), EINVAL);
}

static void test_track_gaps_and_stale(void **state)
{
	struct pint_dinfo_track tr;

	(void)state;
	/* First document full: accepted whatever its version. */
	pint_dinfo_track_init(&tr);
	assert_int_equal(check(&tr, 5, PINT_DINFO_FULL), PINT_DINFO_ACCEPT);
	assert_int_equal(check(&tr, 5, PINT_DINFO_FULL), PINT_DINFO_STALE);
	assert_int_equal(check(&tr, 4, PINT_DINFO_PARTIAL), PINT_DINFO_STALE);
	assert_int_equal(check(&tr, 6, PINT_DINFO_PARTIAL), PINT_DINFO_ACCEPT);
	/* 7 lost: apply 8, resync since it is partial. */
	assert_int_equal(check(&tr, 8, PINT_DINFO_PARTIAL), PINT_DINFO_ACCEPT_RESYNC);
	assert_int_equal(tr.version, 8);
	assert_int_equal(check(&tr, 7, PINT_DINFO_PARTIAL), PINT_DINFO_STALE);
	/* The full state answering the re-SUBSCRIBE may skip versions too. */
	assert_int_equal(check(&tr, 11, PINT_DINFO_FULL), PINT_DINFO_ACCEPT_RESYNC);
	assert_int_equal(check(&tr, 12, PINT_DINFO_PARTIAL), PINT_DINFO_ACCEPT);
	assert_int_equal(tr.version, 12);

	/* First document partial: no base state, ask for full state. */
	pint_dinfo_track_init(&tr);
	assert_int_equal(check(&tr, 0, PINT_DINFO_PARTIAL), PINT_DINFO_ACCEPT_RESYNC);
	assert_int_equal(check(&tr, 1, PINT_DINFO_FULL), PINT_DINFO_ACCEPT);

	/* The top of the 32-bit range does not wrap. */
	pint_dinfo_track_init(&tr);
	assert_int_equal(check(&tr, UINT32_MAX - 1, PINT_DINFO_FULL), PINT_DINFO_ACCEPT);
	assert_int_equal(check(&tr, UINT32_MAX, PINT_DINFO_PARTIAL), PINT_DINFO_ACCEPT);
	assert_int_equal(check(&tr, 0, PINT_DINFO_FULL), PINT_DINFO_STALE);
	assert_int_equal(check(&tr, UINT32_MAX, PINT_DINFO_FULL), PINT_DINFO_STALE);
	assert_string_equal(pint_dinfo_verdict_name(PINT_DINFO_ACCEPT_RESYNC), "accept-resync");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_fixture_table),
		leakcheck_test(test_rfc_sequence_fields),
		leakcheck_test(test_terminated_reasons),
		leakcheck_test(test_lenient_spellings),
		leakcheck_test(test_limits_exact),
		leakcheck_test(test_body_size),
		leakcheck_test(test_bad_args),
		leakcheck_test(test_alloc_failure),
		leakcheck_test(test_track_rfc_sequence),
		leakcheck_test(test_track_gaps_and_stale),
	};

	return cmocka_run_group_tests_name("pint_dialoginfo", tests, NULL, NULL);
}
