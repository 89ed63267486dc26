/* check.h - a minimal test harness: CHECK counts, reports failures with their line, and main() prints the figures. */
#ifndef RC_CHECK_H
#define RC_CHECK_H

#include <stdio.h>

static int checks_run, checks_failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        checks_run++;                                                                  \
        if (!(cond)) {                                                                 \
            checks_failed++;                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        checks_run++;                                                                              \
        if (va_ != vb_) {                                                                          \
            checks_failed++;                                                                       \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld (0x%llx != 0x%llx)\n", __FILE__, \
                    __LINE__, #a, #b, va_, vb_, (unsigned long long)va_, (unsigned long long)vb_); \
        }                                                                                          \
    } while (0)

#define RUN(test)                                                                       \
    do {                                                                                \
        int before_ = checks_failed;                                                    \
        test();                                                                         \
        printf("%-40s %s\n", #test, checks_failed == before_ ? "ok" : "FAILED");       \
    } while (0)

static int check_summary(const char *suite)
{
    printf("%s: %d checks, %d failed\n", suite, checks_run, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
