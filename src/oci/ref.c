/* ref.c: image reference parsing (see ref.h). */
#include "ref.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

bool digest_valid(const char *d)
{
    if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
        return false;
    for (const char *p = d + 7; *p; p++)
        if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
            return false;
    return true;
}

const char *digest_hex(const char *d)
{
    return d + 7;
}

static bool path_ok(const char *p)
{
    if (!*p || *p == '/' || p[strlen(p) - 1] == '/' || strstr(p, "//"))
        return false;
    for (const char *c = p; *c; c++)
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr("._-/", *c))
            return false;
    /* a component is [a-z0-9]+ joined by separators */
    for (const char *c = p; *c; c++)
        if (strchr("._-", *c) && (c == p || c[-1] == '/' || !c[1] || c[1] == '/'))
            return false;
    return true;
}

static bool tag_ok(const char *t)
{
    size_t n = strlen(t);
    if (!n || n > REF_TAG_MAX || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
        return false;
    for (const char *c = t; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
            return false;
    return true;
}

static bool host_ok(const char *h)
{
    if (!*h || strlen(h) > 255 || !(isalnum((unsigned char)h[0]) || h[0] == '['))
        return false;
    if (strstr(h, ".."))
        return false;
    for (const char *c = h; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr(".-:[]", *c))
            return false;
    return true;
}

/* The reference in an error: cut, so that hostile input is never echoed
 * back whole. */
#define SHOWN 80
static int bad(merr_t *err, const char *s, const char *why)
{
    size_t n = strlen(s);
    if (n > SHOWN)
        return err_set(err, 0, "image reference \"%.*s...\" (%zu bytes): %s", SHOWN, s, n, why);
    return err_set(err, 0, "image reference \"%s\": %s", s, why);
}

int ref_parse(const char *s, struct ref *r, merr_t *err)
{
    memset(r, 0, sizeof(*r));
    if (!s || !*s)
        return err_set(err, 0, "image reference: empty");
    if (strlen(s) > REF_NAME_MAX + 1 + REF_TAG_MAX + 1 + 71)
        return bad(err, s, "the name is longer than 255 characters (or the tag than 128)");
    cleanup_free char *buf = xstrdup(s);
    char *at = strchr(buf, '@');
    if (at) {
        *at = 0;
        if (!digest_valid(at + 1))
            return bad(err, s, "the digest must be sha256: and 64 hex digits");
        r->digest = xstrdup(at + 1);
    }
    char *name = buf;
    char *slash = strchr(name, '/');
    if (slash &&
        (memchr(name, '.', (size_t)(slash - name)) || memchr(name, ':', (size_t)(slash - name)) ||
         strncmp(name, "localhost/", 10) == 0)) {
        *slash = 0;
        r->registry = xstrdup(name);
        name = slash + 1;
    } else {
        r->registry = xstrdup(REF_DEFAULT_REGISTRY);
    }
    char *colon = strrchr(name, ':');
    if (colon) {
        *colon = 0;
        r->tag = xstrdup(colon + 1);
    }
    if (!host_ok(r->registry) || !path_ok(name) || (r->tag && !tag_ok(r->tag))) {
        ref_free(r);
        return bad(err, s,
                   "not a valid name[:tag][@digest] (names are lowercase letters, digits and "
                   ". _ - /; tags at most 128 characters)");
    }
    if (strcmp(r->registry, REF_DEFAULT_REGISTRY) == 0 && !strchr(name, '/'))
        r->path = xasprintf("library/%s", name);
    else
        r->path = xstrdup(name);
    /* Docker's limit: the repository name, its registry included */
    if (strlen(r->registry) + 1 + strlen(r->path) > REF_NAME_MAX) {
        ref_free(r);
        return bad(err, s, "the name is longer than 255 characters");
    }
    if (!r->tag && !r->digest)
        r->tag = xstrdup("latest");
    return 0;
}

void ref_free(struct ref *r)
{
    free(r->registry);
    free(r->path);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof(*r));
}

char *ref_string(const struct ref *r)
{
    if (r->tag)
        return xasprintf("%s/%s:%s", r->registry, r->path, r->tag);
    return xasprintf("%s/%s@%s", r->registry, r->path, r->digest);
}

char *ref_familiar(const char *full)
{
    /* what parses back to the same name: "library/" only before a
     * one-component path, "docker.io/" only when the path's first
     * component would not read as a registry */
    static const char hub[] = REF_DEFAULT_REGISTRY "/", lib[] = "library/";
    if (strncmp(full, hub, strlen(hub)) != 0)
        return xstrdup(full);
    const char *rest = full + strlen(hub);
    if (strncmp(rest, lib, strlen(lib)) == 0 && !strchr(rest + strlen(lib), '/'))
        return xstrdup(rest + strlen(lib));
    size_t n = strcspn(rest, "/");
    if (rest[n] == '/' && (memchr(rest, '.', n) || memchr(rest, ':', n) ||
                           (n == 9 && strncmp(rest, "localhost", 9) == 0)))
        return xstrdup(full);
    return xstrdup(rest);
}

char *ref_repo(const char *name)
{
    char *r = xstrndup(name, strcspn(name, "@"));
    char *colon = strrchr(r, ':');
    if (colon && !strchr(colon, '/'))
        *colon = 0;
    return r;
}
