/* fuzz_api_route: what the API daemon reads of a request before it acts:
 * the front's router (method and path, src/api/route.c) and the back's
 * reading of Docker's filters (?filters=JSON, src/daemon/resp.c). Input:
 * the method on the first line, the path on the second, the filters
 * after. */
#include "api/route.h"
#include "daemon/api.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *e = nl ? nl : end;
    char *s = strndup(*p, (size_t)(e - *p));
    *p = nl ? nl + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char *method = line(&p, end), *path = line(&p, end);
    char *filters = strndup(p, (size_t)(end - p));
    struct api_route r;
    int st = api_route(method, path, &r);
    if (st == 0 && (!r.op || (r.pkey && (!r.pval || !*r.pval))))
        __builtin_trap(); /* a route always names its op and a non-empty parameter */
    if (st != 0 && !r.msg)
        __builtin_trap();
    api_route_free(&r);
    static int null = -1;
    if (null < 0)
        null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct api_ctx x = {.chan = null, .query = json_pack("{s:s}", "filters", filters)};
    char **out = NULL;
    if (api_q_filters(&x, &out) == 0)
        for (char **f = out; f && *f; f++)
            if (!strchr(*f, '='))
                __builtin_trap();
    strv_free(out);
    json_decref(x.query);
    free(method);
    free(path);
    free(filters);
    return 0;
}
