/* engine.h: the engine as a library: Docker's objects (containers,
 * images, volumes, events) and their verbs. The CLI (cli/) includes this
 * header only, and so will the API daemon: each verb is one function here,
 * on the store and Docker's shapes (the record and inspect JSON, HostConfig
 * under Docker's names), so a front end only parses and prints, or decodes
 * and encodes. tests/lint/check.sh keeps cli/ to this header. */
#ifndef MOAT_ENGINE_H
#define MOAT_ENGINE_H

#include "attach.h"
#include "attach_fd.h"
#include "cp_tar.h"
#include "ctr.h"
#include "ctr_commit.h"
#include "ctr_config.h"
#include "ctr_diff.h"
#include "ctr_exec.h"
#include "ctr_export.h"
#include "ctr_extras.h"
#include "ctr_inspect.h"
#include "ctr_list.h"
#include "ctr_ports.h"
#include "ctr_logs.h"
#include "ctr_rec.h"
#include "ctr_state.h"
#include "ctr_top.h"
#include "ctr_update.h"
#include "ctr_verbs.h"
#include "events.h"
#include "image_filter.h"
#include "image_info.h"
#include "image_list.h"
#include "image_rm.h"
#include "imgio.h"
#include "logfile.h"
#include "monitor.h"
#include "network.h"
#include "prune.h"
#include "pull.h"
#include "restart.h"
#include "run_check.h"
#include "rwlayer.h"
#include "stats.h"
#include "store.h"
#include "sysdf.h"
#include "sysinfo.h"
#include "volume.h"

#endif
