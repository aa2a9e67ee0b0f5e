/* test_netaddr.c: IPv4 subnet arithmetic of the engine's networks
 * (src/engine/net_addr.h): parsing as Docker reads --subnet, overlap, the
 * choice of a free /16, /proc/net/route, the IPAM's choice of an address;
 * and the IPAM table itself on a store in a temporary directory (as
 * root only: the store is root's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "engine/net_addr.h"
#include "util/fs.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t ip(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(net4_parse_addr(s, &a), 0);
    return a;
}

static void test_parse_addr(void **state)
{
    (void)state;
    uint32_t a;
    assert_int_equal(ip("10.89.0.1"), 0x0a590001u);
    assert_int_equal(ip("255.255.255.255"), 0xffffffffu);
    assert_int_equal(ip("0.0.0.0"), 0);
    static const char *const bad[] = {
        "10.89.0",  "10.89.0.1.2", "10.89.0.256", "010.1.1.1", "1..1.1",     "1.1.1.1 ",
        " 1.1.1.1", "a.b.c.d",     "1.1.1.-1",    "",          "1.1.1.1000", "1.1.1."};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(net4_parse_addr(bad[i], &a), -1);
}

/* the error of parsing s as a subnet, or NULL */
static char *cidr_err(const char *s, struct net4 *n)
{
    merr_t e = MERR_INIT;
    int r = net4_parse_cidr(s, "--subnet", n, &e);
    assert_true((r < 0) == (e.msg != NULL));
    return e.msg;
}

static void test_parse_cidr(void **state)
{
    (void)state;
    struct net4 n;
    assert_null(cidr_err("10.90.0.0/16", &n));
    assert_int_equal(n.addr, 0x0a5a0000u);
    assert_int_equal(n.prefix, 16);
    assert_null(cidr_err("0.0.0.0/0", &n));
    assert_null(cidr_err("10.1.2.3/32", &n));
    char *m = cidr_err("10.90.0.1/16", &n);
    assert_string_equal(m, "--subnet: invalid subnet 10.90.0.1/16: it should be 10.90.0.0/16");
    free(m);
    static const char *const bad[] = {"10.90.0.0",    "10.90.0.0/", "10.90.0.0/33", "10.90.0.0/016",
                                      "10.90.0.0/1a", "10.90.0/16", "/16",          "10.90.0.0/-1"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        m = cidr_err(bad[i], &n);
        assert_non_null(strstr(m, "invalid CIDR block notation"));
        free(m);
    }
    char *t = net4_cidr_str((struct net4){0x0a5a0000u, 16});
    assert_string_equal(t, "10.90.0.0/16");
    free(t);
}

static void test_overlap(void **state)
{
    (void)state;
    struct net4 a = {ip("10.90.0.0"), 16}, b = {ip("10.90.128.0"), 17}, c = {ip("10.91.0.0"), 16};
    assert_true(net4_overlap(a, b));
    assert_true(net4_overlap(b, a));
    assert_false(net4_overlap(a, c));
    assert_true(net4_overlap((struct net4){0, 8}, (struct net4){ip("0.1.2.3"), 32}));
    assert_true(net4_overlap((struct net4){ip("10.0.0.0"), 8}, c));
    assert_true(net4_contains(a, ip("10.90.255.255")));
    assert_false(net4_contains(a, ip("10.91.0.0")));
    assert_int_equal(net4_broadcast(b), ip("10.90.255.255"));
    assert_int_equal(net4_mask(0), 0);
    assert_int_equal(net4_mask(32), 0xffffffffu);
    assert_int_equal(net4_mask(20), 0xfffff000u);
}

