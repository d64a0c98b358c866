/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checking an output file against its schema, schemas/sbx-NAME.v1.schema.json, with
 * Debian's JSON Schema validator (python3-jsonschema's jsonschema command, draft 2020-12):
 * a case first says SBX_NEED_COMMANDS("jsonschema"), which SKIPs without it, and fails in CI.
 * It does not check "format": every schema spells a time as a pattern as well, so a time
 * without its zone fails here. Used by json_schema.c and sbxd_json.c.
 */
#ifndef SBX_TEST_JSON_SCHEMA_H
#define SBX_TEST_JSON_SCHEMA_H

#include "kselftest_harness.h"
#include "sbx_test.h"

/*
 * The validator's exit status over file (lines: each line a document, as a log is), or
 * 10 when the file is empty; its messages in r.
 */
static inline int json_validate(struct sbx_cmd_result *r, const char *schema, const char *file,
				bool lines)
{
	if (sbx_sh(r,
		   "[ -s '%1$s' ] || exit 10; d=$(mktemp -d) || exit 11; trap 'rm -rf \"$d\"' "
		   "EXIT; "
		   "if %4$s; then split -l 1 -a 4 '%1$s' \"$d/l.\"; else cp '%1$s' \"$d/l.0\"; fi; "
		   "set --; for f in \"$d\"/l.*; do set -- \"$@\" -i \"$f\"; done; "
		   "jsonschema \"$@\" '%2$s/schemas/sbx-%3$s.v1.schema.json'",
		   file, sbx_src(), schema, lines ? "true" : "false"))
		return -1;
	return r->status;
}

/*
 * file broken by the sed expression: the validator must refuse it (1). 12: the
 * expression changed nothing, so the case tests nothing.
 */
static inline int json_validate_broken(struct sbx_cmd_result *r, const char *schema,
				       const char *file, bool lines, const char *sed)
{
	char broken[PATH_MAX + 16];

	snprintf(broken, sizeof(broken), "%s.broken", file);
	if (sbx_sh(r, "sed '%s' '%s' > '%s' && ! cmp -s '%s' '%s' || exit 12", sed, file, broken,
		   file, broken))
		return -1;
	if (r->status)
		return r->status;
	return json_validate(r, schema, broken, lines);
}

#define EXPECT_VALID(self, schema, file)                                              \
	EXPECT_EQ(0, json_validate((self)->r, schema, file, false))                   \
	TH_LOG("%s does not match %s:\n%.2000s%.2000s", file, schema, (self)->r->out, \
	       (self)->r->err)
#define EXPECT_VALID_LINES(self, schema, file)                                        \
	EXPECT_EQ(0, json_validate((self)->r, schema, file, true))                    \
	TH_LOG("%s does not match %s:\n%.2000s%.2000s", file, schema, (self)->r->out, \
	       (self)->r->err)
#define EXPECT_INVALID(self, schema, file, sed)                                 \
	EXPECT_EQ(1, json_validate_broken((self)->r, schema, file, false, sed)) \
	TH_LOG("%s broken by %s still matches %s: %.2000s", file, sed, schema, (self)->r->err)
#define EXPECT_INVALID_LINES(self, schema, file, sed)                          \
	EXPECT_EQ(1, json_validate_broken((self)->r, schema, file, true, sed)) \
	TH_LOG("%s broken by %s still matches %s: %.2000s", file, sed, schema, (self)->r->err)

#endif /* SBX_TEST_JSON_SCHEMA_H */
