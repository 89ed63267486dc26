/*
 * settings.h - the testbed's settings (pure): the kit's -s KEY=VALUE settings first, then the
 * lab's NDK_LAB_* environment variables, then the default.
 */
#ifndef RC_SETTINGS_H
#define RC_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "sockaddr.h"

typedef struct rc_settings {
    size_t count;
    const char *const *keys;
    const char *const *values;
} rc_settings;

/*
 * The value of 'key' (hyphenated, for example "silent-host"; the underscore spelling of
 * lab.properties, "silent_host", is accepted too), else the environment variable 'env' (may be
 * NULL), else NULL. An empty value counts as unset.
 */
const char *settings_get(const rc_settings *s, const char *key, const char *env);

/*
 * A comma- (or space-) separated list of IP literals into out[0..cap). IPv4 addresses come first,
 * then IPv6, each in the given order (the scenarios take "the first address" by position).
 * Returns 0, or -1 with a message in err for a literal that is not an IP address or a list longer
 * than cap.
 */
int settings_ip_list(const char *text, nd_addr *out, size_t cap, size_t *count, char *err, size_t err_size);

/* An unsigned decimal number: 0, or -1 when 'text' is not one. */
int settings_u64(const char *text, uint64_t *out);

#endif
