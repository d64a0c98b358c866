/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sbx's test harness: the API of the kernel's tools/testing/selftests/kselftest_harness.h
 * (TEST, TEST_F, FIXTURE*, ASSERT_* / EXPECT_* with the expected value first, SKIP, TH_LOG),
 * written for sbx because that header is not packaged. A suite written against this file
 * compiles unchanged against the kernel's.
 *
 * Semantics kept from the kernel's harness:
 *  - every test runs in its own child process, killed after its timeout;
 *  - FIXTURE_SETUP, the test and FIXTURE_TEARDOWN run in that child; a failed ASSERT_*
 *    leaves the test body and still runs the teardown; a failed EXPECT_* goes on;
 *  - ASSERT_EQ(expected, seen) { TH_LOG("..."); } runs the block only on failure;
 *  - SKIP(statement, fmt, ...) marks the test skipped and then runs the statement;
 *  - XFAIL(statement, fmt, ...) marks an expected failure (a known gap, named with what
 *    closes it) and then runs the statement; it is counted apart from passes and skips;
 *  - output is KTAP: "TAP version 13", the plan, "ok N name", "not ok N name",
 *    "ok N name # SKIP reason", "ok N name # XFAIL reason", and a "# Totals:" line.
 */
#ifndef SBX_KSELFTEST_HARNESS_H
#define SBX_KSELFTEST_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KSFT_PASS  0
#define KSFT_FAIL  1
#define KSFT_XFAIL 2
#define KSFT_XPASS 3
#define KSFT_SKIP  4

#ifndef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 30
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct __test_metadata;
struct __fixture_variant_metadata;

struct __fixture_metadata {
	const char *name;
	struct __test_metadata *tests;
	struct __fixture_variant_metadata *variants;
	struct __fixture_metadata *prev, *next;
};

struct __fixture_variant_metadata {
	const char *name;
	const void *data;
	struct __fixture_variant_metadata *prev, *next;
};

struct __test_metadata {
	const char *name;
	void (*fn)(struct __test_metadata *, struct __fixture_variant_metadata *);
	struct __fixture_metadata *fixture;
	int termsig;
	int timeout;
	/* State of the running test, valid in the child only. */
	int exit_code;
	bool trigger; /* the last check failed: run its optional handler block */
	bool setup_completed;
	bool aborted;
	jmp_buf env;
	char skip_reason[256];
	struct __test_metadata *prev, *next;
};

/* The "global" fixture holds plain TEST()s, as in the kernel's harness. */
static struct __fixture_metadata _fixture_global __attribute__((unused)) = {
	.name = "global",
	.prev = &_fixture_global,
};
static struct __fixture_metadata *__fixture_list = &_fixture_global;
static bool __constructor_order_set;

/* Append keeping declaration order: the list head's prev points at the tail. */
#define __LIST_APPEND(head, item)                    \
	do {                                         \
		if (!(head)) {                       \
			(head) = (item);             \
			(item)->next = NULL;         \
			(item)->prev = (item);       \
		} else {                             \
			(item)->next = NULL;         \
			(item)->prev = (head)->prev; \
			(item)->prev->next = (item); \
			(head)->prev = (item);       \
		}                                    \
	} while (0)

static inline void __register_fixture(struct __fixture_metadata *f)
{
	__LIST_APPEND(__fixture_list, f);
}

static inline void __register_test(struct __test_metadata *t)
{
	__constructor_order_set = true;
	__LIST_APPEND(t->fixture->tests, t);
}

static inline void __register_fixture_variant(struct __fixture_metadata *f,
					      struct __fixture_variant_metadata *v)
{
	__LIST_APPEND(f->variants, v);
}

static inline void __attribute__((noreturn)) __harness_abort_test(struct __test_metadata *t)
{
	t->aborted = true;
	longjmp(t->env, 1);
}