static void test_choose(void **state)
{
    (void)state;
    struct net4 out;
    assert_int_equal(net4_choose(NULL, 0, &out), 0);
    assert_int_equal(out.addr, ip("10.90.0.0"));
    assert_int_equal(out.prefix, 16);
    /* a /24 inside 10.90, all of 10.91 by a route, 10.92.7.7 an address */
    struct net4_used used[] = {{{ip("10.90.3.0"), 24}, "network a"},
                               {{ip("10.91.0.0"), 16}, "route"},
                               {{ip("10.92.7.7"), 32}, "address"}};
    assert_int_equal(net4_choose(used, 3, &out), 0);
    assert_int_equal(out.addr, ip("10.93.0.0"));
    assert_string_equal(net4_overlapping((struct net4){ip("10.91.4.0"), 24}, used, 3)->what,
                        "route");
    assert_null(net4_overlapping((struct net4){ip("10.94.0.0"), 16}, used, 3));
    /* 10.0.0.0/8 covers the whole pool: nothing left */
    struct net4_used all = {{ip("10.0.0.0"), 8}, "route"};
    assert_int_equal(net4_choose(&all, 1, &out), -1);
    /* 10.64.0.0/10 covers 10.64 .. 10.127 */
    struct net4_used big = {{ip("10.64.0.0"), 10}, "route"};
    assert_int_equal(net4_choose(&big, 1, &out), -1);
    struct net4_used low = {{ip("10.64.0.0"), 11}, "route"}; /* 10.64 .. 10.95 */
    assert_int_equal(net4_choose(&low, 1, &out), 0);
    assert_int_equal(out.addr, ip("10.96.0.0"));
}

static void test_routes(void **state)
{
    (void)state;
    const char *text =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        "wg0\t00005A0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
        "bad\t0000\n"
        "odd\t000200C0\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0\n";
    struct net4_used *used = NULL;
    size_t n = 0;
    net4_routes_parse(text, &used, &n);
    assert_int_equal(n, 2);
    assert_int_equal(used[0].net.addr, ip("192.0.2.0"));
    assert_int_equal(used[0].net.prefix, 24);
    assert_string_equal(used[0].what, "the host's route on eth0");
    assert_int_equal(used[1].net.addr, ip("10.90.0.0"));
    assert_int_equal(used[1].net.prefix, 16);
    struct net4 out;
    assert_int_equal(net4_choose(used, n, &out), 0);
    assert_int_equal(out.addr, ip("10.91.0.0"));
    net4_used_free(used, n);
}

/* the address net4_pick chooses, or the error */
static char *pick(const char *subnet, const char *gw, const uint32_t *taken, size_t n,
                  const char *want, uint32_t *out)
{
    struct net4 sn;
    merr_t e = MERR_INIT;
    assert_null(cidr_err(subnet, &sn));
    int r = net4_pick(sn, ip(gw), taken, n, want ? ip(want) : 0, out, &e);
    assert_true((r < 0) == (e.msg != NULL));
    return e.msg;
}

static void test_pick(void **state)
{
    (void)state;
    uint32_t a;
    assert_null(pick("10.90.0.0/16", "10.90.0.1", NULL, 0, NULL, &a));
    assert_int_equal(a, ip("10.90.0.2"));
    /* the lowest free, whatever the order of taken */
    uint32_t taken[] = {ip("10.90.0.4"), ip("10.90.0.2"), ip("10.90.0.3"), ip("10.90.0.6")};
    assert_null(pick("10.90.0.0/16", "10.90.0.1", taken, 4, NULL, &a));
    assert_int_equal(a, ip("10.90.0.5"));
    /* a gateway elsewhere: the first address is a host's too */
    assert_null(pick("10.90.0.0/24", "10.90.0.254", NULL, 0, NULL, &a));
    assert_int_equal(a, ip("10.90.0.1"));
    /* --ip: free and inside */
    assert_null(pick("10.90.0.0/16", "10.90.0.1", taken, 4, "10.90.9.9", &a));
    assert_int_equal(a, ip("10.90.9.9"));
    static const char *const refused[] = {"10.90.0.2", "10.90.0.1", "10.90.0.0", "10.90.255.255",
                                          "10.91.0.2"};
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        char *m = pick("10.90.0.0/16", "10.90.0.1", taken, 4, refused[i], &a);
        assert_non_null(m);
        assert_non_null(strstr(m, refused[i]));
        free(m);
    }
    /* a /30 has two hosts: the gateway and one more */
    uint32_t one = ip("10.90.0.2");
    char *m = pick("10.90.0.0/30", "10.90.0.1", &one, 1, NULL, &a);
    assert_non_null(strstr(m, "no address left in the network's subnet 10.90.0.0/30"));
    free(m);
}

/* --- the IPAM table on a store ---------------------------------------- */

static char *root;

