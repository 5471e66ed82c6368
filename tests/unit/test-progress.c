/* SPDX-License-Identifier: MIT */
/* The progress sinks: NDJSON (one complete JSON object a line, the members each event type has)
 * and the terminal bar. */
#include "exec/progress.h"
#include "exec-test.h"
#include "shared/json-util.h"

static void test_ndjson(void)
{
        int p[2];
        ProgressNdjson sink;
        char buf[8192];
        ssize_t n;
        char *save = NULL, *line;
        json_object *o;
        int i = 0;

        ASSERT_TRUE(pipe(p) == 0);
        sink = (ProgressNdjson){ .fd = p[1] };
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_STEP_START,
                                          .step = "stage-target",
                                          .index = 3,
                                          .count = 8,
                                          .seconds = -1 },
                        &sink);
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_BYTES,
                                          .step = "stage-target",
                                          .done = 1536,
                                          .total = 3221225472ull,
                                          .seconds = -1 },
                        &sink);
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_CHECKPOINT,
                                          .step = "carry-config",
                                          .checkpoint = "cp-carry-config",
                                          .state = "created",
                                          .done = 196608,
                                          .seconds = 0.031 },
                        &sink);
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_FINDING,
                                          .step = "verify",
                                          .key = "exec.demo",
                                          .severity = "medium",
                                          .message = "say \"hi\"\n",
                                          .seconds = -1 },
                        &sink);
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_ERROR,
                                          .step = "swap-root",
                                          .error = -ENOSPC,
                                          .message = "No space left",
                                          .seconds = -1 },
                        &sink);
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_STEP_END,
                                          .step = "swap-root",
                                          .index = 5,
                                          .count = 8,
                                          .state = "failed",
                                          .message = "No space left",
                                          .seconds = 1.5 },
                        &sink);
        close(p[1]);
        ASSERT_EQ(sink.error, 0);
        n = read(p[0], buf, sizeof buf - 1);
        ASSERT_TRUE(n > 0);
        buf[n] = 0;
        close(p[0]);
        ASSERT_TRUE(buf[n - 1] == '\n');

        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
                o = json_tokener_parse(line);
                ASSERT_NOT_NULL(o);
                ASSERT_NOT_NULL(json_get_str(o, "time"));
                switch (i) {
                case 0:
                        ASSERT_STREQ(json_get_str(o, "event"), "step-start");
                        ASSERT_STREQ(json_get_str(o, "step"), "stage-target");
                        ASSERT_EQ(json_get_int(o, "index", -1), 3);
                        ASSERT_EQ(json_get_int(o, "count", -1), 8);
                        break;
                case 1:
                        ASSERT_STREQ(json_get_str(o, "event"), "bytes");
                        ASSERT_EQ(json_get_int(o, "bytes", -1), 1536);
                        ASSERT_EQ(json_get_int(o, "total", -1), 3221225472ll);
                        break;
                case 2:
                        ASSERT_STREQ(json_get_str(o, "event"), "checkpoint");
                        ASSERT_STREQ(json_get_str(o, "checkpoint"), "cp-carry-config");
                        ASSERT_STREQ(json_get_str(o, "state"), "created");
                        ASSERT_EQ(json_get_int(o, "bytes", -1), 196608);
                        ASSERT_TRUE(json_object_get_double(json_get(o, "seconds")) > 0.03);
                        break;
                case 3:
                        ASSERT_STREQ(json_get_str(o, "event"), "finding");
                        ASSERT_STREQ(json_get_str(o, "message"), "say \"hi\"\n");
                        ASSERT_STREQ(json_get_str(o, "severity"), "medium");
                        break;
                case 4:
                        ASSERT_STREQ(json_get_str(o, "event"), "error");
                        ASSERT_STREQ(json_get_str(o, "error"), "ENOSPC");
                        break;
                case 5:
                        ASSERT_STREQ(json_get_str(o, "event"), "step-end");
                        ASSERT_STREQ(json_get_str(o, "state"), "failed");
                        break;
                }
                json_object_put(o);
        }
        ASSERT_EQ(i, 6);

        /* a reader that went away: remembered, not fatal (and no SIGPIPE: ignored as the CLI does) */
        signal(SIGPIPE, SIG_IGN);
        ASSERT_TRUE(pipe(p) == 0);
        close(p[0]);
        sink = (ProgressNdjson){ .fd = p[1] };
        progress_ndjson(&(ProgressEvent){ .type = PROGRESS_STEP_START, .step = "x", .seconds = -1 }, &sink);
        ASSERT_EQ(sink.error, -EPIPE);
        close(p[1]);
}

static void test_bar(void)
{
        ProgressBar b = { .fd = -1, .width = 80 };
        char line[256];
        int p[2];
        char buf[4096];
        ssize_t n;

        snprintf(b.step, sizeof b.step, "stage-target");
        b.index = 3;
        b.count = 8;
        b.total = 4ull << 30;
        b.done = 1ull << 30;
        progress_bar_format(&b, line, sizeof line);
        ASSERT_STREQ(line, "[3/8] stage-target             [#####...............]  25%  1.0 GiB of 4.0 GiB");
        b.width = 40;
        progress_bar_format(&b, line, sizeof line);
        ASSERT_EQ(strlen(line), 39);
        b.total = 0;
        b.done = 0;
        progress_bar_format(&b, line, sizeof line);
        ASSERT_STREQ(line, "[3/8] stage-target");

        /* drawn on a file descriptor: carriage returns for redraws, lines for ends */
        ASSERT_TRUE(pipe(p) == 0);
        b = (ProgressBar){ .fd = p[1], .width = 80 };
        progress_bar(&(ProgressEvent){ .type = PROGRESS_STEP_START,
                                       .step = "verify",
                                       .index = 8,
                                       .count = 8,
                                       .seconds = -1 },
                     &b);
        progress_bar(&(ProgressEvent){ .type = PROGRESS_STEP_END,
                                       .step = "verify",
                                       .index = 8,
                                       .count = 8,
                                       .state = "done",
                                       .seconds = 0.25 },
                     &b);
        progress_bar_finish(&b);
        close(p[1]);
        n = read(p[0], buf, sizeof buf - 1);
        ASSERT_TRUE(n > 0);
        buf[n] = 0;
        close(p[0]);
        ASSERT_STREQ(buf, "\r[8/8] verify\x1b[K\r\x1b[K[8/8] verify: done (0.2 s)\n");
}

int main(void)
{
        RUN(test_ndjson);
        RUN(test_bar);
        TESTS_DONE();
}
