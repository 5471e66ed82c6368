/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include <json-c/json.h>

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

/* One of the above, or a renderer's own that wraps one of them in markup. */
typedef void (*MarkupEscape)(FILE *f, const char *s);

/* Writes s with escape, or an en dash when s is NULL or empty. */
void markup_or_dash(FILE *f, const char *s, MarkupEscape escape);

/* Writes the strings of the array arr with escape and sep (markup of the renderer's, written as
 * it is) between them; elements that are not strings are skipped. An en dash when there is no
 * string. */
void markup_join(FILE *f, json_object *arr, const char *sep, MarkupEscape escape);

/* Writes member of every element of the array arr with escape (which gets NULL where it is
 * missing) and sep between them. An en dash when arr is empty. */
void markup_join_member(FILE *f, json_object *arr, const char *member, const char *sep, MarkupEscape escape);
