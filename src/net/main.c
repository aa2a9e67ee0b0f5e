/* moat-net: the network helper. moat runs it as root for each change of
 * the network data plane; it reads one request (JSON, req.h) on stdin and
 * answers on stdout (JSON, if the op has an answer); an error is one line
 * on stderr and exit 1; a malformed request exits 2 and changes nothing.
 *
 *   setup      a container's endpoint on a bridge (setup.h); fd 3 is the
 *              container's network namespace; answers
 *              {"ip_forward_set":true|false} (true: it turned
 *              net.ipv4.ip_forward on), and with a "firewall" part the
 *              outcome of adding its elements to moat's sets (fwpart.h)
 *   teardown   removes a container's host end (remove.h), and with a
 *              "firewall" part its elements; answers {"firewall":...}
 *   bridge-rm  removes a bridge (remove.h)
 *   firewall   applies the whole of moat's tables (fw.h, nft.h)
 *   firewall-flush  removes them
 *
 * The two firewall ops are only taken when moat-net runs as `moat-net
 * nft`, which loads libnftables (dlopen) and makes its context and
 * socket: the other ops do not pay for loading it (some 10 ms).
 *
 * Before it reads the request it opens what needs privilege: a netlink
 * socket in the host's network namespace, one in the container's (if fd 3
 * is a network namespace: setns there and back), a NETLINK_NETFILTER
 * socket, /proc/sys/net/ipv4/ip_forward (and libnftables for `nft`); then
 * it keeps only CAP_NET_ADMIN under no_new_privs and its own seccomp
 * filter (drop.h). Its environment is emptied, descriptors other than 0
 * to 3 are closed, and it is not dumpable. A separate, dynamically
 * linked program (Debian has no static libmnl), linked with moat's util/
 * and kernel/ code, never with moat itself. */
#include "ctx.h"
#include "drop.h"
#include "fwpart.h"
#include "remove.h"
#include "req.h"
#include "fw.h"
#include "setup.h"
#include "../kernel/net/nft.h"
#include "../kernel/net/nftset.h"
#include "../kernel/ns.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#define REQ_MAX (1 << 20)

#if defined(__SANITIZE_ADDRESS__)
/* the test builds: LeakSanitizer stops the world with ptrace and clone,
 * which the seccomp filter denies */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}
#endif
#define NSFS_MAGIC_ 0x6e736673
#define MALFORMED (-2)

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("moat-net: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

/* 0, 1 and 2 open (a socket must never land on stdout), nothing past 3 */
static void sane_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR | O_CLOEXEC) != fd)
            die(1, "fd %d: not open, and /dev/null cannot take its place", fd);
    if (close_range(4, ~0U, 0) < 0)
        for (int fd = 4; fd < 1024; fd++)
            close(fd);
}

/* the socket in the container's namespace if fd 3 is one; else why not */
static const char *open_container(struct net_ctx *c)
{
    struct statfs sf;
    c->netns_fd = -1;
    if (fcntl(3, F_GETFD) < 0)
        return "fd 3: not open (setup needs the container's network namespace there)";
    if (fstatfs(3, &sf) < 0 || sf.f_type != NSFS_MAGIC_ || ns_fd_type(3) < 0)
        return "fd 3: not a namespace (setup needs the container's network namespace there)";
    if (ns_fd_type(3) != CLONE_NEWNET)
        return "fd 3: a namespace, not a network namespace";
    if (ns_is_current(3, "net"))
        return "fd 3: the helper's own network namespace, not a container's";
    merr_t err = MERR_INIT;
    cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        die(1, "open /proc/self/ns/net: %s", strerror(errno));
    if (setns(3, CLONE_NEWNET) < 0)
        die(1, "join the container's network namespace (fd 3): %s", strerror(errno));
    int r = nl_open(&c->ctr, &err);
    if (setns(self, CLONE_NEWNET) < 0)
        die(1, "return to the host's network namespace: %s", strerror(errno));
    if (r < 0)
        die(1, "the container's network namespace: %s", err.msg);
    c->netns_fd = 3;
    return NULL;
}

static void prepare(struct net_ctx *c, bool nft, const char **netns_why)
{
    merr_t err = MERR_INIT;
    sane_fds();
    clearenv();
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        die(1, "make the process undumpable: %s", strerror(errno));
    json_object_seed(0); /* from /dev/urandom, while it can be opened */
    *netns_why = open_container(c);
    if (nl_open(&c->host, &err) < 0 || nftset_open(&c->nf, &err) < 0)
        die(1, "%s", err.msg);
    if (nft && nft_prepare(&err) < 0) /* dlopen, its context and socket */
        die(1, "%s", err.msg);
    c->ip_forward = open("/proc/sys/net/ipv4/ip_forward", O_RDWR | O_CLOEXEC);
    if (c->ip_forward < 0)
        die(1, "open /proc/sys/net/ipv4/ip_forward: %s", strerror(errno));
    if (net_drop_privileges(&err) < 0)
        die(1, "%s", err.msg);
}

