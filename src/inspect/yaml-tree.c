/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "yaml-tree.h"

typedef struct Frame {
        json_object *node; /* the object or array being built */
        char *key;         /* in a mapping: the key read, its value pending */
        char *anchor;      /* to register when the container is complete */
        size_t start;      /* nodes counted before this container */
        unsigned height;   /* largest height of a child so far */
} Frame;

/* A complete anchored node. Complete nodes are never changed by the loader, and every alias
 * is expanded by a deep copy, so the tree handed out shares nothing. */
typedef struct Anchor {
        char *name;
        json_object *node;
        size_t weight;   /* nodes it stands for, expansions inside it included */
        unsigned height; /* 0 for a scalar, 1 + the children's for a container */
} Anchor;

typedef struct Loader {
        Frame stack[YAML_TREE_DEPTH_MAX];
        size_t depth;
        Anchor anchors[YAML_TREE_ANCHORS_MAX];
        size_t n_anchors;
        size_t nodes, max_nodes;
        json_object *root;
        bool have_root;
        char *error;
} Loader;

static void loader_done(Loader *l)
{
        for (size_t i = 0; i < l->depth; i++) {
                json_object_put(l->stack[i].node);
                free(l->stack[i].key);
                free(l->stack[i].anchor);
        }
        for (size_t i = 0; i < l->n_anchors; i++) {
                free(l->anchors[i].name);
                json_object_put(l->anchors[i].node);
        }
        json_object_put(l->root);
        free(l->error);
}

