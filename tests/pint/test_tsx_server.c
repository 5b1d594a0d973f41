/*
 * tests/pint/test_tsx_server.c — pint/tsx_server.c: IST, NIST, CANCEL
 * and ACK matching, driven by the fake clock in tsx_harness.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/pint/tsx_harness.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define SENTBY "192.0.2.30:5070"

/* A message of the server-side dialog: branch b, from the gateway. */
#define SRV(...) (&(struct th_msg){ .sentby = SENTBY, __VA_ARGS__ })

static uint64_t recv_new(const struct th_msg *m,
			 const struct pint_tsx_peer *src)
{
	size_t q = th_count('q');

	assert_int_equal(th_recv(true, m, src), 0);
	assert_int_equal(th_count('q'), q + 1);
	return th_last('q')->id;
}

static void test_nist_absorbs_retransmissions_and_timer_j(void **state)
{
	const struct th_msg *notify = SRV(.method = "NOTIFY", .branch = "z9hG4bKn1",
					  .totag = ";tag=f9");
	struct pint_tsx_stats st;
	uint64_t id, again;

	(void)state;
	th_init();
	id = recv_new(notify, &TH_SRC_UDP);
	assert_string_equal(th_last('q')->method, "NOTIFY");
	assert_int_equal(pint_tsx_kind(pint_tsx_find(H.l, id)), PINT_TSX_NIST);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_TRYING);
	assert_int_equal(H.nsent, 0);
	/* Trying: nothing to resend yet, and the TU is not told twice */
	th_run_until(100);
	assert_int_equal(th_recv(true, notify, &TH_SRC_UDP), 0);
	assert_int_equal(th_count('q'), 1);
	assert_int_equal(H.nsent, 0);
	th_run_until(200);
	assert_int_equal(th_respond_id(id, SRV(.method = "NOTIFY",
		.branch = "z9hG4bKn1", .totag = ";tag=f9")), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_COMPLETED);
	assert_int_equal(H.nsent, 1);
	assert_int_equal(H.sent[0].at, 200);
	assert_string_equal(H.sent[0].addr, "192.0.2.30");
	assert_int_equal(H.sent[0].port, 5070);
	/* Completed: the final again, still once to the TU */
	th_run_until(300);
	assert_int_equal(th_recv(true, notify, &TH_SRC_UDP), 0);
	assert_int_equal(H.nsent, 2);
	assert_int_equal(H.sent[1].at, 300);
	assert_memory_equal(H.sent[1].buf, H.sent[0].buf, H.sent[0].len);
	assert_int_equal(th_count('q'), 1);
	assert_int_equal(th_respond_id(id, SRV(.method = "NOTIFY",
		.branch = "z9hG4bKn1", .code = 500, .reason = "No")), EPROTO);
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.retransmits_absorbed, 2);
	assert_int_equal(st.retransmits_sent, 1);
	assert_int_equal(st.live_server, 1);
	/* Timer J = 64*T1 from the final */
	th_run_until(32199);
	assert_non_null(pint_tsx_find(H.l, id));
	th_run_until(32200);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(th_count('f'), 0);
	/* past J the same request is new again */
	th_run_until(32300);
	again = recv_new(notify, &TH_SRC_UDP);
	assert_true(again != id);
	th_fini();
}

static void test_nist_provisional_is_resent(void **state)
{
	const struct th_msg *bye = SRV(.method = "BYE", .branch = "z9hG4bKb1");
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(bye, &TH_SRC_UDP);
	assert_int_equal(th_respond_id(id, SRV(.method = "BYE",
		.branch = "z9hG4bKb1", .code = 100, .reason = "Trying")), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_PROCEEDING);
	th_run_until(500);
	assert_int_equal(th_recv(true, bye, &TH_SRC_UDP), 0);
	assert_int_equal(H.nsent, 2);
	assert_memory_equal(H.sent[1].buf, H.sent[0].buf, H.sent[0].len);
	assert_int_equal(th_count('q'), 1);
	/* Proceeding has no timer of its own */
	assert_int_equal(pint_tsx_next_deadline(H.l), PINT_TSX_NEVER);
	th_fini();
}