static json_t *read_request(void)
{
    struct sbuf b = {0};
    char chunk[4096];
    for (;;) {
        ssize_t n = read(0, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die(1, "read the request: %s", strerror(errno));
        if (n == 0)
            break;
        if (b.len + (size_t)n > REQ_MAX)
            die(2, "request: larger than %d bytes", REQ_MAX);
        sbuf_add(&b, chunk, (size_t)n);
    }
    json_error_t je;
    json_t *j = json_loadb(b.buf ? b.buf : "", b.len, JSON_REJECT_DUPLICATES, &je);
    free(b.buf);
    if (!j)
        die(2, "request: not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
    if (!json_is_object(j))
        die(2, "request: not a JSON object");
    return j;
}

/* the reply on stdout */
static int reply(json_t *o, merr_t *err)
{
    int r = json_dumpf(o, stdout, JSON_COMPACT) < 0 || fputc('\n', stdout) == EOF
                ? err_set(err, 0, "write the reply")
                : 0;
    json_decref(o);
    return r;
}

static int run_setup(struct net_ctx *c, const json_t *j, const char *netns_why, merr_t *err)
{
    struct net_req r;
    struct fw_state fw;
    bool set;
    if (net_req_parse(j, "setup", &r, err) < 0)
        return MALFORMED;
    if (c->netns_fd < 0)
        return err_set(err, 0, "%s", netns_why), MALFORMED;
    int part = net_fwpart_parse(j, &r, &fw, err);
    if (part < 0)
        return MALFORMED;
    json_t *o = json_object();
    if (part)
        net_fwpart_add(c, &fw, o);
    if (net_setup(c, &r, &set, err) < 0) {
        if (part)
            net_fwpart_undo(c, &fw);
        fw_state_free(&fw);
        json_decref(o);
        return -1;
    }
    fw_state_free(&fw);
    json_object_set_new(o, "ip_forward_set", json_boolean(set));
    return reply(o, err);
}

static int run_teardown(struct net_ctx *c, const json_t *j, const char *netns_why, merr_t *err)
{
    (void)netns_why;
    struct net_req r;
    struct fw_state fw;
    if (net_req_parse(j, "teardown", &r, err) < 0)
        return MALFORMED;
    int part = net_fwpart_parse(j, &r, &fw, err);
    if (part < 0)
        return MALFORMED;
    /* the veth first: its elements go only once it cannot send */
    if (net_teardown(c, &r, err) < 0) {
        fw_state_free(&fw);
        return -1;
    }
    if (!part)
        return 0;
    json_t *o = json_object();
    net_fwpart_del(c, &fw, o);
    fw_state_free(&fw);
    return reply(o, err);
}

static int run_bridge_rm(struct net_ctx *c, const json_t *j, const char *netns_why, merr_t *err)
{
    (void)netns_why;
    struct net_req r;
    if (net_req_parse(j, "bridge-rm", &r, err) < 0)
        return MALFORMED;
    return net_bridge_rm(c, &r, err);
}

/* the whole of moat's nftables tables from a state (fw.h), applied in one
 * transaction (nft.h); "flush": moat's tables removed */
static int run_firewall(struct net_ctx *c, const json_t *j, const char *netns_why, merr_t *err)
{
    (void)c, (void)netns_why;
    struct fw_state st;
    if (fw_state_parse((json_t *)j, &st, err) < 0)
        return MALFORMED;
    char *text = fw_ruleset(&st);
    fw_state_free(&st);
    int r = nft_apply(text, err);
    free(text);
    return r;
}

static int run_firewall_flush(struct net_ctx *c, const json_t *j, const char *netns_why,
                              merr_t *err)
{
    (void)c, (void)netns_why;
    if (json_object_size(j) != 1)
        return err_set(err, 0, "firewall-flush: takes no fields"), MALFORMED;
    return nft_remove(err);
}

/* Each op parses its own request (MALFORMED: exit 2, nothing done) and
 * does it (-1: exit 1). */
static const struct op {
    const char *name;
    int (*run)(struct net_ctx *c, const json_t *req, const char *netns_why, merr_t *err);
    bool nft; /* needs libnftables: `moat-net nft` */
} ops[] = {
    {"setup", run_setup, false},
    {"teardown", run_teardown, false},
    {"bridge-rm", run_bridge_rm, false},
    {"firewall", run_firewall, true},
    {"firewall-flush", run_firewall_flush, true},
};

int main(int argc, char **argv)
{
    bool nft = argc == 2 && strcmp(argv[1], "nft") == 0;
    if (argc > 2 || (argc == 2 && !nft))
        die(2, "usage: moat-net [nft] < REQUEST (a JSON object on stdin; see moat's README)");
    struct net_ctx c = {0};
    const char *netns_why = NULL;
    prepare(&c, nft, &netns_why);
    json_t *j = read_request();
    const char *op = json_string_value(json_object_get(j, "op"));
    const struct op *o = NULL;
    for (size_t i = 0; op && i < ARRAY_SIZE(ops) && !o; i++)
        if (strcmp(ops[i].name, op) == 0)
            o = &ops[i];
    if (!o)
        die(2, "request: \"op\": %s", op ? "unknown" : "missing or not a string");
    if (o->nft && !nft)
        die(2, "request: \"op\": %s is taken by \"moat-net nft\" only", op);
    merr_t err = MERR_INIT;
    int r = o->run(&c, j, netns_why, &err);
    if (r == MALFORMED)
        die(2, "request: %s", err.msg);
    if (r < 0)
        die(1, "%s: %s", op, err.msg);
    if (fflush(stdout) != 0)
        die(1, "write the reply: %s", strerror(errno));
    json_decref(j);
    nl_close(&c.host);
    nl_close(&c.ctr);
    nl_close(&c.nf);
    return 0;
}