static int loader_fail(Loader *l, const char *format, ...) _printf_(2, 3);
static int loader_fail(Loader *l, const char *format, ...)
{
        va_list ap;
        int r;

        free(l->error);
        va_start(ap, format);
        r = vasprintf(&l->error, format, ap);
        va_end(ap);
        if (r < 0) {
                l->error = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

static int loader_count(Loader *l, size_t n)
{
        if (n > l->max_nodes - l->nodes)
                return loader_fail(l, "more than %zu YAML nodes (aliases expanded)", l->max_nodes);
        l->nodes += n;
        return 0;
}

static const Anchor *anchor_find(const Loader *l, const char *name)
{
        for (size_t i = 0; i < l->n_anchors; i++)
                if (streq(l->anchors[i].name, name))
                        return &l->anchors[i];
        return NULL;
}

/* Takes a new reference to node. A name defined again replaces the earlier anchor (YAML 1.1). */
static int anchor_add(Loader *l, const char *name, json_object *node, size_t weight, unsigned height)
{
        Anchor *a = (Anchor *) anchor_find(l, name);

        if (!a) {
                if (l->n_anchors >= YAML_TREE_ANCHORS_MAX)
                        return loader_fail(l, "more than %u YAML anchors", YAML_TREE_ANCHORS_MAX);
                a = &l->anchors[l->n_anchors];
                a->name = strdup(name);
                if (!a->name)
                        return -ENOMEM;
                a->node = NULL;
                l->n_anchors++;
        }
        json_object_put(a->node);
        a->node = json_object_get(node);
        a->weight = weight;
        a->height = height;
        return 0;
}

/* Places a complete node (owned) where the parser is: the root, a sequence item, a mapping key
 * or a mapping value. */
static int loader_emit(Loader *l, json_object *v, unsigned height)
{
        Frame *f;

        if (l->depth == 0) {
                json_object_put(l->root);
                l->root = v;
                l->have_root = true;
                return 0;
        }
        f = &l->stack[l->depth - 1];
        f->height = MAX(f->height, height);
        if (json_object_is_type(f->node, json_type_array))
                return json_append(f->node, v);
        if (!f->key) {
                size_t n;

                if (!json_object_is_type(v, json_type_string)) {
                        json_object_put(v);
                        return loader_fail(l, "a mapping key is not a scalar");
                }
                n = (size_t) json_object_get_string_len(v);
                if (n > YAML_TREE_KEY_MAX) {
                        json_object_put(v);
                        return loader_fail(l, "a mapping key is longer than %u bytes", YAML_TREE_KEY_MAX);
                }
                /* json_new_str_n() already replaced NUL bytes and invalid UTF-8. */
                f->key = strndup(json_object_get_string(v), n);
                json_object_put(v);
                return f->key ? 0 : -ENOMEM;
        }
        {
                int r = json_add(f->node, f->key, v);
                f->key = mfree(f->key);
                return r;
        }
}

static int loader_open(Loader *l, bool mapping, const yaml_char_t *anchor)
{
        Frame *f;
        int r;

        if (l->depth >= YAML_TREE_DEPTH_MAX)
                return loader_fail(l, "YAML nesting deeper than %u levels", YAML_TREE_DEPTH_MAX);
        r = loader_count(l, 1);
        if (r < 0)
                return r;
        f = &l->stack[l->depth];
        *f = (Frame){ .start = l->nodes - 1 };
        f->node = mapping ? json_object_new_object() : json_object_new_array();
        if (!f->node)
                return -ENOMEM;
        if (anchor) {
                f->anchor = strdup((const char *) anchor);
                if (!f->anchor) {
                        json_object_put(f->node);
                        return -ENOMEM;
                }
        }
        l->depth++;
        return 0;
}

static int loader_close(Loader *l)
{
        Frame f = l->stack[--l->depth];
        unsigned height = f.height + 1;
        int r = 0;

        free(f.key); /* never set at a well-formed end of a mapping */
        if (f.anchor)
                r = anchor_add(l, f.anchor, f.node, l->nodes - f.start, height);
        free(f.anchor);
        if (r < 0) {
                json_object_put(f.node);
                return r;
        }
        return loader_emit(l, f.node, height);
}

static int loader_alias(Loader *l, const char *name)
{
        const Anchor *a = anchor_find(l, name);
        json_object *copy = NULL;
        int r;

        /* An alias of a container still open (a recursive structure) finds nothing here either:
         * anchors are registered only when complete. */
        if (!a)
                return loader_fail(l, "alias '*%.64s' refers to no complete anchor", name);
        r = loader_count(l, a->weight);
        if (r < 0)
                return r;
        if (l->depth + a->height > YAML_TREE_DEPTH_MAX)
                return loader_fail(l, "alias '*%.64s' nests deeper than %u levels", name,
                                   YAML_TREE_DEPTH_MAX);
        if (json_object_deep_copy(a->node, &copy, NULL) < 0)
                return -ENOMEM;
        return loader_emit(l, copy, a->height);
}

/* Returns 1 at the end of the first document, 0 to go on, <0 on error. */
static int loader_event(Loader *l, const yaml_event_t *ev)
{
        int r;

        switch (ev->type) {
        case YAML_SCALAR_EVENT: {
                json_object *v;

                r = loader_count(l, 1);
                if (r < 0)
                        return r;
                v = json_new_str_n((const char *) ev->data.scalar.value, ev->data.scalar.length);
                if (!v)
                        return -ENOMEM;
                if (ev->data.scalar.anchor) {
                        r = anchor_add(l, (const char *) ev->data.scalar.anchor, v, 1, 0);
                        if (r < 0) {
                                json_object_put(v);
                                return r;
                        }
                }
                return loader_emit(l, v, 0);
        }
        case YAML_SEQUENCE_START_EVENT:
                return loader_open(l, false, ev->data.sequence_start.anchor);
        case YAML_MAPPING_START_EVENT:
                return loader_open(l, true, ev->data.mapping_start.anchor);
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                if (l->depth == 0)
                        return loader_fail(l, "unbalanced YAML events");
                return loader_close(l);
        case YAML_ALIAS_EVENT:
                return loader_alias(l, (const char *) ev->data.alias.anchor);
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
                return 1;
        default:
                return 0;
        }
}

static bool is_null_scalar(json_object *v)
{
        const char *s;

        if (!json_object_is_type(v, json_type_string))
                return false;
        s = json_object_get_string(v);
        return isempty(s) || streq(s, "~") || strcasecmp(s, "null") == 0;
}

int yaml_tree_load(const char *buf, size_t size, size_t *budget, json_object **ret, char **ret_error)
{
        Loader l = { .max_nodes = MIN(*budget, (size_t) YAML_TREE_NODES_MAX) };
        yaml_parser_t parser;
        int r = 0;

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) buf, size);
        for (;;) {
                yaml_event_t ev;

                if (!yaml_parser_parse(&parser, &ev)) {
                        if (parser.error == YAML_MEMORY_ERROR)
                                r = -ENOMEM;
                        else if (parser.error == YAML_READER_ERROR)
                                r = loader_fail(&l, "byte %zu: %s", parser.problem_offset,
                                                parser.problem ?: "unreadable input");
                        else
                                r = loader_fail(&l, "line %zu column %zu: %s%s%s",
                                                parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                                                parser.problem ?: "syntax error", parser.context ? " " : "",
                                                strempty(parser.context));
                        break;
                }
                r = loader_event(&l, &ev);
                yaml_event_delete(&ev);
                if (r != 0)
                        break;
        }
        yaml_parser_delete(&parser);

        *budget -= l.nodes;
        if (r < 0) {
                if (r == -EBADMSG && ret_error)
                        *ret_error = TAKE_PTR(l.error);
                loader_done(&l);
                return r;
        }
        if (!l.have_root || is_null_scalar(l.root)) {
                loader_done(&l);
                *ret = NULL;
                return 0;
        }
        *ret = TAKE_PTR(l.root);
        loader_done(&l);
        return 1;
}