/* a container record, or none (rm) */
static void fake_ctr(struct store *s, const char *id, bool present)
{
    cleanup_free char *dir = xasprintf("containers/%s", id);
    cleanup_free char *rec = xasprintf("containers/%s/container.json", id);
    if (!present) {
        assert_int_equal(unlinkat(s->fd, rec, 0), 0);
        return;
    }
    mkdirat(s->fd, dir, 0700);
    cleanup_close int fd = openat(s->fd, rec, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
}

static char *alloc(struct store *s, const struct network *n, const char *cid, const char *want)
{
    char *got = NULL;
    merr_t e = MERR_INIT;
    int r = network_ip_alloc(s, n, cid, want, &got, &e);
    if (r < 0) {
        char *m = xasprintf("error: %s", e.msg);
        err_clear(&e);
        return m;
    }
    return got;
}

/* a container id: 64 times digit d */
static const char *cid(char d)
{
    static char ids[10][65];
    memset(ids[d - '0'], d, 64);
    return ids[d - '0'];
}

static void expect_alloc(struct store *s, const struct network *n, const char *cid,
                         const char *want, const char *expect)
{
    char *got = alloc(s, n, cid, want);
    if (strncmp(expect, "error: ", 7) == 0)
        assert_non_null(strstr(got, expect + 7));
    else
        assert_string_equal(got, expect);
    free(got);
}

static void test_ipam(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char tmpl[] = "/tmp/moat-netaddr-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    root = xasprintf("%s/store", tmpl);
    struct store s;
    merr_t e = MERR_INIT;
    assert_int_equal(store_open(&s, root, &e), 0);
    struct net_create c = {.name = "t", .subnet = "10.120.0.0/29"};
    char *id = network_create(&s, &c, &e);
    assert_non_null(id);
    struct network n;
    assert_int_equal(network_find(&s, "t", &n, &e), 0);
    const char *c1 = cid('1'), *c2 = cid('2'), *c3 = cid('3'), *c4 = cid('4'), *c5 = cid('5');
    fake_ctr(&s, c1, true);
    fake_ctr(&s, c2, true);
    fake_ctr(&s, c3, true);
    fake_ctr(&s, c4, true);
    fake_ctr(&s, c5, true);
    expect_alloc(&s, &n, c1, NULL, "10.120.0.2");
    expect_alloc(&s, &n, c2, NULL, "10.120.0.3");
    expect_alloc(&s, &n, c1, NULL, "10.120.0.2"); /* its own again */
    expect_alloc(&s, &n, c3, "10.120.0.3", "error: already in use");
    expect_alloc(&s, &n, c3, "10.120.0.7", "error: not a host address");
    expect_alloc(&s, &n, c3, "10.121.0.2", "error: not a host address");
    expect_alloc(&s, &n, c3, "10.120.0.6", "10.120.0.6");
    /* a container gone without releasing (kill -9): freed by the next */
    fake_ctr(&s, c2, false);
    expect_alloc(&s, &n, c4, NULL, "10.120.0.3");
    expect_alloc(&s, &n, c5, NULL, "10.120.0.4");
    expect_alloc(&s, &n, c5, "10.120.0.5", "10.120.0.5"); /* a second address */
    expect_alloc(&s, &n, "../x", NULL, "error: bad container id");
    fake_ctr(&s, c2, true);
    expect_alloc(&s, &n, c2, NULL, "error: no address left");
    assert_int_equal(network_ip_release(&s, &n, c5, &e), 0);
    expect_alloc(&s, &n, c2, NULL, "10.120.0.4");
    /* the table on disk: what is held, by whom */
    cleanup_free char *rel = xasprintf("networks/%s.ipam", id);
    cleanup_close int fd = openat(s.fd, rel, O_RDONLY | O_CLOEXEC);
    cleanup_free char *text = NULL;
    assert_int_equal(read_fd(fd, &text, NULL), 0);
    json_t *t = json_loads(text, 0, NULL);
    assert_int_equal(json_object_size(t), 4);
    assert_string_equal(json_string_value(json_object_get(t, "10.120.0.4")), c2);
    json_decref(t);
    /* rm takes the table with the record */
    char *name = NULL;
    assert_int_equal(network_remove(&s, "t", &name, &e), 0);
    assert_string_equal(name, "t");
    free(name);
    assert_int_equal(faccessat(s.fd, rel, F_OK, 0), -1);
    network_free(&n);
    free(id);
    store_close(&s);
    rm_rf_at(AT_FDCWD, tmpl);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_addr), cmocka_unit_test(test_parse_cidr),
        cmocka_unit_test(test_overlap),    cmocka_unit_test(test_choose),
        cmocka_unit_test(test_routes),     cmocka_unit_test(test_pick),
        cmocka_unit_test(test_ipam),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
