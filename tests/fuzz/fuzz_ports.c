/* fuzz_ports: published and exposed ports as users (-p, --expose) and,
 * through the coming API daemon, clients give them (HostConfig.
 * PortBindings), and the subnets of `network create --subnet`. The first
 * line of the input is a -p or --expose spec; the rest, a PortBindings
 * object. */
#include "engine/ctr_ports.h"
#include "engine/net_addr.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

static void spec(const char *s)
{
    merr_t err = MERR_INIT;
    json_t *b = json_object(), *e = json_object();
    if (ports_publish_parse(s, b, e, &err) == 0) {
        /* what the parser made is what the checker takes */
        if (ports_check(b, &err) != 0)
            __builtin_trap();
        char *sum = ports_summary(b);
        free(sum);
    }
    err_clear(&err);
    ports_expose_parse(s, e, &err);
    err_clear(&err);
    struct net4 n;
    if (net4_parse_cidr(s, "--subnet", &n, &err) == 0) {
        char *back = net4_cidr_str(n);
        if (strcmp(back, s) != 0)
            __builtin_trap();
        free(back);
    }
    err_clear(&err);
    json_decref(b);
    json_decref(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    char *nl = strchr(s, '\n');
    if (nl)
        *nl = 0;
    spec(s);
    if (nl) {
        json_t *j = json_loads(nl + 1, 0, NULL);
        merr_t err = MERR_INIT;
        ports_check(j, &err);
        err_clear(&err);
        json_decref(j);
    }
    free(s);
    return 0;
}
