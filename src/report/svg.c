/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/target-image.h"
#include "shared/format-util.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "inventory-text.h"
#include "markup.h"
#include "svg.h"

#define WIDTH     800
#define MARGIN    20
#define BAR_WIDTH (WIDTH - 2 * MARGIN)
#define MIN_SEG   14 /* a partition is drawn at least this wide, however small */
#define SEGS_MAX  64
#define GAP_MIN   (2ull * 1024 * 1024) /* unpartitioned space smaller than this is not drawn */

#define GPT_ESP   "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define GPT_BIOS  "21686148-6449-6e6f-744e-656564454649"
#define GPT_SWAP  "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"

static const struct {
        const char *disposition;
        const char *colour;
} disposition_colours[] = {
        { "map", "#2b7bba" },         { "base", "#3f9b4f" },    { "drop", "#9a9a9a" },
        { "unavailable", "#e07b20" }, { "unknown", "#c0392b" },
};

const char *svg_disposition_colour(const char *disposition)
{
        for (size_t i = 0; i < ELEMENTSOF(disposition_colours); i++)
                if (streq_ptr(disposition, disposition_colours[i].disposition))
                        return disposition_colours[i].colour;
        return "#666666";
}

typedef struct Segment {
        uint64_t size;
        uint64_t used; /* 0: unknown */
        const char *colour;
        char label[32];     /* drawn inside the bar when it fits: a partition number, a mount point */
        json_object *part;  /* the source partition, or NULL */
        json_object *facts; /* the target partition, or NULL */
        double x, w;
} Segment;

/* Widths in proportion to sizes, none narrower than MIN_SEG; what the minimum adds is taken from
 * the widest segment. */
static void layout(Segment *s, size_t n)
{
        uint64_t total = 0;
        double sum = 0, x = MARGIN;
        size_t widest = 0;

        for (size_t i = 0; i < n; i++)
                total += s[i].size;
        for (size_t i = 0; i < n; i++) {
                s[i].w = total ? (double) BAR_WIDTH * (double) s[i].size / (double) total
                               : (double) BAR_WIDTH / n;
                if (s[i].w < MIN_SEG)
                        s[i].w = MIN_SEG;
                if (s[i].w > s[widest].w)
                        widest = i;
                sum += s[i].w;
        }
        if (sum > BAR_WIDTH && s[widest].w - (sum - BAR_WIDTH) >= MIN_SEG)
                s[widest].w -= sum - BAR_WIDTH;
        for (size_t i = 0; i < n; i++) {
                s[i].x = x;
                x += s[i].w;
        }
}

static const char *partition_colour(json_object *p)
{
        const char *type = json_get_str(p, "type"), *fs = json_get_str(json_get(p, "filesystem"), "type");

        if (streq_ptr(type, GPT_ESP) || streq_ptr(fs, "vfat"))
                return "#f0a030";
        if (streq_ptr(type, GPT_BIOS))
                return "#b8b8b8";
        if (streq_ptr(type, GPT_SWAP) || streq_ptr(fs, "swap"))
                return "#8e5ea2";
        if (fs)
                return "#3a7bd5";
        return "#16a085";
}

static int cmp_start(const void *a, const void *b)
{
        int64_t x = json_get_int(*(json_object *const *) a, "start", 0),
                y = json_get_int(*(json_object *const *) b, "start", 0);
        return (x > y) - (x < y);
}

static void bytes(FILE *f, uint64_t n)
{
        char buf[32];
        format_bytes(n, buf, sizeof(buf));
        fputs(buf, f);
}

static void draw_bar(FILE *f, const Segment *s, size_t n, int y, int h)
{
        for (size_t i = 0; i < n; i++) {
                fprintf(f,
                        "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                        "stroke=\"#fff\"/>\n",
                        s[i].x, y, s[i].w, h, s[i].colour);
                if (s[i].used > 0 && s[i].size > 0) {
                        double uw = s[i].w * (double) MIN(s[i].used, s[i].size) / (double) s[i].size;
                        fprintf(f,
                                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#000\" "
                                "fill-opacity=\"0.25\"/>\n",
                                s[i].x, y + h - 8, uw, 8);
                }
                if (s[i].label[0] && s[i].w >= 8.0 * (double) strlen(s[i].label) + 6) {
                        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"in\">", s[i].x + s[i].w / 2,
                                y + h / 2 + 4);
                        html_escape(f, s[i].label);
                        fputs("</text>\n", f);
                }
        }
}

