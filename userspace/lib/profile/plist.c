// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The plist reader: an Apple .entitlements file (XML or binary, through libplist) into the
 * document tree. A plist carries no line numbers, so its diagnostics name the key instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <plist/plist.h>

#include "profile/profile_internal.h"

#define PLIST_MAX_ENTRIES 4096

bool profile_is_plist(const char *buf, size_t len)
{
	static const char *const xml_starts[] = { "<?xml", "<!DOCTYPE plist", "<plist" };
	size_t i = 0;

	if (len >= 8 && !memcmp(buf, "bplist00", 8))
		return true;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	for (size_t k = 0; k < sizeof(xml_starts) / sizeof(xml_starts[0]); k++) {
		size_t n = strlen(xml_starts[k]);

		if (len - i >= n && !memcmp(buf + i, xml_starts[k], n))
			return true;
	}
	return false;
}

static const char *plist_type_name(plist_type t)
{
	switch (t) {
	case PLIST_UINT:
		return "an integer";
	case PLIST_REAL:
		return "a real number";
	case PLIST_DATE:
		return "a date";
	case PLIST_DATA:
		return "binary data";
	case PLIST_UID:
		return "a uid";
	default:
		return "an unknown plist value";
	}
}

static int plist_to_tree(const char *name, plist_t node, int depth, struct pnode **out,
			 struct sbx_diag *diag)
{
	plist_type t = plist_get_node_type(node);
	struct pnode *n;
	int err = 0;

	if (depth >= SBX_PROFILE_MAX_DEPTH)
		return sbx_diag_set_at(diag, -EINVAL, name, 0, 0, "nesting deeper than %d levels",
				       SBX_PROFILE_MAX_DEPTH);
	switch (t) {
	case PLIST_BOOLEAN: {
		uint8_t b = 0;

		n = pnode_new(PNODE_BOOL, 0, 0);
		if (!n)
			goto err_nomem;
		plist_get_bool_val(node, &b);
		n->boolean = b;
		break;
	}
	case PLIST_STRING: {
		uint64_t len = 0;
		const char *s = plist_get_string_ptr(node, &len);

		if (!s || strlen(s) != len)
			return sbx_diag_set_at(diag, -EINVAL, name, 0, 0,
					       "string contains a NUL character");
		if (profile_utf8_invalid_at((const unsigned char *)s, len) != len)
			return sbx_diag_set_at(diag, -EILSEQ, name, 0, 0,
					       "string is not valid UTF-8");
		n = pnode_new(PNODE_STRING, 0, 0);
		if (!n || !(n->str = strdup(s)))
			goto err_nomem_n;
		break;
	}
	case PLIST_ARRAY: {
		uint32_t size = plist_array_get_size(node);

		if (size > PLIST_MAX_ENTRIES)
			return sbx_diag_set_at(diag, -EINVAL, name, 0, 0,
					       "more than 4096 entries in one collection");
		n = pnode_new(PNODE_SEQ, 0, 0);
		if (!n)
			goto err_nomem;
		for (uint32_t i = 0; i < size; i++) {
			struct pnode *child;

			err = plist_to_tree(name, plist_array_get_item(node, i), depth + 1, &child,
					    diag);
			if (err)
				goto err_free;
			err = pnode_seq_add(n, child);
			if (err)
				goto err_nomem_n;
		}
		break;
	}
	case PLIST_DICT: {
		plist_dict_iter it = NULL;

		if (plist_dict_get_size(node) > PLIST_MAX_ENTRIES)
			return sbx_diag_set_at(diag, -EINVAL, name, 0, 0,
					       "more than 4096 entries in one collection");
		n = pnode_new(PNODE_MAP, 0, 0);
		if (!n)
			goto err_nomem;
		plist_dict_new_iter(node, &it);
		if (!it)
			goto err_nomem_n;
		for (;;) {
			char *key = NULL;
			plist_t val = NULL;
			struct pnode *child;

			plist_dict_next_item(node, it, &key, &val);
			if (!key || !val) {
				free(key);
				break;
			}
			if (profile_utf8_invalid_at((const unsigned char *)key, strlen(key)) !=
			    strlen(key)) {
				free(key);
				free(it);
				pnode_free(n);
				return sbx_diag_set_at(diag, -EILSEQ, name, 0, 0,
						       "dictionary key is not valid UTF-8");
			}
			err = plist_to_tree(name, val, depth + 1, &child, diag);
			if (err) {
				free(key);
				free(it);
				goto err_free;
			}
			err = pnode_map_add(n, key, 0, 0, child);
			if (err) {
				free(it);
				goto err_nomem_n;
			}
		}
		free(it);
		break;
	}
	default:
		n = pnode_new(PNODE_OTHER, 0, 0);
		if (!n)
			goto err_nomem;
		n->other = plist_type_name(t);
		break;
	}
	*out = n;
	return 0;
err_nomem_n:
	pnode_free(n);
err_nomem:
	return sbx_diag_set(diag, -ENOMEM, "out of memory reading %s", name);
err_free:
	pnode_free(n);
	return err;
}