/* Called when an optional handler block ends: an ASSERT leaves the test here. */
static inline bool __bail(bool for_realz, struct __test_metadata *t)
{
	if (for_realz)
		__harness_abort_test(t);
	return false;
}

#define __OPTIONAL_HANDLER(_assert) \
	for (; _metadata->trigger; _metadata->trigger = __bail(_assert, _metadata))

#define TH_LOG(fmt, ...) \
	fprintf(stderr, "# %s:%d:%s:" fmt "\n", __FILE__, __LINE__, _metadata->name, ##__VA_ARGS__)

#define SKIP(statement, fmt, ...)                                                     \
	do {                                                                          \
		snprintf(_metadata->skip_reason, sizeof(_metadata->skip_reason), fmt, \
			 ##__VA_ARGS__);                                              \
		_metadata->exit_code = KSFT_SKIP;                                     \
		_metadata->trigger = false;                                           \
		statement;                                                            \
	} while (0)

#define XFAIL(statement, fmt, ...)                                                    \
	do {                                                                          \
		snprintf(_metadata->skip_reason, sizeof(_metadata->skip_reason), fmt, \
			 ##__VA_ARGS__);                                              \
		_metadata->exit_code = KSFT_XFAIL;                                    \
		_metadata->trigger = false;                                           \
		statement;                                                            \
	} while (0)

/* Integer comparison, printing both values; the expected value is written first. */
#define __EXPECT(_expected, _expected_str, _seen, _seen_str, _op, _assert)                        \
	do {                                                                                      \
		__typeof__(_expected) __exp = (_expected);                                        \
		__typeof__(_seen) __seen = (_seen);                                               \
		_metadata->trigger = false;                                                       \
		if (!(__exp _op __seen)) {                                                        \
			fprintf(stderr, "# %s:%d:%s:Expected %s (%lld) %s %s (%lld)\n", __FILE__, \
				__LINE__, _metadata->name, _expected_str, (long long)__exp, #_op, \
				_seen_str, (long long)__seen);                                    \
			_metadata->exit_code = KSFT_FAIL;                                         \
			_metadata->trigger = true;                                                \
		}                                                                                 \
	} while (0);                                                                              \
	__OPTIONAL_HANDLER(_assert)

#define __EXPECT_STR(_expected, _seen, _op, _assert)                                              \
	do {                                                                                      \
		const char *__exp = (_expected);                                                  \
		const char *__seen = (_seen);                                                     \
		_metadata->trigger = false;                                                       \
		if (!__exp || !__seen || !(strcmp(__exp, __seen) _op 0)) {                        \
			fprintf(stderr, "# %s:%d:%s:Expected '%s' %s '%s'\n", __FILE__, __LINE__, \
				_metadata->name, __exp ? __exp : "(null)", #_op,                  \
				__seen ? __seen : "(null)");                                      \
			_metadata->exit_code = KSFT_FAIL;                                         \
			_metadata->trigger = true;                                                \
		}                                                                                 \
	} while (0);                                                                              \
	__OPTIONAL_HANDLER(_assert)

#define ASSERT_EQ(expected, seen)    __EXPECT(expected, #expected, seen, #seen, ==, 1)
#define ASSERT_NE(expected, seen)    __EXPECT(expected, #expected, seen, #seen, !=, 1)
#define ASSERT_LT(expected, seen)    __EXPECT(expected, #expected, seen, #seen, <, 1)
#define ASSERT_LE(expected, seen)    __EXPECT(expected, #expected, seen, #seen, <=, 1)
#define ASSERT_GT(expected, seen)    __EXPECT(expected, #expected, seen, #seen, >, 1)
#define ASSERT_GE(expected, seen)    __EXPECT(expected, #expected, seen, #seen, >=, 1)
#define ASSERT_NULL(seen)	     __EXPECT(NULL, "NULL", seen, #seen, ==, 1)
#define ASSERT_TRUE(seen)	     __EXPECT(0, "0", seen, #seen, !=, 1)
#define ASSERT_FALSE(seen)	     __EXPECT(0, "0", seen, #seen, ==, 1)
#define ASSERT_STREQ(expected, seen) __EXPECT_STR(expected, seen, ==, 1)
#define ASSERT_STRNE(expected, seen) __EXPECT_STR(expected, seen, !=, 1)

#define EXPECT_EQ(expected, seen)    __EXPECT(expected, #expected, seen, #seen, ==, 0)
#define EXPECT_NE(expected, seen)    __EXPECT(expected, #expected, seen, #seen, !=, 0)
#define EXPECT_LT(expected, seen)    __EXPECT(expected, #expected, seen, #seen, <, 0)
#define EXPECT_LE(expected, seen)    __EXPECT(expected, #expected, seen, #seen, <=, 0)
#define EXPECT_GT(expected, seen)    __EXPECT(expected, #expected, seen, #seen, >, 0)
#define EXPECT_GE(expected, seen)    __EXPECT(expected, #expected, seen, #seen, >=, 0)
#define EXPECT_NULL(seen)	     __EXPECT(NULL, "NULL", seen, #seen, ==, 0)
#define EXPECT_TRUE(seen)	     __EXPECT(0, "0", seen, #seen, !=, 0)
#define EXPECT_FALSE(seen)	     __EXPECT(0, "0", seen, #seen, ==, 0)
#define EXPECT_STREQ(expected, seen) __EXPECT_STR(expected, seen, ==, 0)
#define EXPECT_STRNE(expected, seen) __EXPECT_STR(expected, seen, !=, 0)

/* ---- plain tests ---- */

#define TEST(test_name)		       __TEST_IMPL(test_name, -1, TEST_TIMEOUT_DEFAULT)
#define TEST_SIGNAL(test_name, signal) __TEST_IMPL(test_name, signal, TEST_TIMEOUT_DEFAULT)

#define __TEST_IMPL(test_name, _signal, _timeout)                                    \
	static void test_name(struct __test_metadata *_metadata);                    \
	static void _wrapper_##test_name(                                            \
		struct __test_metadata *_metadata,                                   \
		struct __fixture_variant_metadata __attribute__((unused)) * variant) \
	{                                                                            \
		_metadata->setup_completed = true;                                   \
		if (setjmp(_metadata->env) == 0)                                     \
			test_name(_metadata);                                        \
	}                                                                            \
	static struct __test_metadata _##test_name##_object = {                      \
		.name = #test_name,                                                  \
		.fn = &_wrapper_##test_name,                                         \
		.fixture = &_fixture_global,                                         \
		.termsig = _signal,                                                  \
		.timeout = _timeout,                                                 \
	};                                                                           \
	static void __attribute__((constructor)) _register_##test_name(void)         \
	{                                                                            \
		__register_test(&_##test_name##_object);                             \
	}                                                                            \
	static void test_name(struct __test_metadata __attribute__((unused)) * _metadata)

/* ---- fixtures and their variants ---- */

#define FIXTURE_DATA(datatype_name)   struct _test_data_##datatype_name
#define FIXTURE_VARIANT(fixture_name) struct _fixture_variant_##fixture_name

#define FIXTURE(fixture_name)                                                          \
	FIXTURE_VARIANT(fixture_name);                                                 \
	static struct __fixture_metadata _##fixture_name##_fixture_object = {          \
		.name = #fixture_name,                                                 \
	};                                                                             \
	static void __attribute__((constructor)) _register_##fixture_name##_data(void) \
	{                                                                              \
		__register_fixture(&_##fixture_name##_fixture_object);                 \
	}                                                                              \
	FIXTURE_DATA(fixture_name)

#define FIXTURE_SETUP(fixture_name)                                                             \
	void fixture_name##_setup(struct __test_metadata __attribute__((unused)) * _metadata,   \
				  FIXTURE_DATA(fixture_name) __attribute__((unused)) * self,    \
				  const FIXTURE_VARIANT(fixture_name) __attribute__((unused)) * \
					  variant)

#define FIXTURE_TEARDOWN(fixture_name)                                                             \
	void fixture_name##_teardown(struct __test_metadata __attribute__((unused)) * _metadata,   \
				     FIXTURE_DATA(fixture_name) __attribute__((unused)) * self,    \
				     const FIXTURE_VARIANT(fixture_name) __attribute__((unused)) * \
					     variant)

