/* capname.h: capability names, as configs and flags write them. */
#ifndef MOAT_OCI_CAPNAME_H
#define MOAT_OCI_CAPNAME_H

#define CAP_COUNT_KNOWN 41 /* CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40) */

/* "CAP_SYS_ADMIN" -> 21; also accepts "SYS_ADMIN" and lower case when
 * lenient is set (engine flags). -1 if unknown. */
int cap_from_name(const char *name, int lenient);
const char *cap_name(int cap);

#endif
