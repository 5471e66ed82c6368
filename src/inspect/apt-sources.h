/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/string-util.h"

/* APT data sources, sources.list(5), in both formats:
 *
 * one-line (/etc/apt/sources.list, /etc/apt/sources.list.d/NAME.list):
 *   deb http://azure.archive.ubuntu.com/ubuntu/ jammy main restricted
 *   deb [arch=amd64,arm64,armhf] https://packages.microsoft.com/ubuntu/22.04/prod jammy main
 *   deb [ signed-by=/etc/apt/keyrings/nvidia.gpg ] https://developer.download.nvidia.com/... /
 *
 * deb822 (/etc/apt/sources.list.d/NAME.sources, such as Ubuntu 24.04's ubuntu.sources):
 *   Types: deb
 *   URIs: http://azure.archive.ubuntu.com/ubuntu/
 *   Suites: noble noble-updates noble-backports
 *   Components: main restricted universe multiverse
 *   Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
 *
 * A deb822 stanza stands for every (type, URI, suite) it combines; each becomes one AptSource.
 * Options keep the one-line names (deb822 "Architectures" is "arch", "Signed-By" "signed-by").
 * Credentials in a URI ("https://user:secret@host/") are removed before anything is stored. */

typedef enum AptSourceFormat {
        APT_SOURCE_ONE_LINE,
        APT_SOURCE_DEB822,
        _APT_SOURCE_FORMAT_MAX,
        _APT_SOURCE_FORMAT_INVALID = -EINVAL,
} AptSourceFormat;

DECLARE_STRING_TABLE_LOOKUP(apt_source_format, AptSourceFormat);

typedef enum AptOrigin {
        APT_ORIGIN_UBUNTU,
        APT_ORIGIN_DEBIAN,
        APT_ORIGIN_MICROSOFT,
        APT_ORIGIN_PPA,
        APT_ORIGIN_THIRD_PARTY,
        _APT_ORIGIN_MAX,
        _APT_ORIGIN_INVALID = -EINVAL,
} AptOrigin;

DECLARE_STRING_TABLE_LOOKUP(apt_origin, AptOrigin);

/* Bounds against hostile files; real entries have a handful of each. */
#define APT_SOURCE_WORDS_MAX     64u  /* components or options of one entry, values of one field */
#define APT_SOURCE_EXPANSION_MAX 256u /* (type, URI, suite) combinations of one deb822 stanza */

typedef struct AptSource {
        size_t line; /* 1-based: the line, or the first line of the deb822 stanza */
        AptSourceFormat format;
        char *type; /* "deb" or "deb-src" */
        char *uri;  /* as written, credentials removed */
        bool uri_had_credentials;
        char *suite;
        char **components; /* strv, never NULL */
        char **options;    /* strv of "name=value", never NULL */
        bool enabled;      /* deb822 "Enabled: no" gives false */
} AptSource;

typedef struct AptSourceList {
        AptSource *items;
        size_t n, alloc;
        size_t n_invalid;          /* lines or stanzas skipped */
        size_t first_invalid_line; /* 1-based, 0 if none */
} AptSourceList;

/* Append the entries of one file to l. Returns 0 or -ENOMEM. */
int apt_sources_parse_one_line(const char *buf, size_t size, AptSourceList *l);
int apt_sources_parse_deb822(const char *buf, size_t size, AptSourceList *l);
void apt_source_list_done(AptSourceList *l);

/* Copies the n bytes of uri without "user:password@". Returns NULL on OOM. */
char *apt_uri_strip_credentials(const char *uri, size_t n, bool *ret_had);

/* Classifies a URI by its host (archive.ubuntu.com, *.archive.ubuntu.com, ..., deb.debian.org,
 * packages.microsoft.com, ppa.launchpadcontent.net, anything else). */
AptOrigin apt_uri_origin(const char *uri);