#define FIXTURE_VARIANT_ADD(fixture_name, variant_name)                                          \
	extern const FIXTURE_VARIANT(fixture_name) _##fixture_name##_##variant_name##_variant;   \
	static struct __fixture_variant_metadata _##fixture_name##_##variant_name##_object = {   \
		.name = #variant_name,                                                           \
		.data = &_##fixture_name##_##variant_name##_variant,                             \
	};                                                                                       \
	static void __attribute__((constructor)) _register_##fixture_name##_##variant_name(void) \
	{                                                                                        \
		__register_fixture_variant(&_##fixture_name##_fixture_object,                    \
					   &_##fixture_name##_##variant_name##_object);          \
	}                                                                                        \
	const FIXTURE_VARIANT(fixture_name) _##fixture_name##_##variant_name##_variant =

#define TEST_F(fixture_name, test_name) \
	__TEST_F_IMPL(fixture_name, test_name, -1, TEST_TIMEOUT_DEFAULT)
#define TEST_F_SIGNAL(fixture_name, test_name, signal) \
	__TEST_F_IMPL(fixture_name, test_name, signal, TEST_TIMEOUT_DEFAULT)
#define TEST_F_TIMEOUT(fixture_name, test_name, timeout) \
	__TEST_F_IMPL(fixture_name, test_name, -1, timeout)

#define __TEST_F_IMPL(fixture_name, test_name, _signal, _timeout)                               \
	static void fixture_name##_##test_name(struct __test_metadata *_metadata,               \
					       FIXTURE_DATA(fixture_name) * self,               \
					       const FIXTURE_VARIANT(fixture_name) * variant);  \
	/* volatile: these are read again after the longjmp of a failed ASSERT. */              \
	static void _run_##fixture_name##_##test_name(                                          \
		struct __test_metadata *volatile m, FIXTURE_DATA(fixture_name) *volatile s,     \
		const FIXTURE_VARIANT(fixture_name) *volatile var)                              \
	{                                                                                       \
		if (setjmp(m->env) == 0) {                                                      \
			fixture_name##_setup(m, s, var);                                        \
			/* A SKIP or failure in the setup ends the test before its body. */     \
			if (m->exit_code != KSFT_PASS)                                          \
				__harness_abort_test(m);                                        \
			m->setup_completed = true;                                              \
			fixture_name##_##test_name(m, s, var);                                  \
		}                                                                               \
		if (m->setup_completed)                                                         \
			fixture_name##_teardown(m, s, var);                                     \
	}                                                                                       \
	static void _wrapper_##fixture_name##_##test_name(struct __test_metadata *_metadata,    \
							  struct __fixture_variant_metadata *v) \
	{                                                                                       \
		FIXTURE_DATA(fixture_name) self;                                                \
		memset(&self, 0, sizeof(self));                                                 \
		_run_##fixture_name##_##test_name(_metadata, &self, v ? v->data : NULL);        \
	}                                                                                       \
	static struct __test_metadata _##fixture_name##_##test_name##_object = {                \
		.name = #test_name,                                                             \
		.fn = &_wrapper_##fixture_name##_##test_name,                                   \
		.fixture = &_##fixture_name##_fixture_object,                                   \
		.termsig = _signal,                                                             \
		.timeout = _timeout,                                                            \
	};                                                                                      \
	static void __attribute__((constructor)) _register_##fixture_name##_##test_name(void)   \
	{                                                                                       \
		__register_test(&_##fixture_name##_##test_name##_object);                       \
	}                                                                                       \
	static void fixture_name##_##test_name(                                                 \
		struct __test_metadata __attribute__((unused)) * _metadata,                     \
		FIXTURE_DATA(fixture_name) __attribute__((unused)) * self,                      \
		const FIXTURE_VARIANT(fixture_name) __attribute__((unused)) * variant)

