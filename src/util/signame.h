/* signame.h: signal names as users and images write them. */
#ifndef MOAT_UTIL_SIGNAME_H
#define MOAT_UTIL_SIGNAME_H

/* "KILL", "SIGKILL", "sigkill", "9", "RTMIN+3": the number, 0 if unknown */
int signal_parse(const char *s);

#endif