static void test_nist_tcp_timer_j_is_zero(void **state)
{
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(SRV(.method = "NOTIFY", .transport = "TCP"), &TH_SRC_TCP);
	assert_int_equal(th_respond_id(id, SRV(.method = "NOTIFY",
		.transport = "TCP")), 0);
	assert_int_equal(H.nsent, 1);
	assert_int_equal(H.sent[0].transport, PINT_TSX_TCP);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(pint_tsx_next_deadline(H.l), PINT_TSX_NEVER);
	th_fini();
}

static void test_ist_trying_g_ack_and_timer_i(void **state)
{
	static const uint64_t g[] = { 1000, 1500, 2500, 4500, 8500, 9000 };
	const struct th_msg *inv = SRV(.branch = "z9hG4bKi1");
	osip_message_t *trying;
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(inv, &TH_SRC_UDP);
	assert_int_equal(pint_tsx_kind(pint_tsx_find(H.l, id)), PINT_TSX_IST);
	/* 100 Trying at once, from the layer */
	assert_int_equal(H.nsent, 1);
	trying = th_sent_msg(0);
	assert_int_equal(trying->status_code, 100);
	assert_string_equal(trying->cseq->method, "INVITE");
	assert_string_equal(th_branch(trying), "z9hG4bKi1");
	assert_null(th_tag(trying->to));
	assert_string_equal(th_tag(trying->from), "f1");
	assert_string_equal(trying->call_id->number, "c1");
	osip_message_free(trying);
	/* retransmitted INVITE: the 100 again, TU not told */
	th_run_until(100);
	assert_int_equal(th_recv(true, inv, &TH_SRC_UDP), 0);
	assert_int_equal(H.nsent, 2);
	assert_int_equal(th_count('q'), 1);

	th_run_until(1000);
	assert_int_equal(th_respond_id(id, SRV(.branch = "z9hG4bKi1",
		.code = 486, .reason = "Busy Here", .totag = ";tag=u1")), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_COMPLETED);
	/* Timer G: T1 doubling to T2; an INVITE copy also gets it */
	th_run_until(9000);
	assert_int_equal(th_recv(true, inv, &TH_SRC_UDP), 0);
	th_assert_sent_at(2, g, N_OF(g));
	/* ACK (same branch and sent-by): Confirmed, nothing goes up */
	th_run_until(9100);
	assert_int_equal(th_recv(true, SRV(.method = "ACK", .branch = "z9hG4bKi1",
		.totag = ";tag=u1"), &TH_SRC_UDP), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_CONFIRMED);
	assert_int_equal(th_recv(true, SRV(.method = "ACK", .branch = "z9hG4bKi1",
		.totag = ";tag=u1"), &TH_SRC_UDP), 0);
	assert_int_equal(th_count('s'), 0);
	/* Timer I = T4, and no more copies */
	th_run_until(14099);
	assert_non_null(pint_tsx_find(H.l, id));
	th_run_until(14100);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(H.nsent, 2 + N_OF(g));
	assert_int_equal(th_count('f'), 0);
	th_fini();
}

static void test_ist_timer_h_without_ack(void **state)
{
	static const uint64_t g[] = { 1000, 1500, 2500, 4500, 8500, 12500,
				      16500, 20500, 24500, 28500, 32500 };
	struct pint_tsx_stats st;
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(SRV(.branch = "z9hG4bKh1"), &TH_SRC_UDP);
	th_run_until(1000);
	assert_int_equal(th_respond_id(id, SRV(.branch = "z9hG4bKh1",
		.code = 480, .reason = "Unavailable", .totag = ";tag=u1")), 0);
	th_run_until(32999);
	assert_int_equal(th_count('f'), 0);
	th_run_until(33000);
	th_assert_sent_at(1, g, N_OF(g));
	assert_int_equal(th_last('f')->err, ETIMEDOUT);
	assert_int_equal(th_last('f')->at, 33000);
	assert_null(pint_tsx_find(H.l, id));
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.live_server, 0);
	th_fini();
}