static uint64_t read_be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/*
 * libplist 2.2 asserts (aborts the process) on a dictionary key holding a NUL, so such
 * input is refused before libplist sees it: in a binary plist, any ASCII or UTF-16
 * string object containing a NUL; in XML, a raw NUL byte or a character reference to 0.
 * Objects this walk cannot place are left to libplist's own checks.
 */
static bool plist_has_nul_string(const unsigned char *b, size_t len)
{
	if (len < 8 || memcmp(b, "bplist00", 8)) {
		if (memchr(b, 0, len))
			return true;
		for (const unsigned char *s = b; (s = memmem(s, len - (size_t)(s - b), "&#", 2));
		     s += 2) {
			const unsigned char *d = s + 2, *end = b + len;
			bool hex = d < end && (*d == 'x' || *d == 'X');
			uint64_t v = 0;
			size_t digits = 0;

			for (d += hex; d < end && digits < 16; d++, digits++) {
				int c = *d;

				if (c >= '0' && c <= '9')
					v = v * (hex ? 16 : 10) + (uint64_t)(c - '0');
				else if (hex && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
					v = v * 16 + (uint64_t)((c | 0x20) - 'a' + 10);
				else
					break;
			}
			if (digits && v == 0)
				return true;
		}
		return false;
	}
	if (len < 8 + 32)
		return false;
	const unsigned char *t = b + len - 32;
	size_t osize = t[6];
	uint64_t nobj = read_be(t + 8, 8), table = read_be(t + 24, 8);

	if (osize < 1 || osize > 8 || table > len - 32 || nobj > (len - 32 - table) / osize)
		return false;
	for (uint64_t i = 0; i < nobj; i++) {
		uint64_t off = read_be(b + table + i * osize, osize), count, p;
		unsigned int type;

		if (off >= len - 32)
			continue;
		type = b[off] >> 4;
		if (type != 5 && type != 6)
			continue;
		count = b[off] & 0xf;
		p = off + 1;
		if (count == 0xf) {
			size_t isize;

			if (p >= len - 32 || (b[p] >> 4) != 1 || (b[p] & 0xf) > 3)
				continue;
			isize = (size_t)1 << (b[p] & 0xf);
			if (p + 1 + isize > len - 32)
				continue;
			count = read_be(b + p + 1, isize);
			p += 1 + isize;
		}
		if (type == 6 && count > (len - 32) / 2)
			continue;
		if (type == 6)
			count *= 2;
		if (count > len - 32 - p)
			continue;
		for (uint64_t k = 0; k < count; k += type == 6 ? 2 : 1)
			if (!b[p + k] && (type == 5 || !b[p + k + 1]))
				return true;
	}
	return false;
}

int profile_parse_plist(const char *name, const char *buf, size_t len, struct pnode **out,
			struct sbx_diag *diag)
{
	plist_t root = NULL;
	int err;

	if (plist_has_nul_string((const unsigned char *)buf, len))
		return sbx_diag_set_at(diag, -EINVAL, name, 0, 0,
				       "a string or key contains a NUL character");
	if (len >= 8 && !memcmp(buf, "bplist00", 8))
		plist_from_bin(buf, (uint32_t)len, &root);
	else
		plist_from_xml(buf, (uint32_t)len, &root);
	if (!root)
		return sbx_diag_set_at(diag, -EINVAL, name, 0, 0,
				       "not a well-formed property list");
	err = plist_to_tree(name, root, 0, out, diag);
	plist_free(root);
	return err;
}
