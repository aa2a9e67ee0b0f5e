/* cmd_network.c: networks (the store's networks/ID.json): network
 * create, ls, inspect, rm, prune, with Docker's flags and output; reload
 * (moat's own). */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "../engine/engine.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_QUIET = 1,
    F_FORCE,
    F_FORMAT,
    F_DRIVER,
    F_LABEL,
    F_OPT,
    F_FILTER,
    F_NOTRUNC,
    F_SUBNET,
    F_GATEWAY,
    F_INTERNAL,
    F_IPV6,
    F_ATTACHABLE,
    F_IPAM_DRIVER,
    F_VERBOSE,
    F_ALIAS,
    F_IP,
    F_IP6,
    F_LINK,
    F_DRIVER_OPT,
    F_LINK_LOCAL,
};

struct nflags {
    bool quiet, force, no_trunc, internal, ipv6, attachable, verbose;
    const char *format, *driver, *ipam_driver;
    char **labels, **opts, **filters, **subnets, **gateways;
    char **aliases; /* connect */
    const char *ip;
};

static int on_flag(struct flags_it *it, int f, void *ctx)
{
    struct nflags *v = ctx;
    bool *sw[] = {
        [F_QUIET] = &v->quiet,       [F_FORCE] = &v->force, [F_NOTRUNC] = &v->no_trunc,
        [F_INTERNAL] = &v->internal, [F_IPV6] = &v->ipv6,   [F_ATTACHABLE] = &v->attachable,
        [F_VERBOSE] = &v->verbose};
    char ***lists[] = {[F_LABEL] = &v->labels,
                       [F_OPT] = &v->opts,
                       [F_FILTER] = &v->filters,
                       [F_SUBNET] = &v->subnets,
                       [F_GATEWAY] = &v->gateways};
    if (f < (int)ARRAY_SIZE(sw) && sw[f])
        *sw[f] = flags_bool(it);
    else if (f < (int)ARRAY_SIZE(lists) && lists[f])
        strv_push(lists[f], it->val);
    else if (f == F_FORMAT)
        v->format = it->val;
    else if (f == F_DRIVER)
        v->driver = it->val;
    else if (f == F_IPAM_DRIVER)
        v->ipam_driver = it->val;
    else if (f == F_ALIAS)
        strv_push(&v->aliases, it->val);
    else if (f == F_IP)
        v->ip = it->val;
    else if (f == F_IP6 || f == F_LINK || f == F_DRIVER_OPT || f == F_LINK_LOCAL)
        return flags_error(it, "%s: not supported by moat's networks yet", it->seen);
    return 0;
}

const struct cmd_flags net_create_flags = {
    "network create",
    "[OPTIONS] NETWORK",
    "Create a network",
    (const struct flag[]){
        {"attachable", 0, NULL, "Enable manual container attachment", F_ATTACHABLE},
        {"driver", 'd', "string", "Driver to manage the Network (bridge)", F_DRIVER},
        {"gateway", 0, "strings", "IPv4 Gateway for the master subnet", F_GATEWAY},
        {"internal", 0, NULL, "Restrict external access to the network", F_INTERNAL},
        {"ipam-driver", 0, "string", "IP Address Management Driver (default)", F_IPAM_DRIVER},
        {"ipv6", 0, NULL, "Enable IPv6 networking (not supported yet)", F_IPV6},
        {"label", 0, "list", "Set metadata on a network", F_LABEL},
        {"opt", 'o', "map",
         "Set driver specific options (com.docker.network.bridge.enable_icc, "
         "com.docker.network.driver.mtu, com.docker.network.bridge.enable_ip_masquerade, "
         "run.moat.network.host_access)",
         F_OPT},
        {"subnet", 0, "strings", "Subnet in CIDR format that represents a network segment",
         F_SUBNET},
        {0},
    },
    true,
    1,
    1};

static void create_args(struct flags_it *it, const struct nflags *v, struct net_create *c)
{
    *c = (struct net_create){.name = it->args[0],
                             .driver = v->driver,
                             .subnet = v->subnets ? v->subnets[0] : NULL,
                             .gateway = v->gateways ? v->gateways[0] : NULL,
                             .ipam_driver = v->ipam_driver,
                             .internal = v->internal,
                             .ipv6 = v->ipv6,
                             .attachable = v->attachable,
                             .opts = v->opts,
                             .labels = v->labels};
}

static int net_create_check(struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    merr_t err = MERR_INIT;
    struct net_create c;
    create_args(it, v, &c);
    if (strv_len(v->subnets) > 1 || strv_len(v->gateways) > 1)
        err_set(&err, 0, "moat takes one --subnet and one --gateway per network");
    else
        network_create_check(&c, &err);
    if (err.msg)
        return cli_fail(&err);
    return FLAGS_DONE;
}

