/* fuzz_events: the event log's lines (the reader treats the log as
 * untrusted) and --filter values. The input's lines before the last are
 * filters (key=value), the last is an event line. */
#include "engine/events.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    json_t *filters = json_object();
    const char *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
        char *kv = xstrndup(p, (size_t)(nl - p));
        merr_t err = MERR_INIT;
        events_filter_add(filters, kv, &err);
        err_clear(&err);
        free(kv);
        p = nl + 1;
    }
    json_t *ev = events_parse_line(p, (size_t)(end - p));
    if (ev) {
        events_match(ev, filters);
        events_match(ev, NULL);
        char *text = events_text(ev);
        if (!text)
            __builtin_trap();
        free(text);
        json_decref(ev);
    }
    json_decref(filters);
    return 0;
}
