/*
 * tests/pint/test_tsx_client.c — pint/tsx_client.c: ICT and NICT timers
 * and responses, driven by the fake clock in tsx_harness.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/pint/tsx_harness.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct th_msg INVITE = { .method = "INVITE" };
static const struct th_msg SUBSCRIBE = { .method = "SUBSCRIBE" };

static void test_ict_udp_retransmission_schedule(void **state)
{
	/* Timer A: T1 doubling without cap; Timer B = 64*T1 */
	static const uint64_t at[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };
	struct pint_tsx_stats st;
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&INVITE, &TH_GW_UDP, (void *)0x1);
	assert_int_equal(pint_tsx_kind(pint_tsx_find(H.l, id)), PINT_TSX_ICT);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_CALLING);
	th_run_until(31999);
	assert_int_equal(th_count('f'), 0);
	th_run_until(32000);
	th_assert_sent_at(0, at, N_OF(at));
	assert_string_equal(H.sent[0].addr, "192.0.2.20");
	assert_int_equal(H.sent[0].port, 5060);
	assert_int_equal(H.sent[0].transport, PINT_TSX_UDP);
	assert_int_equal(th_count('f'), 1);
	assert_int_equal(th_last('f')->err, ETIMEDOUT);
	assert_int_equal(th_last('f')->at, 32000);
	assert_int_equal(th_last('f')->id, id);
	assert_ptr_equal(th_last('f')->ctx, (void *)0x1);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(pint_tsx_next_deadline(H.l), PINT_TSX_NEVER);
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.retransmits_sent, 6);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.live_client, 0);
	th_run_until(100000);
	assert_int_equal(H.nsent, N_OF(at));
	th_fini();
}

static void test_nict_udp_retransmission_schedule(void **state)
{
	/* Timer E: T1 doubling, capped at T2 = 4 s; Timer F = 64*T1 */
	static const uint64_t at[] = { 0, 500, 1500, 3500, 7500, 11500, 15500,
				       19500, 23500, 27500, 31500 };
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&SUBSCRIBE, &TH_GW_UDP, NULL);
	assert_int_equal(pint_tsx_kind(pint_tsx_find(H.l, id)), PINT_TSX_NICT);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_TRYING);
	th_run_until(31999);
	assert_int_equal(th_count('f'), 0);
	th_run_until(32000);
	th_assert_sent_at(0, at, N_OF(at));
	assert_int_equal(th_count('f'), 1);
	assert_int_equal(th_last('f')->err, ETIMEDOUT);
	assert_int_equal(th_last('f')->at, 32000);
	assert_null(pint_tsx_find(H.l, id));
	th_run_until(100000);
	assert_int_equal(H.nsent, N_OF(at));
	th_fini();
}

static void test_tcp_never_retransmits(void **state)
{
	static const uint64_t at[] = { 0, 0 };
	struct pint_tsx_stats st;

	(void)state;
	th_init();
	th_start(&INVITE, &TH_GW_TCP, NULL);
	th_start(&(struct th_msg){ .method = "SUBSCRIBE", .branch = "z9hG4bK2" },
		 &TH_GW_TCP, NULL);
	th_run_until(31999);
	assert_int_equal(th_count('f'), 0);
	th_run_until(32000);
	/* first copies only; B and F still apply */
	assert_int_equal(H.nsent, 2);
	assert_int_equal(H.sent[0].at, at[0]);
	assert_int_equal(H.sent[1].at, at[1]);
	assert_int_equal(H.sent[0].transport, PINT_TSX_TCP);
	assert_int_equal(th_count('f'), 2);
	assert_int_equal(H.ev[0].at, 32000);
	assert_int_equal(H.ev[1].at, 32000);
	assert_int_equal(H.ev[0].err, ETIMEDOUT);
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.retransmits_sent, 0);
	assert_int_equal(st.timeouts, 2);
	th_fini();
}

