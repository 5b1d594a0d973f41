/*
 * gateway/policy_list.c — the built-in deny list ([policy] default_deny):
 * E.164 ranges where a call costs the caller far more than a call should,
 * or that recur in toll fraud (international revenue share fraud, IRSF;
 * "one ring" callback scams). docs/policy.md says why each is here.
 *
 * It is a starting list, not a complete one: numbering plans change and
 * fraud moves. Only ranges whose E.164 form cannot be an ordinary
 * geographic or mobile number are national entries; whole country codes
 * are listed only where ordinary calls from a call button are rare.
 * Entries are prefix-free (none is a prefix of another).
 */
#include <string.h>

#include "gateway/policy.h"

#define ONE_RING "NANP area code billed as international (one-ring scams)"
#define IRSF "(high-cost, frequent in toll fraud)"

static const struct gw_policy_range list[] = {
	/* North American Numbering Plan (+1) */
	{ "+1900", "NANP 900 pay-per-call (premium rate)" },
	{ "+1268", "Antigua and Barbuda: " ONE_RING },
	{ "+1284", "British Virgin Islands: " ONE_RING },
	{ "+1473", "Grenada: " ONE_RING },
	{ "+1649", "Turks and Caicos: " ONE_RING },
	{ "+1767", "Dominica: " ONE_RING },
	{ "+1809", "Dominican Republic: " ONE_RING },
	{ "+1829", "Dominican Republic: " ONE_RING },
	{ "+1849", "Dominican Republic: " ONE_RING },
	{ "+1876", "Jamaica: " ONE_RING },

	/* United Kingdom (+44) */
	{ "+449", "UK 09: premium rate services" },
	{ "+44871", "UK 0871: service numbers regulated as premium rate" },
	{ "+44872", "UK 0872: service numbers regulated as premium rate" },
	{ "+44873", "UK 0873: service numbers regulated as premium rate" },
	{ "+4470", "UK 070: personal numbering, priced far above mobiles, a known fraud range" },

	/* Other national premium-rate ranges */
	{ "+49900", "Germany 0900: premium rate" },
	{ "+49137", "Germany 0137: mass-calling (televoting) with revenue share" },
	{ "+3389", "France 089: premium rate (highest tariffs)" },
	{ "+3989", "Italy 89x: premium rate" },
	{ "+34803", "Spain 803: premium rate" },
	{ "+34806", "Spain 806: premium rate" },
	{ "+34807", "Spain 807: premium rate" },
	{ "+34905", "Spain 905: mass-calling with revenue share" },
	{ "+31900", "Netherlands 0900: paid information numbers" },
	{ "+31906", "Netherlands 0906: paid information numbers" },
	{ "+31909", "Netherlands 0909: paid information numbers" },
	{ "+3290", "Belgium 090x: premium rate" },
	{ "+41900", "Switzerland 0900: premium rate" },
	{ "+41901", "Switzerland 0901: premium rate" },
	{ "+41906", "Switzerland 0906: premium rate" },
	{ "+4390", "Austria 090x: premium rate" },
	{ "+4393", "Austria 093x: premium rate" },
	{ "+4870", "Poland 70x: premium rate" },
	{ "+46900", "Sweden 0900: premium rate" },
	{ "+46939", "Sweden 0939: premium rate" },
	{ "+46944", "Sweden 0944: premium rate" },
	{ "+61190", "Australia 190x: premium rate" },

	/* ITU global services and international networks */
	{ "+979", "ITU international premium rate service" },
	{ "+808", "ITU international shared cost service" },
	{ "+870", "Inmarsat satellite service" },
	{ "+881", "ITU global mobile satellite systems" },
	{ "+882", "ITU international networks (a common fraud target)" },
	{ "+883", "ITU international networks (a common fraud target)" },

	/* Country codes with high termination rates, frequent on carriers'
	 * fraud lists, rarely needed by a call button */
	{ "+222", "Mauritania (one-ring scams)" },
	{ "+232", "Sierra Leone (one-ring scams)" },
	{ "+246", "Diego Garcia " IRSF },
	{ "+247", "Ascension Island " IRSF },
	{ "+252", "Somalia " IRSF },
	{ "+290", "Saint Helena, Tristan da Cunha " IRSF },
	{ "+53", "Cuba " IRSF },
	{ "+674", "Nauru " IRSF },
	{ "+682", "Cook Islands " IRSF },
	{ "+683", "Niue " IRSF },
	{ "+688", "Tuvalu " IRSF },
	{ "+690", "Tokelau " IRSF },
};

#define NLIST (sizeof(list) / sizeof(list[0]))

/* The built-in list, *np entries (docs and tests list it). */
const struct gw_policy_range *gw_policy_default_list(size_t *np)
{
	*np = NLIST;
	return list;
}

/*
 * The entry of the built-in list that number (E.164, "+…") starts with,
 * or NULL. The list is prefix-free, so the first match is the only one.
 */
const struct gw_policy_range *gw_policy_default_match(const char *number)
{
	size_t i;

	for (i = 0; number && i < NLIST; i++)
		if (!strncmp(number, list[i].prefix, strlen(list[i].prefix)))
			return &list[i];
	return NULL;
}