static void test_ist_over_tcp(void **state)
{
	uint64_t a, b;

	(void)state;
	th_init();
	a = recv_new(SRV(.branch = "z9hG4bKt1", .transport = "TCP"), &TH_SRC_TCP);
	b = recv_new(SRV(.branch = "z9hG4bKt2", .transport = "TCP"), &TH_SRC_TCP);
	assert_int_equal(th_respond_id(a, SRV(.branch = "z9hG4bKt1",
		.transport = "TCP", .code = 486, .totag = ";tag=u1")), 0);
	assert_int_equal(th_respond_id(b, SRV(.branch = "z9hG4bKt2",
		.transport = "TCP", .code = 486, .totag = ";tag=u2")), 0);
	/* two 100s and two 486s, never a copy */
	th_run_until(1000);
	assert_int_equal(H.nsent, 4);
	/* ACK: Timer I = 0 */
	assert_int_equal(th_recv(true, SRV(.method = "ACK", .branch = "z9hG4bKt1",
		.transport = "TCP", .totag = ";tag=u1"), &TH_SRC_TCP), 0);
	assert_null(pint_tsx_find(H.l, a));
	/* Timer H still applies over TCP */
	th_run_until(31999);
	assert_non_null(pint_tsx_find(H.l, b));
	th_run_until(32000);
	assert_null(pint_tsx_find(H.l, b));
	assert_int_equal(th_last('f')->id, b);
	assert_int_equal(th_last('f')->err, ETIMEDOUT);
	assert_int_equal(H.nsent, 4);
	th_fini();
}

static void test_ist_2xx_resent_until_ack(void **state)
{
	static const uint64_t at[] = { 1000, 1500, 2500, 4500, 8500 };
	const struct th_msg *inv = SRV(.branch = "z9hG4bKa1");
	const struct th_msg *ok = SRV(.branch = "z9hG4bKa1", .totag = ";tag=u1");
	/* a 2xx ACK is a new transaction: its own branch */
	const struct th_msg *ack = SRV(.method = "ACK", .branch = "z9hG4bKack",
				       .totag = ";tag=u1");
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(inv, &TH_SRC_UDP);
	th_run_until(100);
	assert_int_equal(th_respond_id(id, SRV(.branch = "z9hG4bKa1",
		.code = 180, .reason = "Ringing", .totag = ";tag=u1")), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_PROCEEDING);
	th_run_until(1000);
	assert_int_equal(th_respond_id(id, ok), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_ACCEPTED);
	/* RFC 6026 Accepted: INVITE copies absorbed, not even answered */
	th_run_until(5000);
	assert_int_equal(th_recv(true, inv, &TH_SRC_UDP), 0);
	assert_int_equal(th_count('q'), 1);
	/* an ACK of another dialog does not stop the 2xx */
	th_run_until(8600);
	assert_int_equal(th_recv(true, SRV(.method = "ACK", .branch = "z9hG4bKx",
		.totag = ";tag=other"), &TH_SRC_UDP), 0);
	assert_int_equal(th_count('s'), 1);
	th_run_until(9000);
	assert_int_equal(th_recv(true, ack, &TH_SRC_UDP), 0);
	assert_int_equal(th_count('s'), 2);
	assert_string_equal(th_last('s')->method, "ACK");
	th_run_until(20000);
	th_assert_sent_at(2, at, N_OF(at));
	/* ACKs for the 2xx keep going to the TU */
	assert_int_equal(th_recv(true, ack, &TH_SRC_UDP), 0);
	assert_int_equal(th_count('s'), 3);
	/* Timer L = 64*T1 from the 2xx, no failure since the ACK came */
	th_run_until(32999);
	assert_non_null(pint_tsx_find(H.l, id));
	th_run_until(33000);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(th_count('f'), 0);
	th_fini();
}

