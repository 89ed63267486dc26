/* settings.c - see settings.h. */
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int key_matches(const char *have, const char *want)
{
    for (; *have != '\0' && *want != '\0'; have++, want++) {
        char a = *have == '_' ? '-' : *have;
        char b = *want == '_' ? '-' : *want;
        if (a != b)
            return 0;
    }
    return *have == '\0' && *want == '\0';
}

const char *settings_get(const rc_settings *s, const char *key, const char *env)
{
    if (s != NULL && s->keys != NULL && s->values != NULL) {
        for (size_t i = s->count; i-- > 0;) {          /* the last of repeated keys wins */
            if (s->keys[i] != NULL && key_matches(s->keys[i], key))
                return s->values[i] != NULL && s->values[i][0] != '\0' ? s->values[i] : NULL;
        }
    }
    if (env != NULL) {
        const char *v = getenv(env);
        if (v != NULL && v[0] != '\0')
            return v;
    }
    return NULL;
}

int settings_ip_list(const char *text, nd_addr *out, size_t cap, size_t *count, char *err, size_t err_size)
{
    nd_addr v4[64], v6[64];
    size_t n4 = 0, n6 = 0;
    *count = 0;
    if (text == NULL)
        return 0;
    const char *p = text;
    while (*p != '\0') {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        const char *start = p;
        while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        char literal[64];
        size_t len = (size_t)(p - start);
        nd_addr a;
        if (len >= sizeof literal) {
            snprintf(err, err_size, "not an IP literal: %.40s...", start);
            return -1;
        }
        memcpy(literal, start, len);
        literal[len] = '\0';
        if (nd_ip_parse(literal, &a) != 0) {
            snprintf(err, err_size, "not an IP literal (names are never resolved): %s", literal);
            return -1;
        }
        if (n4 + n6 >= cap || n4 + n6 >= 64) {
            snprintf(err, err_size, "too many addresses in '%.60s' (at most %zu)", text, cap < 64 ? cap : (size_t)64);
            return -1;
        }
        if (a.family == 4)
            v4[n4++] = a;
        else
            v6[n6++] = a;
    }
    memcpy(out, v4, n4 * sizeof *out);
    memcpy(out + n4, v6, n6 * sizeof *out);
    *count = n4 + n6;
    return 0;
}

int settings_u64(const char *text, uint64_t *out)
{
    if (text == NULL || *text < '0' || *text > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}