/* One legend line per segment: swatch and text. Returns the y after the legend. */
static int draw_source_legend(FILE *f, json_object *node, const Segment *s, size_t n, int y)
{
        for (size_t i = 0; i < n; i++, y += 18) {
                json_object *p = s[i].part, *fs = json_get(p, "filesystem");
                const char *mp = p ? inventory_text_mountpoint(node, json_get_int(p, "number", -1)) : NULL;

                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", MARGIN,
                        y - 10, s[i].colour);
                fprintf(f, "<text x=\"%d\" y=\"%d\">", MARGIN + 18, y);
                if (!p)
                        fputs("unpartitioned", f);
                else {
                        fprintf(f, "%" PRId64 " · ", json_get_int(p, "number", 0));
                        html_escape(f, json_get_str(p, "type_name") ?: json_get_str(p, "type") ?: "unknown type");
                        if (fs) {
                                fputs(" · ", f);
                                html_escape(f, json_get_str(fs, "type") ?: "unknown filesystem");
                                if (!isempty(json_get_str(fs, "label"))) {
                                        fputs(" “", f);
                                        html_escape(f, json_get_str(fs, "label"));
                                        fputs("”", f);
                                }
                        }
                        if (mp) {
                                fputs(" · mounted at ", f);
                                html_escape(f, mp);
                        }
                }
                fputs(" · ", f);
                bytes(f, s[i].size);
                fputs("</text>\n", f);
        }
        return y;
}

static size_t source_segments(json_object *node, Segment *segs)
{
        json_object *disk = json_get(node, "disk"), *parts = json_get(disk, "partitions");
        json_object *sorted[SEGS_MAX];
        size_t n = json_array_len(parts), k = 0;
        uint64_t disk_size = (uint64_t) MAX(json_get_int(disk, "size", 0), 0), end = 0;

        n = MIN(n, (size_t) SEGS_MAX / 2 - 1); /* each partition may add a gap, plus one at the end */
        for (size_t i = 0; i < n; i++)
                sorted[i] = json_object_array_get_idx(parts, i);
        qsort(sorted, n, sizeof(sorted[0]), cmp_start);
        for (size_t i = 0; i < n; i++) {
                uint64_t start = (uint64_t) MAX(json_get_int(sorted[i], "start", 0), 0),
                         size = (uint64_t) MAX(json_get_int(sorted[i], "size", 0), 0);
                const char *mp = inventory_text_mountpoint(node, json_get_int(sorted[i], "number", -1));

                if (start > end && start - end >= GAP_MIN)
                        segs[k++] = (Segment){ .size = start - end, .colour = "#e8e8e8" };
                segs[k] =
                        (Segment){ .size = size, .colour = partition_colour(sorted[i]), .part = sorted[i] };
                snprintf(segs[k].label, sizeof(segs[k].label), "%s%s%" PRId64, mp ? mp : "", mp ? " (" : "",
                         json_get_int(sorted[i], "number", 0));
                if (mp)
                        strncat(segs[k].label, ")", sizeof(segs[k].label) - strlen(segs[k].label) - 1);
                k++;
                end = MAX(end, start + size);
        }
        if (disk_size > end && disk_size - end >= GAP_MIN && k > 0)
                segs[k++] = (Segment){ .size = disk_size - end, .colour = "#e8e8e8" };
        return k;
}

static size_t target_segments(json_object *image, Segment *segs)
{
        json_object *parts = json_get(image, "partitions");
        size_t n = json_array_len(parts), k = 0;

        for (size_t i = 0; i < n && k < SEGS_MAX; i++) {
                json_object *p = json_object_array_get_idx(parts, i);
                const char *mp = json_get_str(p, "mountpoint");
                uint64_t size, used;

                if (target_image_parse_size(json_get_str(p, "size"), &size) < 0)
                        continue;
                if (target_image_parse_size(json_get_str(p, "used"), &used) < 0)
                        used = 0;
                segs[k] = (Segment){ .size = size,
                                     .used = used,
                                     .facts = p,
                                     .colour = streq_ptr(mp, "/boot/efi") ? "#f0a030"
                                               : streq_ptr(mp, "/boot")   ? "#7fb3e0"
                                                                          : "#3a7bd5" };
                snprintf(segs[k].label, sizeof(segs[k].label), "%s", strempty(mp));
                k++;
        }
        return k;
}

