/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* The translators of the plan's "translate" actions that change a file's content, by the
 * translation's rule key. Pure text in, text out; carry-config reads and writes the files.
 *   chrony.translated       the source's chrony.conf with the Hyper-V clock, key and drift file
 *                           named as on Azure Linux (refclock PHC /dev/ptp0 -> /dev/ptp_hyperv,
 *                           /etc/chrony/chrony.keys -> /etc/chrony.keys,
 *                           /var/lib/chrony/chrony.drift -> /var/lib/chrony/drift)
 *   kernel.cmdline.written  the TARGET's /etc/default/grub (empty when it has none) with
 *                           GRUB_CMDLINE_LINUX set to the translation's value (the carried
 *                           parameters); -EINVAL for a value that is not plain parameters
 * Other translate rules move or rename a file without changing it (carried as they are). */

/* What a translator reads: the source's file or the target's. */
typedef enum TranslateInput {
        TRANSLATE_NONE, /* no translator: the file is carried as it is */
        TRANSLATE_SOURCE,
        TRANSLATE_TARGET,
} TranslateInput;

TranslateInput translate_input(const char *rule);

/* Translates text (size bytes; NULL for a target file that does not exist) by rule. Returns 0
 * and the new text (NUL-terminated, caller frees), -ENOENT for a rule without a translator, or
 * -EINVAL / -ENOMEM. */
int translate_text(const char *rule, const char *value, const char *text, size_t size, char **ret);
