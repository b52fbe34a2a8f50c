/*
 * A minimal TAP producer for the C unit tests; prove(1) reads its output.
 */
#ifndef STASIS_TAP_H
#define STASIS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int ok_c_ = !!(cond);						\
	tap_n++;							\
	if (!ok_c_)							\
		tap_failed++;						\
	printf("%sok %d - ", ok_c_ ? "" : "not ", tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!ok_c_)							\
		fprintf(stderr, "#   failed at %s line %d\n", __FILE__,	\
		    __LINE__);						\
	fflush(stdout);							\
} while (0)

#define is_int(got, want, name) do {					\
	long long is_g_ = (got), is_w_ = (want);			\
	ok(is_g_ == is_w_, "%s", name);					\
	if (is_g_ != is_w_)						\
		fprintf(stderr, "#   got %lld, want %lld\n", is_g_, is_w_); \
} while (0)

#define is_str(got, want, name) do {					\
	const char *is_g_ = (got), *is_w_ = (want);			\
	int is_e_ = (is_g_ == NULL && is_w_ == NULL) ||			\
	    (is_g_ != NULL && is_w_ != NULL && strcmp(is_g_, is_w_) == 0); \
	ok(is_e_, "%s", name);						\
	if (!is_e_)							\
		fprintf(stderr, "#   got '%s', want '%s'\n",		\
		    is_g_ ? is_g_ : "(null)", is_w_ ? is_w_ : "(null)"); \
} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed != 0);
}

#endif