void svg_disk_layout(FILE *f, json_object *node, json_object *target_image)
{
        Segment src[SEGS_MAX], dst[SEGS_MAX];
        json_object *disk = json_get(node, "disk");
        size_t ns = source_segments(node, src), nt = target_segments(target_image, dst);
        int height = 40 + 44 + 18 * (int) ns + (nt ? 40 + 44 + 18 * (int) nt : 0) + 10, y = 24;

        layout(src, ns);
        layout(dst, nt);
        fprintf(f,
                "<svg class=\"pic\" viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\" "
                "aria-labelledby=\"azlm-disk-title azlm-disk-desc\">\n",
                WIDTH, height, WIDTH);
        fputs("<title id=\"azlm-disk-title\">Disk layout</title>\n<desc id=\"azlm-disk-desc\">The source "
              "disk's "
              "partitions in proportion to their sizes",
              f);
        if (nt)
                fputs(", and the Azure Linux node image's partitions with their used space", f);
        fputs(". The tables list the same.</desc>\n", f);

        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"h\">Source disk: ", MARGIN, y);
        bytes(f, (uint64_t) MAX(json_get_int(disk, "size", 0), 0));
        fputs(", ", f);
        html_escape(f, json_get_str(disk, "label") ?: "no partition table");
        fprintf(f, ", %zu partition%s</text>\n", ns, ns == 1 ? "" : "s");
        y += 10;
        if (ns == 0) {
                fprintf(f,
                        "<text x=\"%d\" y=\"%d\">no partitions known (a mounted root or a whole-disk "
                        "filesystem)</text>\n",
                        MARGIN, y + 20);
        }
        draw_bar(f, src, ns, y, 34);
        y = draw_source_legend(f, node, src, ns, y + 34 + 20);

        if (nt) {
                y += 16;
                fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"h\">Azure Linux node image", MARGIN, y);
                if (json_get_str(target_image, "image")) {
                        fputs(" (", f);
                        html_escape(f, json_get_str(target_image, "image"));
                        fputs(")", f);
                }
                fputs("</text>\n", f);
                fprintf(f,
                        "<text x=\"%d\" y=\"%d\" class=\"small\">darker band: used when the image was "
                        "built; drawn to its own scale</text>\n",
                        MARGIN, y + 16);
                y += 26;
                draw_bar(f, dst, nt, y, 34);
                y += 34 + 20;
                for (size_t i = 0; i < nt; i++, y += 18) {
                        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                                MARGIN, y - 10, dst[i].colour);
                        fprintf(f, "<text x=\"%d\" y=\"%d\">", MARGIN + 18, y);
                        html_escape(f, json_get_str(dst[i].facts, "device"));
                        fputs(" · ", f);
                        html_escape(f, json_get_str(dst[i].facts, "mountpoint"));
                        fputs(" · ", f);
                        html_escape(f, json_get_str(dst[i].facts, "size"));
                        fputs(", ", f);
                        html_escape(f, json_get_str(dst[i].facts, "used"));
                        fputs(" used</text>\n", f);
                }
        }
        fputs("</svg>\n", f);
}

void svg_dispositions(FILE *f, json_object *counts)
{
        Segment s[ELEMENTSOF(disposition_colours)];
        int64_t total = 0;
        size_t n = 0;
        int x = MARGIN;

        for (size_t i = 0; i < ELEMENTSOF(disposition_colours); i++) {
                int64_t c = json_get_int(counts, disposition_colours[i].disposition, 0);
                if (c <= 0)
                        continue;
                s[n] = (Segment){ .size = (uint64_t) c, .colour = disposition_colours[i].colour };
                snprintf(s[n].label, sizeof(s[n].label), "%" PRId64, c);
                n++;
                total += c;
        }
        layout(s, n);
        fprintf(f,
                "<svg class=\"pic\" viewBox=\"0 0 %d 100\" width=\"%d\" role=\"img\" "
                "aria-labelledby=\"azlm-disp-title\">\n",
                WIDTH, WIDTH);
        fprintf(f, "<title id=\"azlm-disp-title\">Package dispositions: %" PRId64 " packages", total);
        for (size_t i = 0; i < ELEMENTSOF(disposition_colours); i++)
                fprintf(f, ", %" PRId64 " %s", json_get_int(counts, disposition_colours[i].disposition, 0),
                        disposition_colours[i].disposition);
        fputs("</title>\n", f);
        fprintf(f, "<text x=\"%d\" y=\"18\" class=\"h\">%" PRId64 " packages</text>\n", MARGIN, total);
        if (n == 0)
                fprintf(f, "<rect x=\"%d\" y=\"28\" width=\"%d\" height=\"30\" fill=\"#e8e8e8\"/>\n", MARGIN,
                        BAR_WIDTH);
        draw_bar(f, s, n, 28, 30);
        for (size_t i = 0; i < ELEMENTSOF(disposition_colours); i++) {
                fprintf(f, "<rect x=\"%d\" y=\"72\" width=\"12\" height=\"12\" fill=\"%s\"/>", x,
                        disposition_colours[i].colour);
                fprintf(f, "<text x=\"%d\" y=\"82\">%s %" PRId64 "</text>\n", x + 16,
                        disposition_colours[i].disposition,
                        json_get_int(counts, disposition_colours[i].disposition, 0));
                x += 150;
        }
        fputs("</svg>\n", f);
}

