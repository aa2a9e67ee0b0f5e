/* apparmor.h: moat's default AppArmor profile ("moat-default", in the
 * spirit of docker-default): generated here, loaded with apparmor_parser
 * where the kernel has AppArmor, never referenced where it has not. */
#ifndef MOAT_APPARMOR_H
#define MOAT_APPARMOR_H

#include "../util/err.h"

#define APPARMOR_DEFAULT_PROFILE "moat-default"

/* The profile text (caller frees). */
char *apparmor_profile_text(const char *name);
/* Load `name` if it is moat's default profile and not loaded yet. */
int apparmor_ensure_loaded(const char *name, merr_t *err);

#endif
