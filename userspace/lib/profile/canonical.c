// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The canonical form of a profile: YAML written by libyaml's emitter, keys in a fixed
 * order (entitlements sorted), includes already merged, strings always double-quoted so
 * that no path or identifier can read back as a boolean or null. The signer embeds these
 * bytes, so they must not depend on how the profile was written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "profile/profile_internal.h"

struct out_buf {
	char *data;
	size_t len, cap;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct out_buf *b = data;

	if (b->len + size + 1 > b->cap) {
		size_t cap = (b->len + size + 1) * 2;
		char *d = realloc(b->data, cap);

		if (!d)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, buffer, size);
	b->len += size;
	b->data[b->len] = '\0';
	return 1;
}

static bool emit(yaml_emitter_t *em, yaml_event_t *ev, bool ok)
{
	return ok && yaml_emitter_emit(em, ev);
}

static bool scalar(yaml_emitter_t *em, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	return emit(em, &ev,
		    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
						 1, 1, style));
}

static bool key(yaml_emitter_t *em, const char *s)
{
	return scalar(em, s, YAML_PLAIN_SCALAR_STYLE);
}

static bool string(yaml_emitter_t *em, const char *s)
{
	return scalar(em, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static bool boolean(yaml_emitter_t *em, bool b)
{
	return scalar(em, b ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

static bool map_start(yaml_emitter_t *em)
{
	yaml_event_t ev;

	return emit(
		em, &ev,
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static bool map_end(yaml_emitter_t *em)
{
	yaml_event_t ev;

	return emit(em, &ev, yaml_mapping_end_event_initialize(&ev));
}

static bool seq_start(yaml_emitter_t *em)
{
	yaml_event_t ev;

	return emit(em, &ev,
		    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_SEQUENCE_STYLE));
}

static bool seq_end(yaml_emitter_t *em)
{
	yaml_event_t ev;

	return emit(em, &ev, yaml_sequence_end_event_initialize(&ev));
}

static bool emit_constraint(yaml_emitter_t *em, const struct sbx_lc_node *n)
{
	bool ok = map_start(em);

	if (n->op == SBX_LC_FACT) {
		ok = ok && key(em, sbx_lc_fact_name(n->fact));
		if (n->n_values == 0) {
			ok = ok && boolean(em, n->boolean);
		} else if (!n->in) {
			ok = ok && string(em, n->values[0]);
		} else {
			ok = ok && map_start(em) && key(em, "$in") && seq_start(em);
			for (size_t i = 0; i < n->n_values; i++)
				ok = ok && string(em, n->values[i]);
			ok = ok && seq_end(em) && map_end(em);
		}
	} else {
		ok = ok && key(em, n->op == SBX_LC_OR ? "$or" : "$and") && seq_start(em);
		for (size_t i = 0; i < n->n_children; i++)
			ok = ok && emit_constraint(em, &n->children[i]);
		ok = ok && seq_end(em);
	}
	return ok && map_end(em);
}

static bool emit_profile(yaml_emitter_t *em, const struct sbx_profile *p)
{
	yaml_event_t ev;
	bool any_lc = false;
	bool ok = emit(em, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));

	ok = emit(em, &ev, ok && yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	ok = ok && map_start(em);
	ok = ok && key(em, "identifier") && string(em, p->identifier ? p->identifier : "");
	ok = ok && key(em, "entitlements") && map_start(em);
	for (size_t i = 0; i < p->n_entitlements; i++) {
		const struct sbx_entitlement *e = &p->entitlements[i];

		ok = ok && key(em, e->key);
		if (e->kind == SBX_VALUE_BOOL) {
			ok = ok && boolean(em, e->boolean);
		} else if (e->kind == SBX_VALUE_STRING) {
			ok = ok && string(em, e->string);
		} else {
			ok = ok && seq_start(em);
			for (size_t k = 0; k < e->n_list; k++)
				ok = ok && string(em, e->list[k]);
			ok = ok && seq_end(em);
		}
	}
	ok = ok && map_end(em);
	for (int s = 0; s < SBX_LC_NSLOTS; s++)
		any_lc |= p->launch[s] != NULL;
	if (any_lc) {
		ok = ok && key(em, "launch-constraints") && map_start(em);
		for (int s = 0; s < SBX_LC_NSLOTS; s++)
			if (p->launch[s])
				ok = ok && key(em, sbx_lc_slot_name(s)) &&
				     emit_constraint(em, p->launch[s]);
		ok = ok && map_end(em);
	}
	ok = ok && map_end(em);
	ok = emit(em, &ev, ok && yaml_document_end_event_initialize(&ev, 1));
	ok = emit(em, &ev, ok && yaml_stream_end_event_initialize(&ev));
	return ok;
}

int sbx_profile_canonical(const struct sbx_profile *p, char **buf, size_t *len)
{
	struct out_buf b = { 0 };
	yaml_emitter_t em;
	bool ok;
	int err;

	if (!yaml_emitter_initialize(&em))
		return -ENOMEM;
	yaml_emitter_set_output(&em, write_handler, &b);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);
	ok = emit_profile(&em, p) && yaml_emitter_flush(&em);
	/* The loader admits only UTF-8, so the emitter fails for want of memory alone. */
	err = em.error == YAML_MEMORY_ERROR || !b.data ? -ENOMEM : -EINVAL;
	yaml_emitter_delete(&em);
	if (!ok || !b.data) {
		free(b.data);
		return err;
	}
	*buf = b.data;
	*len = b.len;
	return 0;
}