static json_object *checkpoint_by_id(json_object *checkpoints, const char *id)
{
        size_t n = json_array_len(checkpoints);

        for (size_t i = 0; id && i < n; i++) {
                json_object *c = json_object_array_get_idx(checkpoints, i);
                if (streq_ptr(json_get_str(c, "id"), id))
                        return c;
        }
        return NULL;
}

void svg_steps(FILE *f, json_object *steps, json_object *checkpoints)
{
        size_t n = json_array_len(steps), ncp = json_array_len(checkpoints);
        const int box_x = 230, box_w = 340, box_h = 42, pitch = 84, top = 44, cx = box_x + box_w / 2;
        int height = top + (int) (n ? n - 1 : 0) * pitch + box_h + 48;

        fprintf(f,
                "<svg class=\"pic\" viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\" "
                "aria-labelledby=\"azlm-steps-title azlm-steps-desc\">\n",
                WIDTH, height, WIDTH);
        fprintf(f, "<title id=\"azlm-steps-title\">The plan's %zu steps and %zu checkpoints</title>\n", n,
                ncp);
        fputs("<desc id=\"azlm-steps-desc\">Steps run top to bottom. Orange boxes change a disk, blue ones "
              "only "
              "read; a diamond is the checkpoint taken before a step, which rollback returns to.</desc>\n",
              f);
        fputs("<defs><marker id=\"azlm-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
              "markerWidth=\"7\" "
              "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
              "fill=\"#555\"/></marker></defs>\n",
              f);
        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(steps, i),
                            *cp = checkpoint_by_id(checkpoints, json_get_str(s, "checkpoint_before"));
                bool mutates = json_get_bool(s, "mutates", false);
                int y = top + (int) i * pitch, cy = y - (pitch - box_h) / 2;

                /* The connector from the step above, interrupted by this step's checkpoint. */
                if (i > 0 && cp)
                        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n", cx,
                                y - pitch + box_h, cx, cy - 9);
                if (i > 0)
                        fprintf(f,
                                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" "
                                "marker-end=\"url(#azlm-arrow)\"/>\n",
                                cx, cp ? cy + 9 : y - pitch + box_h, cx, y - 1);
                if (cp) {
                        fprintf(f,
                                "<path d=\"M%d,%d L%d,%d L%d,%d L%d,%d z\" fill=\"#ffd54f\" "
                                "stroke=\"#8a6d00\">"
                                "<title>",
                                cx, cy - 9, cx + 9, cy, cx, cy + 9, cx - 9, cy);
                        html_escape(f, json_get_str(cp, "description"));
                        fprintf(f, "</title></path>\n<text x=\"%d\" y=\"%d\" class=\"cp\">checkpoint ",
                                cx + 16, cy + 4);
                        html_escape(f, json_get_str(cp, "id"));
                        fputs(" (", f);
                        html_escape(f, json_get_str(cp, "kind"));
                        fputs(")</text>\n", f);
                }
                fprintf(f,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" "
                        "stroke=\"%s\">"
                        "<title>",
                        box_x, y, box_w, box_h, mutates ? "#fde3c8" : "#d6e6f7",
                        mutates ? "#c46210" : "#2b6cb0");
                html_escape(f, json_get_str(s, "description"));
                fputs("</title></rect>\n", f);
                fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"step\">%zu. ", box_x + 12, y + 18, i + 1);
                html_escape(f, json_get_str(s, "id"));
                fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" class=\"small\">", box_x + 12, y + 34);
                html_escape(f, json_get_str(s, "kind"));
                fputs(mutates ? " · changes a disk" : " · reads only", f);
                fputs("</text>\n", f);
        }
        /* The legend. */
        fprintf(f,
                "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" rx=\"2\" fill=\"#d6e6f7\" "
                "stroke=\"#2b6cb0\"/><text x=\"%d\" y=\"%d\" class=\"small\">reads only</text>\n",
                MARGIN, height - 22, MARGIN + 20, height - 12);
        fprintf(f,
                "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" rx=\"2\" fill=\"#fde3c8\" "
                "stroke=\"#c46210\"/><text x=\"%d\" y=\"%d\" class=\"small\">changes a disk</text>\n",
                MARGIN + 110, height - 22, MARGIN + 130, height - 12);
        fprintf(f,
                "<path d=\"M%d,%d l7,7 l-7,7 l-7,-7 z\" fill=\"#ffd54f\" stroke=\"#8a6d00\"/><text x=\"%d\" "
                "y=\"%d\" class=\"small\">checkpoint (rollback returns here)</text>\n",
                MARGIN + 250, height - 23, MARGIN + 262, height - 12);
        fputs("</svg>\n", f);
}
