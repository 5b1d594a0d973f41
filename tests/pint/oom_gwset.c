/*
 * tests/pint/oom_gwset.c — allocation-failure scenarios for pint/gwset.c:
 * build a set, reload it (some names kept, some dropped, some new) and
 * free it. A reload that fails must leave the set exactly as it was.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/pint/oom.h"
#include "pint/gwset.h"


static struct pint_gwset_conf gw(const char *name, const char *addr,
				 unsigned priority)
{
	struct pint_gwset_conf c;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.peer.transport = PINT_TSX_UDP;
	c.peer.addr = addr;
	c.peer.port = 5060;
	c.domain = "pint.example.net";
	c.priority = priority;
	return c;
}

/* Three gateways using every string field. */
static void three(struct pint_gwset_conf c[3])
{
	c[0] = gw("pint-east", "192.0.2.10", 1);
	c[0].tsp = "telco.example.org";
	c[0].addrs[0] = "192.0.2.11";
	c[0].addrs[1] = "2001:db8::11";
	c[0].naddrs = 2;
	c[0].username = "alice";
	c[0].password = "s3cret";
	c[0].register_aor = "sip:pintgw@example.net";
	c[1] = gw("pint-west", "2001:db8::20", 2);
	c[1].keepalive_ms = 10000;
	c[2] = gw("pint-south", "198.51.100.30", 2);
	c[2].dialog_fallback = true;
}

static int oom_gwset_alloc(void)
{
	struct pint_gwset_conf c[3];
	struct pint_gwset *set = NULL;
	size_t idx;
	int err;

	three(c);
	err = pint_gwset_alloc(&set, c, 3);
	if (err)
		goto out;
	err = pint_gwset_pick(set, NULL, NULL, 0, &idx);
	if (!err && (idx != 0 || pint_gwset_by_addr(set, "2001:db8::11") != 0))
		err = EPROTO;
out:
	pint_gwset_free(set);
	return err;
}

/* A failed reload keeps the old gateways, their indexes and state. */
static int oom_gwset_replace(void)
{
	struct pint_gwset_conf c[3], r[3];
	struct pint_gwset_info info;
	struct pint_gwset *set = NULL;
	int err;

	three(c);
	err = pint_gwset_alloc(&set, c, 3);
	if (err)
		goto out;
	pint_gwset_keepalive(set, 0, true, 0);
	pint_gwset_sent(set, 0);

	r[0] = gw("pint-north", "203.0.113.40", 0);
	r[1] = c[0];
	r[1].domain = "east.example.net";
	r[2] = c[2];
	err = pint_gwset_replace(set, r, 3);
	if (err == ENOMEM) {
		if (pint_gwset_count(set) != 3 ||
		    pint_gwset_find(set, "pint-west") != 1 ||
		    pint_gwset_find(set, "pint-north") != PINT_GWSET_NONE ||
		    strcmp(pint_gwset_conf(set, 0)->domain, "pint.example.net"))
			err = EPROTO;
		goto out;
	}
	if (err)
		goto out;
	pint_gwset_info(set, 0, &info);
	if (pint_gwset_find(set, "pint-north") != 3 ||
	    pint_gwset_conf(set, 1) || info.health != PINT_GWSET_UP ||
	    info.sent != 1 ||
	    strcmp(pint_gwset_conf(set, 0)->domain, "east.example.net"))
		err = EPROTO;
out:
	pint_gwset_free(set);
	return err;
}

/* 32 gateways, then all renamed at once. */
static int oom_gwset_full(void)
{
	struct pint_gwset_conf c[PINT_GWSET_MAX];
	char names[2][PINT_GWSET_MAX][16];
	struct pint_gwset *set = NULL;
	size_t i;
	int err;

	for (i = 0; i < PINT_GWSET_MAX; i++) {
		snprintf(names[0][i], sizeof(names[0][i]), "gw%zu", i);
		snprintf(names[1][i], sizeof(names[1][i]), "new%zu", i);
		c[i] = gw(names[0][i], "192.0.2.1", (unsigned)i);
	}
	err = pint_gwset_alloc(&set, c, PINT_GWSET_MAX);
	if (err)
		goto out;
	for (i = 0; i < PINT_GWSET_MAX; i++)
		c[i].name = names[1][i];
	err = pint_gwset_replace(set, c, PINT_GWSET_MAX);
	if (err == ENOMEM &&
	    pint_gwset_find(set, "gw31") != PINT_GWSET_MAX - 1)
		err = EPROTO;
out:
	pint_gwset_free(set);
	return err;
}

const struct oom_case oom_cases_gwset[] = {
	{"gwset_alloc", oom_gwset_alloc},
	{"gwset_replace", oom_gwset_replace},
	{"gwset_full", oom_gwset_full},
	{NULL, NULL},
};