static int net_create(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    merr_t err = MERR_INIT;
    struct net_create c;
    create_args(it, v, &c);
    char *id = network_create(s, &c, &err);
    if (!id)
        return cli_fail(&err);
    printf("%s\n", id);
    free(id);
    return 0;
}

const struct cmd_flags net_ls_flags = {
    "network ls",
    "[OPTIONS]",
    "List networks",
    (const struct flag[]){
        {"filter", 'f', "filter",
         "Provide filter values (dangling, driver, id, label, name, scope, type)", F_FILTER},
        {"format", 0, "string", "Format output using a template ('table', 'json' or a Go template)",
         F_FORMAT},
        {"no-trunc", 0, NULL, "Do not truncate the output", F_NOTRUNC},
        {"quiet", 'q', NULL, "Only display network IDs", F_QUIET},
        {0},
    },
    true,
    0,
    0};

static int net_ls_check(struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    (void)it;
    merr_t err = MERR_INIT;
    json_t *f = network_list_filters(v->filters, &err);
    if (!f)
        return cli_fail(&err), EXIT_ENGINE;
    json_decref(f);
    return FLAGS_DONE;
}

/* "k=v,k2=v2" */
static char *labels_text(json_t *labels)
{
    struct sbuf b = {0};
    const char *k;
    json_t *val;
    json_object_foreach(labels, k, val)
    {
        sbuf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(val) ?: "");
    }
    return b.buf ? b.buf : xstrdup("");
}

/* a row of Docker's `network ls` */
static json_t *ls_row(json_t *n, bool no_trunc)
{
    const char *id = json_string_value(json_object_get(n, "Id")) ?: "";
    cleanup_free char *labels = labels_text(json_object_get(n, "Labels"));
    return json_pack("{s:s#,s:O,s:O,s:O,s:s,s:s,s:s,s:O}", "ID", id,
                     no_trunc ? strlen(id) : strnlen(id, 12), "Name", json_object_get(n, "Name"),
                     "Driver", json_object_get(n, "Driver"), "Scope", json_object_get(n, "Scope"),
                     "IPv6", json_is_true(json_object_get(n, "EnableIPv6")) ? "true" : "false",
                     "Internal", json_is_true(json_object_get(n, "Internal")) ? "true" : "false",
                     "Labels", labels, "CreatedAt", json_object_get(n, "Created"));
}

static int net_ls(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    (void)it;
    merr_t err = MERR_INIT;
    json_t *nets = network_list(s, v->filters, &err);
    if (!nets)
        return cli_fail(&err), EXIT_ENGINE;
    json_t *rows = json_array(), *n;
    size_t i;
    json_array_foreach(nets, i, n)
    {
        json_array_append_new(rows, ls_row(n, v->no_trunc));
    }
    json_t *headers =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", "NETWORK ID", "Name", "NAME", "Driver",
                  "DRIVER", "Scope", "SCOPE", "IPv6", "IPV6", "Internal", "INTERNAL", "Labels",
                  "LABELS", "CreatedAt", "CREATED AT");
    int ret =
        table_print(rows, v->quiet ? NULL : v->format, headers,
                    v->quiet ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}");
    json_decref(headers);
    json_decref(rows);
    json_decref(nets);
    return ret;
}

const struct cmd_flags net_inspect_flags = {
    "network inspect",
    "[OPTIONS] NETWORK [NETWORK...]",
    "Display detailed information on one or more networks",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a Go template, or 'json'", F_FORMAT},
        {"verbose", 'v', NULL, "Verbose output for diagnostics (the same output here)", F_VERBOSE},
        {0},
    },
    true,
    1,
    -1};

static int net_inspect(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    return cli_inspect_each(s, it->args, it->nargs, network_inspect, v->format);
}

const struct cmd_flags net_rm_flags = {
    "network rm",
    "[OPTIONS] NETWORK [NETWORK...]",
    "Remove one or more networks",
    (const struct flag[]){
        {"force", 'f', NULL, "Do not error if the network does not exist", F_FORCE},
        {0},
    },
    true,
    1,
    -1};

static int net_rm(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    int ret = 0;
    for (size_t i = 0; i < it->nargs; i++) {
        merr_t err = MERR_INIT;
        char *name = NULL;
        if (network_remove(s, it->args[i], &name, &err) == 0)
            printf("%s\n", it->args[i]);
        else if (v->force && err.msg && strstr(err.msg, " not found"))
            err_clear(&err);
        else
            ret = cli_fail(&err);
        free(name);
    }
    return ret;
}