static void test_ict_no_retransmission_after_1xx(void **state)
{
	static const uint64_t at[] = { 0, 500 };
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&INVITE, &TH_GW_UDP, NULL);
	th_run_until(700);
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 180,
		.reason = "Ringing", .totag = ";tag=t1" }, &TH_GW_UDP), 0);
	assert_int_equal(th_last('r')->code, 180);
	assert_int_equal(th_last('r')->at, 700);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_PROCEEDING);
	/* ringing for minutes: no copies, no Timer B */
	assert_int_equal(pint_tsx_next_deadline(H.l), PINT_TSX_NEVER);
	th_run_until(600000);
	th_assert_sent_at(0, at, N_OF(at));
	assert_int_equal(th_count('f'), 0);
	assert_non_null(pint_tsx_find(H.l, id));
	/* more 1xx still go up */
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 183,
		.reason = "Session Progress", .totag = ";tag=t1" },
		&TH_GW_UDP), 0);
	assert_int_equal(th_count('r'), 2);
	th_fini();
}

static void test_nict_proceeding_retransmits_at_t2(void **state)
{
	static const uint64_t at[] = { 0, 500, 1500, 5500, 9500, 13500, 17500,
				       21500, 25500, 29500 };
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&SUBSCRIBE, &TH_GW_UDP, NULL);
	th_run_until(600);
	assert_int_equal(th_recv(false, &(struct th_msg){ .method = "SUBSCRIBE",
		.code = 100, .reason = "Trying" }, &TH_GW_UDP), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_PROCEEDING);
	/* E keeps its running interval once (due 1500), then T2 */
	th_run_until(32000);
	th_assert_sent_at(0, at, N_OF(at));
	assert_int_equal(th_count('r'), 1);
	assert_int_equal(th_count('f'), 1);
	assert_int_equal(th_last('f')->at, 32000);
	assert_int_equal(th_last('f')->err, ETIMEDOUT);
	th_fini();
}

static void test_ict_non2xx_ack_and_absorption(void **state)
{
	const struct th_msg busy = { .code = 486, .reason = "Busy Here",
				     .totag = ";tag=t1" };
	osip_message_t *inv, *ack;
	osip_route_t *rt = NULL;
	struct pint_tsx_stats st;
	char *u1 = NULL, *u2 = NULL;
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&INVITE, &TH_GW_UDP, NULL);
	th_run_until(100);
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 180,
		.reason = "Ringing", .totag = ";tag=t1" }, &TH_GW_UDP), 0);
	th_run_until(200);
	assert_int_equal(th_recv(false, &busy, &TH_GW_UDP), 0);
	assert_int_equal(th_last('r')->code, 486);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_COMPLETED);
	/* INVITE at 0, ACK at 200 */
	assert_int_equal(H.nsent, 2);
	assert_int_equal(H.sent[1].at, 200);
	inv = th_sent_msg(0);
	ack = th_sent_msg(1);
	assert_string_equal(ack->sip_method, "ACK");
	assert_int_equal(osip_uri_to_str(inv->req_uri, &u1), 0);
	assert_int_equal(osip_uri_to_str(ack->req_uri, &u2), 0);
	assert_string_equal(u1, u2);
	osip_free(u1);
	osip_free(u2);
	assert_int_equal(osip_list_size(&ack->vias), 1);
	assert_string_equal(th_branch(ack), th_branch(inv));
	assert_int_equal(osip_message_get_route(ack, 0, &rt), 0);
	assert_string_equal(rt->url->host, "proxy.example.net");
	assert_string_equal(ack->cseq->number, "1");
	assert_string_equal(ack->cseq->method, "ACK");
	assert_string_equal(ack->call_id->number, "c1");
	assert_string_equal(th_tag(ack->to), "t1");
	assert_string_equal(th_tag(ack->from), "f1");
	osip_message_free(inv);
	osip_message_free(ack);

	/* retransmitted final: ACK again, the TU hears nothing */
	th_run_until(1000);
	assert_int_equal(th_recv(false, &busy, &TH_GW_UDP), 0);
	assert_int_equal(H.nsent, 3);
	assert_int_equal(H.sent[2].at, 1000);
	assert_memory_equal(H.sent[2].buf, H.sent[1].buf, H.sent[1].len);
	assert_int_equal(th_count('r'), 2);
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.retransmits_absorbed, 1);
	/* Timer D = 32 s from the first final, then silently gone */
	th_run_until(32199);
	assert_non_null(pint_tsx_find(H.l, id));
	th_run_until(32200);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(th_count('f'), 0);
	/* a final after that is a stray */
	assert_int_equal(th_recv(false, &busy, &TH_GW_UDP), 0);
	assert_int_equal(th_last('s')->code, 486);
	assert_int_equal(H.nsent, 3);
	th_fini();
}