/* ---- the runner ---- */

static struct __fixture_variant_metadata __no_variant = { .name = "" };

static inline void __full_name(char *buf, size_t len, const struct __fixture_metadata *f,
			       const struct __fixture_variant_metadata *v,
			       const struct __test_metadata *t)
{
	snprintf(buf, len, "%s%s%s.%s", f->name, v->name[0] ? "." : "", v->name, t->name);
}

static volatile sig_atomic_t __harness_timed_out;

/*
 * A test's hang guard, never a timed assertion: SBX_TEST_TIMEOUT_SCALE (a whole number, set
 * by the guests' init) stretches it where the same program runs tens of times slower, a
 * kernel booted under QEMU TCG on a loaded host.
 */
static inline int __harness_timeout(int timeout)
{
	const char *s = getenv("SBX_TEST_TIMEOUT_SCALE");
	int scale = s ? atoi(s) : 1;

	return scale > 1 && scale <= 100 ? timeout * scale : timeout;
}
/* Shared with the test's child so a SKIP or XFAIL reason reaches the result line. */
static char *__harness_reason;

static inline void __harness_alarm(int sig)
{
	(void)sig;
	__harness_timed_out = 1;
}

/* Runs one test in a child; returns its KSFT_* result. */
static inline int __run_test(struct __fixture_variant_metadata *v, struct __test_metadata *t,
			     const char *full)
{
	struct sigaction sa = { .sa_handler = __harness_alarm }, old;
	int status = 0, result;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	t->exit_code = KSFT_PASS;
	t->skip_reason[0] = '\0';
	if (__harness_reason)
		__harness_reason[0] = '\0';
	pid = fork();
	if (pid < 0) {
		printf("# %s: fork: %s\n", full, strerror(errno));
		return KSFT_FAIL;
	}
	if (pid == 0) {
		/* A test leads its own process group so a timeout kills its helpers too. */
		setpgid(0, 0);
		t->fn(t, v == &__no_variant ? NULL : v);
		if ((t->exit_code == KSFT_SKIP || t->exit_code == KSFT_XFAIL) && __harness_reason)
			memcpy(__harness_reason, t->skip_reason, sizeof(t->skip_reason));
		fflush(stdout);
		fflush(stderr);
		_exit(t->exit_code);
	}
	__harness_timed_out = 0;
	sigaction(SIGALRM, &sa, &old);
	alarm(__harness_timeout(t->timeout));
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			break;
		if (__harness_timed_out) {
			printf("# %s: test timed out after %d seconds, killed\n", full,
			       __harness_timeout(t->timeout));
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (__harness_timed_out)
		return KSFT_FAIL;

	if (t->termsig != -1) {
		if (WIFSIGNALED(status) && WTERMSIG(status) == t->termsig)
			return KSFT_PASS;
		if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP)
			return KSFT_SKIP;
		printf("# %s: expected signal %d, got %s %d\n", full, t->termsig,
		       WIFSIGNALED(status) ? "signal" : "exit status",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return KSFT_FAIL;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s: died by signal %d (%s)\n", full, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
		return KSFT_FAIL;
	}
	result = WEXITSTATUS(status);
	switch (result) {
	case KSFT_PASS:
	case KSFT_SKIP:
	case KSFT_XFAIL:
	case KSFT_FAIL:
		return result;
	default:
		printf("# %s: unexpected exit status %d\n", full, result);
		return KSFT_FAIL;
	}
}

static inline bool __harness_selected(int argc, char **argv, const char *fixture,
				      const char *variant, const char *test, const char *full)
{
	bool any = false, match = false;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "f:v:t:r:l")) != -1) {
		const char *want = optarg;

		switch (opt) {
		case 'f':
			any = true;
			match |= !strcmp(want, fixture);
			break;
		case 'v':
			any = true;
			match |= !strcmp(want, variant);
			break;
		case 't':
			any = true;
			match |= !strcmp(want, test);
			break;
		case 'r':
			any = true;
			match |= !strcmp(want, full);
			break;
		default:
			break;
		}
	}
	return !any || match;
}