static void test_ist_2xx_without_ack_fails_at_timer_l(void **state)
{
	static const uint64_t at[] = { 1000, 1500, 2500, 4500, 8500, 12500,
				       16500, 20500, 24500, 28500, 32500 };
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(SRV(.branch = "z9hG4bKl1"), &TH_SRC_UDP);
	th_run_until(1000);
	assert_int_equal(th_respond_id(id, SRV(.branch = "z9hG4bKl1",
		.totag = ";tag=u1")), 0);
	th_run_until(33000);
	th_assert_sent_at(1, at, N_OF(at));
	assert_int_equal(th_count('f'), 1);
	assert_int_equal(th_last('f')->err, ETIMEDOUT);
	assert_int_equal(th_last('f')->at, 33000);
	th_fini();
}

static void respond_487(struct pint_tsx *ist, osip_message_t *cancel)
{
	assert_string_equal(cancel->sip_method, "CANCEL");
	assert_int_equal(th_respond(ist, SRV(.branch = "z9hG4bKc1", .code = 487,
		.reason = "Request Terminated", .totag = ";tag=u9")), 0);
}

static void test_cancel_matching(void **state)
{
	const struct th_msg *cancel = SRV(.method = "CANCEL",
					  .branch = "z9hG4bKc1");
	osip_message_t *m;
	uint64_t ist, other;
	char *buf;
	size_t len;

	(void)state;
	th_init();
	ist = recv_new(SRV(.branch = "z9hG4bKc1"), &TH_SRC_UDP);
	assert_int_equal(th_respond_id(ist, SRV(.branch = "z9hG4bKc1",
		.code = 180, .reason = "Ringing", .totag = ";tag=u9")), 0);
	H.on_cancel = respond_487;
	th_run_until(100);
	assert_int_equal(th_recv(true, cancel, &TH_SRC_UDP), 0);
	/* 100, 180, the layer's 200 to the CANCEL, the TU's 487 */
	assert_int_equal(H.nsent, 4);
	m = th_sent_msg(2);
	assert_int_equal(m->status_code, 200);
	assert_string_equal(m->cseq->method, "CANCEL");
	assert_string_equal(th_branch(m), "z9hG4bKc1");
	/* the To tag of the INVITE's responses */
	assert_string_equal(th_tag(m->to), "u9");
	osip_message_free(m);
	m = th_sent_msg(3);
	assert_int_equal(m->status_code, 487);
	osip_message_free(m);
	assert_int_equal(th_count('c'), 1);
	assert_int_equal(th_last('c')->id, ist);
	assert_int_equal(th_count('q'), 1);
	/* CANCEL copy: the 200 again, the TU is not told twice */
	th_run_until(200);
	assert_int_equal(th_recv(true, cancel, &TH_SRC_UDP), 0);
	assert_int_equal(H.nsent, 5);
	assert_memory_equal(H.sent[4].buf, H.sent[2].buf, H.sent[2].len);
	assert_int_equal(th_count('c'), 1);
	/* ACK for the 487 */
	assert_int_equal(th_recv(true, SRV(.method = "ACK", .branch = "z9hG4bKc1",
		.totag = ";tag=u9"), &TH_SRC_UDP), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, ist)),
			 PINT_TSX_CONFIRMED);

	/* no such INVITE (other branch, or other sent-by): 481 */
	assert_int_equal(th_recv(true, SRV(.method = "CANCEL",
		.branch = "z9hG4bKnone"), &TH_SRC_UDP), 0);
	m = th_sent_msg(H.nsent - 1);
	assert_int_equal(m->status_code, 481);
	osip_message_free(m);
	assert_int_equal(th_recv(true, &(struct th_msg){ .method = "CANCEL",
		.branch = "z9hG4bKc2", .sentby = "192.0.2.99:5060" },
		&TH_SRC_UDP), 0);
	m = th_sent_msg(H.nsent - 1);
	assert_int_equal(m->status_code, 481);
	osip_message_free(m);
	assert_int_equal(th_count('c'), 1);

	/* after a final: 200, but the TU has nothing to do */
	H.on_cancel = NULL;
	other = recv_new(SRV(.branch = "z9hG4bKc3"), &TH_SRC_UDP);
	assert_int_equal(th_respond_id(other, SRV(.branch = "z9hG4bKc3",
		.code = 486, .totag = ";tag=u3")), 0);
	assert_int_equal(th_recv(true, SRV(.method = "CANCEL",
		.branch = "z9hG4bKc3"), &TH_SRC_UDP), 0);
	m = th_sent_msg(H.nsent - 1);
	assert_int_equal(m->status_code, 200);
	assert_string_equal(th_tag(m->to), "u3");
	osip_message_free(m);
	assert_int_equal(th_count('c'), 1);

	/* found by fuzzing: osip skips an empty "To:" (so must we), and a
	 * peer's To may be text osip takes but not with ";tag=" added:
	 * the To comes from the INVITE's last response instead */
	buf = test_read_file("tsx/invite_bare_to.sip", &len);
	assert_int_equal(pint_tsx_recv(H.l, buf, len, &TH_SRC_UDP, 0), 0);
	free(buf);
	assert_int_equal(th_respond_id(th_last('q')->id, SRV(
		.branch = "z9hG4bKbare", .code = 180, .reason = "Ringing",
		.totag = ";tag=u4")), 0);
	buf = test_read_file("tsx/cancel_bare_to.sip", &len);
	assert_int_equal(pint_tsx_recv(H.l, buf, len, &TH_SRC_UDP, 0), 0);
	free(buf);
	m = th_sent_msg(H.nsent - 1);
	assert_int_equal(m->status_code, 200);
	assert_string_equal(m->to->url->username, "+15555550100");
	assert_string_equal(th_tag(m->to), "u4");
	assert_string_equal(m->call_id->number, "bare");
	osip_message_free(m);
	th_fini();
}