/*
 * A ringing INVITE keeps only the lines its ACK is made of: the ACK of a
 * final after a 180 is byte for byte the one sent for a final straight
 * away (built from the whole request).
 */
static void test_ict_ack_after_ringing_is_the_same(void **state)
{
	const struct th_msg busy = { .code = 486, .reason = "Busy Here",
				     .totag = ";tag=t1" };
	char direct[TH_BUF];
	size_t len;

	(void)state;
	th_init();
	th_start(&INVITE, &TH_GW_UDP, NULL);
	assert_int_equal(th_recv(false, &busy, &TH_GW_UDP), 0);
	assert_int_equal(H.nsent, 2);
	len = H.sent[1].len;
	memcpy(direct, H.sent[1].buf, len);
	th_fini();

	th_init();
	th_start(&INVITE, &TH_GW_UDP, NULL);
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 180,
		.reason = "Ringing", .totag = ";tag=t1" }, &TH_GW_UDP), 0);
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 183,
		.reason = "Session Progress", .totag = ";tag=t1" }, &TH_GW_UDP), 0);
	assert_int_equal(th_recv(false, &busy, &TH_GW_UDP), 0);
	assert_int_equal(H.nsent, 2);
	assert_int_equal(H.sent[1].len, len);
	assert_memory_equal(H.sent[1].buf, direct, len);
	assert_true(!strncmp(direct, "ACK ", 4));
	th_fini();
}

static void test_ict_non2xx_over_tcp_ends_at_once(void **state)
{
	osip_message_t *ack;
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&(struct th_msg){ .transport = "TCP" }, &TH_GW_TCP, NULL);
	assert_int_equal(th_recv(false, &(struct th_msg){ .transport = "TCP",
		.code = 603, .reason = "Decline", .totag = ";tag=t2" },
		&TH_GW_TCP), 0);
	assert_int_equal(H.nsent, 2);
	ack = th_sent_msg(1);
	assert_string_equal(ack->sip_method, "ACK");
	assert_int_equal(H.sent[1].transport, PINT_TSX_TCP);
	osip_message_free(ack);
	/* Timer D = 0 */
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(th_last('r')->code, 603);
	assert_int_equal(pint_tsx_next_deadline(H.l), PINT_TSX_NEVER);
	th_fini();
}

static void test_ict_2xx_accepted_passes_retransmissions(void **state)
{
	const struct th_msg ok = { .code = 200, .totag = ";tag=t1" };
	uint64_t id;

	(void)state;
	th_init();
	id = th_start(&INVITE, &TH_GW_UDP, (void *)0x2);
	th_run_until(300);
	assert_int_equal(th_recv(false, &ok, &TH_GW_UDP), 0);
	assert_int_equal(th_last('r')->code, 200);
	assert_ptr_equal(th_last('r')->ctx, (void *)0x2);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_ACCEPTED);
	/* the layer neither ACKs a 2xx nor retransmits the INVITE */
	th_run_until(1000);
	assert_int_equal(H.nsent, 1);
	/* RFC 6026: retransmitted 2xx go to the TU, which re-ACKs */
	assert_int_equal(th_recv(false, &ok, &TH_GW_UDP), 0);
	assert_int_equal(th_count('r'), 2);
	/* non-2xx in Accepted are dropped */
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 500,
		.reason = "Oops", .totag = ";tag=t1" }, &TH_GW_UDP), 0);
	assert_int_equal(th_count('r'), 2);
	/* Timer M = 64*T1 from the first 2xx */
	th_run_until(32299);
	assert_non_null(pint_tsx_find(H.l, id));
	th_run_until(32300);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(th_count('f'), 0);
	assert_int_equal(th_recv(false, &ok, &TH_GW_UDP), 0);
	assert_int_equal(th_last('s')->code, 200);
	assert_int_equal(th_count('r'), 2);
	assert_int_equal(H.nsent, 1);
	th_fini();
}

