/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

/* Escaping for the report renderers. Every string that comes from a node (package names,
 * versions, paths, finding details) is hostile: it may hold markup, quotes, control characters or
 * invalid UTF-8. These write s to f so that it can only ever be text. NULL writes nothing. */

/* HTML text and attribute values (quoted with "): & < > " ' become character references; control
 * characters other than tab and newline, and invalid UTF-8, become U+FFFD. Also right for SVG
 * inside HTML. */
void html_escape(FILE *f, const char *s);

/* Markdown inline text and table cells: markup characters (\ ` * _ [ ] < > | & ~ !) are
 * backslash-escaped, newlines and other control characters become spaces, invalid UTF-8 becomes
 * U+FFFD. */
void md_escape(FILE *f, const char *s);