static void test_ack_needs_the_same_sent_by(void **state)
{
	uint64_t id;

	(void)state;
	th_init();
	id = recv_new(SRV(.branch = "z9hG4bKs1"), &TH_SRC_UDP);
	assert_int_equal(th_respond_id(id, SRV(.branch = "z9hG4bKs1",
		.code = 486, .totag = ";tag=u1")), 0);
	/* same branch from another sent-by is another transaction */
	assert_int_equal(th_recv(true, &(struct th_msg){ .method = "ACK",
		.branch = "z9hG4bKs1", .sentby = "192.0.2.99:5060",
		.totag = ";tag=u1" }, &TH_SRC_UDP), 0);
	assert_int_equal(th_count('s'), 1);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_COMPLETED);
	/* the sent-by host compares case-insensitively, default port 5060 */
	id = recv_new(&(struct th_msg){ .branch = "z9hG4bKs2",
		.sentby = "Gw.Example.NET" }, &TH_SRC_UDP);
	assert_int_equal(th_respond_id(id, &(struct th_msg){ .branch = "z9hG4bKs2",
		.sentby = "Gw.Example.NET", .code = 486, .totag = ";tag=u2" }), 0);
	assert_int_equal(th_recv(true, &(struct th_msg){ .method = "ACK",
		.branch = "z9hG4bKs2", .sentby = "gw.example.net:5060",
		.totag = ";tag=u2" }, &TH_SRC_UDP), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_CONFIRMED);
	assert_int_equal(th_count('s'), 1);
	th_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_nist_absorbs_retransmissions_and_timer_j),
		leakcheck_test(test_nist_provisional_is_resent),
		leakcheck_test(test_nist_tcp_timer_j_is_zero),
		leakcheck_test(test_ist_trying_g_ack_and_timer_i),
		leakcheck_test(test_ist_timer_h_without_ack),
		leakcheck_test(test_ist_over_tcp),
		leakcheck_test(test_ist_2xx_resent_until_ack),
		leakcheck_test(test_ist_2xx_without_ack_fails_at_timer_l),
		leakcheck_test(test_cancel_matching),
		leakcheck_test(test_ack_needs_the_same_sent_by),
	};
	int rc;

	th_global_init();
	rc = cmocka_run_group_tests_name("pint_tsx_server", tests, NULL, NULL);
	th_global_fini();
	return rc;
}