static inline int test_harness_run(int argc, char **argv)
{
	struct __fixture_metadata *f;
	struct __fixture_variant_metadata *v;
	struct __test_metadata *t;
	unsigned int count = 0, n = 0, pass = 0, fail = 0, skip = 0, xfail = 0;
	char full[512];
	bool list = false;
	int opt;

	while ((opt = getopt(argc, argv, "f:v:t:r:lh")) != -1) {
		if (opt == 'l')
			list = true;
		else if (opt == 'h' || opt == '?') {
			fprintf(stderr,
				"usage: %s [-l] [-f FIXTURE] [-v VARIANT] [-t TEST] [-r "
				"FIXTURE.VARIANT.TEST]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	__harness_reason = mmap(NULL, sizeof(((struct __test_metadata *)0)->skip_reason),
				PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (__harness_reason == MAP_FAILED)
		__harness_reason = NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Count first: KTAP wants the plan before the results. */
	for (int pass_no = 0; pass_no < 2; pass_no++) {
		for (f = __fixture_list; f; f = f->next) {
			for (v = f->variants ? f->variants : &__no_variant; v;
			     v = v == &__no_variant ? NULL : v->next) {
				for (t = f->tests; t; t = t->next) {
					__full_name(full, sizeof(full), f, v, t);
					if (!__harness_selected(argc, argv, f->name, v->name,
								t->name, full))
						continue;
					if (pass_no == 0) {
						count++;
						continue;
					}
					if (list) {
						printf("%s\n", full);
						continue;
					}
					n++;
					printf("#  RUN           %s ...\n", full);
					switch (__run_test(v, t, full)) {
					case KSFT_PASS:
						pass++;
						printf("#            OK  %s\nok %u %s\n", full, n,
						       full);
						break;
					case KSFT_SKIP:
						skip++;
						printf("#      SKIP      %s\nok %u %s # SKIP %s\n",
						       full, n, full,
						       __harness_reason && __harness_reason[0]
							       ? __harness_reason
							       : "(no reason given)");
						break;
					case KSFT_XFAIL:
						xfail++;
						printf("#      XFAIL     %s\nok %u %s # XFAIL %s\n",
						       full, n, full,
						       __harness_reason && __harness_reason[0]
							       ? __harness_reason
							       : "(no reason given)");
						break;
					default:
						fail++;
						printf("#     FAIL       %s\nnot ok %u %s\n", full,
						       n, full);
						break;
					}
				}
			}
		}
		if (pass_no == 0 && !list) {
			printf("TAP version 13\n1..%u\n", count);
			printf("# Starting %u tests\n", count);
		}
	}
	if (list)
		return 0;
	printf("# %s: %u / %u tests passed.\n", fail ? "FAILED" : "PASSED", pass, n);
	printf("# Totals: pass:%u fail:%u xfail:%u xpass:0 skip:%u error:0\n", pass, fail, xfail,
	       skip);
	return fail ? KSFT_FAIL : KSFT_PASS;
}

#define TEST_HARNESS_MAIN                            \
	int main(int argc, char **argv)              \
	{                                            \
		return test_harness_run(argc, argv); \
	}

#endif /* SBX_KSELFTEST_HARNESS_H */
