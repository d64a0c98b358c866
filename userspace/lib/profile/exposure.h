/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How much a profile lets its program do, as one number and the grants behind it. */
#ifndef SBX_PROFILE_EXPOSURE_H
#define SBX_PROFILE_EXPOSURE_H

#include <stdbool.h>

#include "profile/profile.h"

#define SBX_EXPOSURE_MAX_ITEMS 64

struct sbx_exposure_item {
	double weight;
	bool warn; /* broad enough that lint warns about it */
	char key[96];
	char detail[192];
};

struct sbx_exposure {
	double score; /* 0.0 (nothing) .. 10.0 (unconfined) */
	struct sbx_exposure_item items[SBX_EXPOSURE_MAX_ITEMS]; /* heaviest first */
	size_t n;
};

void sbx_profile_exposure(const struct sbx_profile *p, struct sbx_exposure *x);
/* OK, LOW, MEDIUM, EXPOSED, UNSAFE */
const char *sbx_exposure_rating(double score);

#endif /* SBX_PROFILE_EXPOSURE_H */
