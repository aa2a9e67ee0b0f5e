/* caps.h: capability names and applying the five capability sets. */
#ifndef MOAT_CAPS_H
#define MOAT_CAPS_H

#include "../oci/capname.h"
#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int cap_last_cap(void);

struct cap_state {
    uint64_t bounding, effective, permitted, inheritable, ambient;
};

/* Drop everything not in `bounding` from the bounding set. Needs CAP_SETPCAP. */
int caps_apply_bounding(uint64_t bounding, merr_t *err);
/* Set effective/permitted/inheritable, then ambient. Call after setuid
 * (with keepcaps). */
int caps_apply_sets(const struct cap_state *c, merr_t *err);
/* Lower (on = false) or raise back one capability in the effective set
 * only; raising needs it in the permitted set. */
int caps_set_effective(int cap, bool on, merr_t *err);
/* Read the current process' sets. */
int caps_get(struct cap_state *c);

#endif
