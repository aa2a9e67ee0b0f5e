/* store_names.c: the store's references to its images (see store.h):
 * names ("registry/path:tag", repositories.json) and digest references
 * ("registry/path@sha256:...", digests.json), both "reference -> image id"
 * and both changed under the store's lock. */
#include "store.h"
#include "../oci/ref.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

json_t *store_names(struct store *s)
{
    return store_json_object(s, "repositories.json");
}

int store_names_save(struct store *s, json_t *names, merr_t *err)
{
    cleanup_free char *text = json_dumps(names, JSON_SORT_KEYS | JSON_INDENT(1));
    return store_write_file(s, "repositories.json", text, strlen(text), err);
}

json_t *store_digests(struct store *s)
{
    return store_json_object(s, "digests.json");
}

int store_digests_save(struct store *s, json_t *digests, merr_t *err)
{
    cleanup_free char *text = json_dumps(digests, JSON_SORT_KEYS | JSON_INDENT(1));
    return store_write_file(s, "digests.json", text, strlen(text), err);
}

/* is ref (a key of names or digests) one of repo's pointing at id? */
static bool in_repo(const char *ref, json_t *v, const char *repo, const char *id)
{
    if (strcmp(json_string_value(v) ?: "", id) != 0)
        return false;
    cleanup_free char *r = ref_repo(ref);
    return strcmp(r, repo) == 0;
}

char **store_digests_orphaned(json_t *names, json_t *digests, const char *repo, const char *id)
{
    char **gone = xzalloc(sizeof(char *));
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach(names, k, v)
    {
        if (in_repo(k, v, repo, id))
            return gone;
    }
    json_object_foreach_safe(digests, tmp, k, v)
    {
        if (in_repo(k, v, repo, id)) {
            strv_push(&gone, k);
            json_object_del(digests, k);
        }
    }
    return gone;
}

int store_name_set(struct store *s, const char *full, const char *dref, const char *id, merr_t *err)
{
    json_t *names = store_names(s), *digests = store_digests(s);
    bool dchanged = false;
    int r = 0;
    if (full) {
        cleanup_free char *old = xstrdup(json_string_value(json_object_get(names, full)) ?: "");
        json_object_set_new(names, full, json_string(id));
        if (*old && strcmp(old, id) != 0) { /* the name moves away from old */
            cleanup_free char *repo = ref_repo(full);
            char **gone = store_digests_orphaned(names, digests, repo, old);
            dchanged = gone[0] != NULL;
            strv_free(gone);
        }
        r = store_names_save(s, names, err);
    }
    if (dref && strcmp(json_string_value(json_object_get(digests, dref)) ?: "", id) != 0) {
        json_object_set_new(digests, dref, json_string(id));
        dchanged = true;
    }
    if (r == 0 && dchanged)
        r = store_digests_save(s, digests, err);
    json_decref(names);
    json_decref(digests);
    return r;
}

int store_tag(struct store *s, const char *full, const char *id, merr_t *err)
{
    if (store_lock(s, err) < 0)
        return -1;
    int r = store_name_set(s, full, NULL, id, err);
    store_unlock(s);
    return r;
}

bool store_digest_find(struct store *s, const struct ref *r, char id[72])
{
    if (!r->digest)
        return false;
    cleanup_free char *key = xasprintf("%s/%s@%s", r->registry, r->path, r->digest);
    json_t *digests = store_digests(s);
    const char *v = json_string_value(json_object_get(digests, key));
    bool found = false;
    if (digest_valid(v)) { /* a reference an older moat's rmi left behind is not an image */
        cleanup_free char *rec = xasprintf("images/%s.json", digest_hex(v));
        found = faccessat(s->fd, rec, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        if (found)
            snprintf(id, 72, "%s", v);
    }
    json_decref(digests);
    return found;
}