static void test_nict_final_and_timer_k(void **state)
{
	const struct th_msg ok = { .method = "SUBSCRIBE", .code = 200,
				   .totag = ";tag=t1" };
	struct pint_tsx_stats st;
	uint64_t id, tcp;

	(void)state;
	th_init();
	th_run_until(1000);
	id = th_start(&SUBSCRIBE, &TH_GW_UDP, NULL);
	tcp = th_start(&(struct th_msg){ .method = "SUBSCRIBE",
		.branch = "z9hG4bKtcp", .transport = "TCP" }, &TH_GW_TCP, NULL);
	th_run_until(1200);
	assert_int_equal(th_recv(false, &ok, &TH_GW_UDP), 0);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, id)),
			 PINT_TSX_COMPLETED);
	/* the response retransmission is absorbed */
	assert_int_equal(th_recv(false, &ok, &TH_GW_UDP), 0);
	assert_int_equal(th_count('r'), 1);
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.retransmits_absorbed, 1);
	/* Timer K = T4 over UDP, nothing sent meanwhile */
	th_run_until(6199);
	assert_non_null(pint_tsx_find(H.l, id));
	th_run_until(6200);
	assert_null(pint_tsx_find(H.l, id));
	assert_int_equal(H.nsent, 2);
	/* and 0 over TCP */
	assert_int_equal(th_recv(false, &(struct th_msg){ .method = "SUBSCRIBE",
		.branch = "z9hG4bKtcp", .transport = "TCP", .code = 489,
		.reason = "Bad Event" }, &TH_GW_TCP), 0);
	assert_int_equal(th_last('r')->code, 489);
	assert_int_equal(th_last('r')->id, tcp);
	assert_null(pint_tsx_find(H.l, tcp));
	assert_int_equal(th_count('f'), 0);
	th_fini();
}

static void test_unmatched_responses_are_strays(void **state)
{
	struct pint_tsx_stats st;

	(void)state;
	th_init();
	th_start(&INVITE, &TH_GW_UDP, NULL);
	/* other branch; same branch but other CSeq method */
	assert_int_equal(th_recv(false, &(struct th_msg){ .branch = "z9hG4bKx" },
				 &TH_GW_UDP), 0);
	assert_int_equal(th_recv(false, &(struct th_msg){ .method = "CANCEL" },
				 &TH_GW_UDP), 0);
	assert_int_equal(th_count('s'), 2);
	assert_int_equal(th_count('r'), 0);
	pint_tsx_stats(H.l, &st);
	assert_int_equal(st.strays, 2);
	th_fini();
}

static void test_cancel_is_its_own_client_transaction(void **state)
{
	uint64_t inv, can;

	(void)state;
	th_init();
	inv = th_start(&INVITE, &TH_GW_UDP, NULL);
	th_run_until(100);
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 180,
		.reason = "Ringing", .totag = ";tag=t1" }, &TH_GW_UDP), 0);
	/* same branch, method CANCEL: a NICT of its own */
	can = th_start(&(struct th_msg){ .method = "CANCEL" }, &TH_GW_UDP, NULL);
	assert_true(can != inv);
	assert_int_equal(th_recv(false, &(struct th_msg){ .method = "CANCEL" },
				 &TH_GW_UDP), 0);
	assert_int_equal(th_last('r')->id, can);
	assert_int_equal(th_recv(false, &(struct th_msg){ .code = 487,
		.reason = "Request Terminated", .totag = ";tag=t1" },
		&TH_GW_UDP), 0);
	assert_int_equal(th_last('r')->id, inv);
	assert_int_equal(th_last('r')->code, 487);
	assert_int_equal(pint_tsx_state(pint_tsx_find(H.l, inv)),
			 PINT_TSX_COMPLETED);
	th_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_ict_udp_retransmission_schedule),
		leakcheck_test(test_nict_udp_retransmission_schedule),
		leakcheck_test(test_tcp_never_retransmits),
		leakcheck_test(test_ict_no_retransmission_after_1xx),
		leakcheck_test(test_nict_proceeding_retransmits_at_t2),
		leakcheck_test(test_ict_non2xx_ack_and_absorption),
		leakcheck_test(test_ict_ack_after_ringing_is_the_same),
		leakcheck_test(test_ict_non2xx_over_tcp_ends_at_once),
		leakcheck_test(test_ict_2xx_accepted_passes_retransmissions),
		leakcheck_test(test_nict_final_and_timer_k),
		leakcheck_test(test_unmatched_responses_are_strays),
		leakcheck_test(test_cancel_is_its_own_client_transaction),
	};
	int rc;

	th_global_init();
	rc = cmocka_run_group_tests_name("pint_tsx_client", tests, NULL, NULL);
	th_global_fini();
	return rc;
}
