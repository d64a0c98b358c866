// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Stand-in for the tier K enforcer until the BPF side (enforcer.c) lands: every call
 * says tier K is not built, so sbxd runs tier F. Remove this file when enforcer.c exists.
 */
#include <errno.h>

#include "bpf/enforcer.h"

static int not_built(struct sbx_diag *d)
{
	return sbx_diag_set(d, -EOPNOTSUPP, "the tier K enforcer is not built into this sbx");
}

bool sbx_enforcer_supported(struct sbx_diag *d)
{
	not_built(d);
	return false;
}

int sbx_enforcer_open(const struct sbx_enforcer_opts *o, struct sbx_enforcer **out,
		      struct sbx_diag *d)
{
	(void)o;
	*out = NULL;
	return not_built(d);
}

int sbx_enforcer_set_mode(struct sbx_enforcer *e, enum sbx_enforce_mode mode,
			  enum sbx_enforce_scope scope, struct sbx_diag *d)
{
	(void)e, (void)mode, (void)scope;
	return not_built(d);
}

int sbx_enforcer_verdict_begin(struct sbx_enforcer *e, int fd, uint64_t *write_gen,
			       struct sbx_diag *d)
{
	(void)e, (void)fd, (void)write_gen;
	return not_built(d);
}

int sbx_enforcer_verdict_store(struct sbx_enforcer *e, int fd, const struct sbx_cached_verdict *v,
			       struct sbx_diag *d)
{
	(void)e, (void)fd, (void)v;
	return not_built(d);
}

int sbx_enforcer_event_fd(struct sbx_enforcer *e)
{
	(void)e;
	return -EOPNOTSUPP;
}

int sbx_enforcer_events_drain(struct sbx_enforcer *e,
			      int (*cb)(const struct sbx_event *ev, void *arg), void *arg)
{
	(void)e, (void)cb, (void)arg;
	return -EOPNOTSUPP;
}

int sbx_enforcer_stats(struct sbx_enforcer *e, struct sbx_enforcer_stats *s, struct sbx_diag *d)
{
	(void)e, (void)s;
	return not_built(d);
}

void sbx_enforcer_close(struct sbx_enforcer *e)
{
	(void)e;
}

int sbx_enforcer_unload(const char *pin_dir, struct sbx_diag *d)
{
	(void)pin_dir;
	return not_built(d);
}