const struct cmd_flags net_connect_flags = {
    "network connect",
    "[OPTIONS] NETWORK CONTAINER",
    "Connect a container to a network",
    (const struct flag[]){
        {"alias", 0, "strings", "Add network-scoped alias for the container", F_ALIAS},
        {"driver-opt", 0, "strings", "driver options for the network (none in moat)", F_DRIVER_OPT},
        {"ip", 0, "string", "IPv4 address (e.g., 10.90.0.10)", F_IP},
        {"ip6", 0, "string", "IPv6 address (moat has no IPv6 networks yet)", F_IP6},
        {"link", 0, "list", "Add link to another container (not supported yet)", F_LINK},
        {"link-local-ip", 0, "strings", "Add a link-local address (not supported)", F_LINK_LOCAL},
        {0},
    },
    true,
    2,
    2};

static int net_connect(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    merr_t err = MERR_INIT;
    json_t *ep = json_object();
    if (v->aliases) {
        json_t *a = json_array();
        for (size_t i = 0; v->aliases[i]; i++)
            json_array_append_new(a, json_string(v->aliases[i]));
        json_object_set_new(ep, "Aliases", a);
    }
    if (v->ip)
        json_object_set_new(ep, "IPAMConfig", json_pack("{s:s}", "IPv4Address", v->ip));
    int r = network_connect(s, it->args[0], it->args[1], ep, &err);
    json_decref(ep);
    return r < 0 ? cli_fail(&err) : 0;
}

const struct cmd_flags net_disconnect_flags = {
    "network disconnect",
    "[OPTIONS] NETWORK CONTAINER",
    "Disconnect a container from a network",
    (const struct flag[]){
        {"force", 'f', NULL, "Force the container to disconnect from a network", F_FORCE},
        {0},
    },
    true,
    2,
    2};

static int net_disconnect(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    merr_t err = MERR_INIT;
    return network_disconnect(s, it->args[0], it->args[1], v->force, &err) < 0 ? cli_fail(&err) : 0;
}

const struct cmd_flags net_prune_flags = {
    "network prune",
    "[OPTIONS]",
    "Remove all unused networks",
    (const struct flag[]){
        {"filter", 0, "filter", "Provide filter values (e.g. \"until=<timestamp>\")", F_FILTER},
        {"force", 'f', NULL, "Do not prompt for confirmation", F_FORCE},
        {0},
    },
    true,
    0,
    0};

static int net_prune_check(struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    (void)it;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    if (prune_filter_parse(v->filters, PRUNE_NETWORKS, false, &pf, &err) < 0)
        return cli_fail(&err), EXIT_ENGINE;
    prune_filter_free(&pf);
    /* asked before the store is opened */
    if (!v->force && !flags_confirm("WARNING! This will remove all custom networks not used by at "
                                    "least one container."))
        return 0;
    return FLAGS_DONE;
}

static int net_prune(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    (void)it;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    if (prune_filter_parse(v->filters, PRUNE_NETWORKS, false, &pf, &err) < 0)
        return cli_fail(&err), EXIT_ENGINE;
    json_t *deleted = json_array();
    network_prune(s, &pf, deleted);
    prune_filter_free(&pf);
    /* Docker's: nothing when nothing was removed, else the names and a
     * blank line */
    if (json_array_size(deleted)) {
        printf("Deleted Networks:\n");
        size_t i;
        json_t *n;
        json_array_foreach(deleted, i, n)
        {
            printf("%s\n", json_string_value(n));
        }
        printf("\n");
    }
    json_decref(deleted);
    return 0;
}

const struct cmd_flags net_reload_flags = {
    "network reload",
    "",
    "Apply moat's firewall rules again, whole (after an nft flush ruleset)",
    (const struct flag[]){
        {0},
    },
    true,
    0,
    0};

static int net_reload(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct nflags *v = ctx;
    (void)it, (void)v;
    merr_t err = MERR_INIT;
    return network_reload(s, &err) < 0 ? cli_fail(&err) : 0;
}

static const struct cli_sub subs[] = {
    {"connect", NULL, &net_connect_flags, net_connect, NULL},
    {"create", NULL, &net_create_flags, net_create, net_create_check},
    {"disconnect", NULL, &net_disconnect_flags, net_disconnect, NULL},
    {"inspect", NULL, &net_inspect_flags, net_inspect, NULL},
    {"ls", "list", &net_ls_flags, net_ls, net_ls_check},
    {"prune", NULL, &net_prune_flags, net_prune, net_prune_check},
    {"reload", NULL, &net_reload_flags, net_reload, NULL},
    {"rm", "remove", &net_rm_flags, net_rm, NULL},
};

int engine_network(const struct global *g, int argc, char **argv)
{
    struct nflags v = {0};
    int r =
        cli_group(g, "network", "Manage networks", subs, ARRAY_SIZE(subs), argc, argv, on_flag, &v);
    strv_free(v.labels);
    strv_free(v.opts);
    strv_free(v.filters);
    strv_free(v.aliases);
    strv_free(v.subnets);
    strv_free(v.gateways);
    return r;
}
