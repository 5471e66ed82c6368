/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "shared/macro.h"

/* systemd unit names, as systemd.unit(5) defines them: "prefix[@instance].suffix", the prefix
 * and instance of the characters [a-zA-Z0-9:_.\-], the suffix one of the unit types, at most 255
 * bytes. "getty@.service" is a template, "getty@tty1.service" an instance of it. */

#define UNIT_NAME_MAX 255u

bool unit_name_is_valid(const char *name) _pure_;

/* For an instance ("getty@tty1.service") returns 1 and its template ("getty@.service", caller
 * frees); for any other name returns 0. -ENOMEM on OOM. */
int unit_name_template(const char *name, char **ret);

/* What an entry of /etc/systemd/system names. */
typedef enum UnitDirKind {
        UNIT_DIR_WANTS,    /* "multi-user.target.wants": units the owner wants */
        UNIT_DIR_REQUIRES, /* "kubelet.service.requires": units the owner requires */
        UNIT_DIR_DROPINS,  /* "containerd.service.d": drop-ins of the owner */
        _UNIT_DIR_KIND_MAX,
        _UNIT_DIR_KIND_INVALID = -EINVAL,
} UnitDirKind;

/* Classifies a directory name of /etc/systemd/system. Returns the kind and, in ret_owner, the
 * unit it belongs to (caller frees); -EINVAL when the name is none of these forms or the owner
 * is not a valid unit name; -ENOMEM. */
int unit_dir_classify(const char *name, char **ret_owner);
