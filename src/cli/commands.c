/* commands.c: the list of every command's flag table. */
#include "flags.h"

#include <stddef.h>

/* one a line (clang-format would pack them): merges stay simple */
/* clang-format off */
const struct cmd_flags *const cli_tables[] = {
    &start_flags,
    &attach_flags,
    &container_prune_flags,
    &stop_flags,
    &restart_flags,
    &kill_flags,
    &rm_flags,
    &wait_flags,
    &ps_flags,
    &logs_flags,
    &inspect_flags,
    &exec_flags,
    &top_flags,
    &stats_flags,
    &cp_flags,
    &images_flags,
    &tag_flags,
    &rmi_flags,
    &image_inspect_flags,
    &image_prune_flags,
    &load_flags,
    &save_flags,
    &import_flags,
    &pull_flags,
    &login_flags,
    &logout_flags,
    &run_flags,
    &create_flags,
    &vol_create_flags,
    &vol_ls_flags,
    &vol_inspect_flags,
    &vol_rm_flags,
    &vol_prune_flags,
    &rename_flags,
    &pause_flags,
    &unpause_flags,
    &version_flags,
    &info_flags,
    &system_df_flags,
    &system_prune_flags,
    &history_flags,
    &diff_flags,
    &events_flags,
    NULL,
};
/* clang-format on */
