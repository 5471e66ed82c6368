/* SPDX-License-Identifier: MIT */
/* The journal and the state directory: the format round trip, hostile journals, atomic updates
 * under SIGKILL, the lock, and status telling running from interrupted. */
#include <signal.h>
#include <sys/file.h>
#include <time.h>

#include "exec/journal.h"
#include "exec/state.h"
#include "exec-test.h"
#include "shared/json-util.h"
#include "shared/strv.h"

static char *const step_ids[] = { "preflight", "stage-target", "carry-config", "verify", NULL };

static Journal *sample_journal(void)
{
        Journal *j = NULL;
        JournalCheckpoint *cp;

        ASSERT_OK(journal_new(SOURCE_MODE_IMAGE, "/var/lib/images/node.raw", "raw", "/srv/azl3-root.tar.zst",
                              "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                              NULL, step_ids, &j));
        ASSERT_OK(journal_step_begin(&j->steps[0]));
        ASSERT_OK(journal_step_end(&j->steps[0], STEP_DONE, NULL));
        cp = journal_add_checkpoint(j, "cp-stage-target", "stage-target", CHECKPOINT_OVERLAY,
                                    "layers/cp-stage-target.qcow2");
        ASSERT_NOT_NULL(cp);
        cp->bytes = 200704;
        cp->seconds = 0.021;
        ASSERT_OK(journal_step_begin(&j->steps[1]));
        ASSERT_OK(journal_step_end(&j->steps[1], STEP_FAILED, "No space left on device \"/\""));
        j->steps[1].bytes = 123456789;
        j->status = JOURNAL_FAILED;
        ASSERT_OK(journal_set_error(j, "Step %s failed: %s", "stage-target", "ENOSPC"));
        return j;
}

static void test_round_trip(void)
{
        _cleanup_(journal_freep) Journal *j = sample_journal(), *k = NULL;
        _cleanup_json_ json_object *a = NULL, *b = NULL;

        ASSERT_OK(journal_to_json(j, &a));
        ASSERT_STREQ(json_get_str(a, "schema"), "azlmigrate/journal/v1");
        ASSERT_STREQ(json_get_str(json_get(a, "source"), "mode"), "image");
        ASSERT_STREQ(json_get_str(a, "status"), "failed");
        ASSERT_TRUE(json_object_is_type(json_get(a, "output"), json_type_null) || !json_get(a, "output"));
        ASSERT_NULL(json_get_str(a, "rolling_back"));
        ASSERT_OK(journal_set_str(&j->rolling_back, "cp-swap-root"));
        json_object_put(a);
        ASSERT_OK(journal_to_json(j, &a));
        ASSERT_OK(journal_from_json(a, &k));
        ASSERT_STREQ(k->rolling_back, "cp-swap-root");
        ASSERT_OK(journal_to_json(k, &b));
        ASSERT_TRUE(json_object_equal(a, b));
        ASSERT_EQ(k->n_steps, 4);
        ASSERT_EQ(k->steps[1].state, STEP_FAILED);
        ASSERT_EQ(k->steps[1].bytes, 123456789);
        ASSERT_EQ(k->steps[2].bytes, -1);
        ASSERT_EQ(k->checkpoints[0].kind, CHECKPOINT_OVERLAY);
        ASSERT_TRUE(k->checkpoints[0].seconds > 0.02 && k->checkpoints[0].seconds < 0.022);
        /* RFC 3339 with milliseconds, UTC */
        ASSERT_EQ(strlen(k->steps[0].started), 24);
        ASSERT_TRUE(k->steps[0].started[23] == 'Z' && k->steps[0].started[19] == '.');
}

static void expect_bad(const char *text)
{
        _cleanup_json_ json_object *o = json_tokener_parse(text);
        Journal *j = NULL;

        ASSERT_NOT_NULL(o);
        ASSERT_ERR(journal_from_json(o, &j), -EBADMSG);
        ASSERT_NULL(j);
}

static void test_hostile(void)
{
        char *dir = scratch_dir("journal-hostile"), *p = pathf("%s/journal.json", dir);
        Journal *j = NULL;
        FILE *f;

#define SRC "\"source\":{\"mode\":\"image\",\"path\":\"/x.raw\",\"format\":\"raw\"}"
        expect_bad("[]");
        expect_bad("{\"schema\":\"azlmigrate/journal/v2\"," SRC
                   ",\"status\":\"done\",\"steps\":[],\"checkpoints\":[]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC
                   ",\"status\":\"sleeping\",\"steps\":[],\"checkpoints\":[]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\",\"source\":{\"mode\":\"vm\",\"path\":\"/x\"},"
                   "\"status\":\"done\",\"steps\":[],\"checkpoints\":[]}");
        /* a step id that would name a file outside the state directory */
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"../../etc\",\"state\":\"done\"}],\"checkpoints\":[]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"a\",\"state\":\"done\"},{\"id\":\"a\",\"state\":\"done\"}],"
                   "\"checkpoints\":[]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"a\",\"state\":\"done\",\"bytes\":-5}],\"checkpoints\":[]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"a\",\"state\":\"done\",\"started\":7}],\"checkpoints\":[]}");
        /* a checkpoint before a step that does not exist */
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"a\",\"state\":\"done\"}],\"checkpoints\":[{\"id\":\"cp-b\","
                   "\"before_step\":\"b\",\"kind\":\"overlay\",\"path\":\"layers/cp-b.qcow2\"}]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"a\",\"state\":\"done\"}],\"checkpoints\":[{\"id\":\"cp/a\","
                   "\"before_step\":\"a\",\"kind\":\"overlay\",\"path\":\"x\"}]}");
        expect_bad("{\"schema\":\"azlmigrate/journal/v1\"," SRC ",\"status\":\"done\","
                   "\"steps\":[{\"id\":\"a\",\"state\":\"done\"}],\"checkpoints\":[{\"id\":\"cp-a\","
                   "\"before_step\":\"a\",\"kind\":\"snapshot\",\"path\":\"x\"}]}");
#undef SRC

        /* binary garbage, a truncated file, and one beyond the size cap */
        write_text(p, "{\"schema\":\"azlmigrate/journal/v1\",\"sour");
        ASSERT_ERR(journal_load(p, &j), -EBADMSG);
        f = fopen(p, "we");
        ASSERT_NOT_NULL(f);
        for (int i = 0; i < 4096; i++)
                fputc(i * 7 % 256, f);
        fclose(f);
        ASSERT_ERR(journal_load(p, &j), -EBADMSG);
        ASSERT_OK(truncate(p, JOURNAL_SIZE_MAX + 1));
        ASSERT_ERR(journal_load(p, &j), -EFBIG);
        ASSERT_NULL(j);
        free(p);
        scratch_remove(dir);
}

/* A child rewrites the journal in a loop; it is killed at random instants. The file on disk is
 * always one complete journal: the one before or the one after an update. */
static void test_atomic_under_kill(void)
{
        char *dir = scratch_dir("journal-atomic");
        unsigned seed = (unsigned) time(NULL);
        int64_t last_seen = -1;

        {
                _cleanup_(state_freep) StateDir *s = NULL;
                ASSERT_OK(state_open(dir, STATE_OPEN_CREATE | STATE_OPEN_LOCK, &s));
                s->journal = sample_journal();
                s->journal->steps[3].bytes = 0;
                ASSERT_OK(journal_set_error(s->journal, "0")); /* the pattern below, for version 0 */
                ASSERT_OK(state_save(s));
        }
        for (int round = 0; round < 40; round++) {
                pid_t pid = fork();
                ASSERT_TRUE(pid >= 0);
                if (pid == 0) {
                        StateDir *s = NULL;
                        if (state_open(dir, STATE_OPEN_LOCK, &s) < 0)
                                _exit(2);
                        for (int64_t i = s->journal->steps[3].bytes + 1;; i++) {
                                s->journal->steps[3].bytes = i;
                                /* every other version is much larger: a torn write would show */
                                (void) journal_set_error(s->journal, "%0*d", (int) (i % 2) * 20000, 0);
                                if (state_save(s) < 0)
                                        _exit(3);
                        }
                }
                struct timespec ts = { .tv_nsec = (long) (rand_r(&seed) % 20000) * 1000L };
                nanosleep(&ts, NULL);
                ASSERT_TRUE(kill(pid, SIGKILL) == 0);
                ASSERT_EQ(wait_child(pid), 128 + SIGKILL);

                _cleanup_(state_freep) StateDir *s = NULL;
                /* without the lock: exactly what a crash left */
                ASSERT_OK(state_open(dir, 0, &s));
                ASSERT_NOT_NULL(s->journal);
                ASSERT_TRUE(s->journal->steps[3].bytes >= last_seen);
                last_seen = s->journal->steps[3].bytes;
                ASSERT_EQ(strlen(s->journal->last_error), s->journal->steps[3].bytes % 2 ? 20000 : 1);
        }
        ASSERT_TRUE(last_seen > 0);

        /* Temporary files of killed writes are removed by the next locked open. */
        {
                char *t = pathf("%s/journal.json.tmp.abcdef", dir);
                write_text(t, "{");
                free(t);
        }
        {
                _cleanup_(state_freep) StateDir *s = NULL;
                ASSERT_OK(state_open(dir, STATE_OPEN_LOCK, &s));
        }
        ASSERT_EQ(shell("ls '%s' | grep -q tmp", dir), 1);
        scratch_remove(dir);
}

static void test_lock_and_status(void)
{
        char *dir = scratch_dir("journal-lock");
        _cleanup_(state_freep) StateDir *s = NULL;
        _cleanup_(journal_freep) Journal *j = NULL;
        JournalStatus st;
        pid_t holder = 0;

        ASSERT_ERR(state_status(dir, &st, NULL, NULL), -ENOENT);
        ASSERT_OK(state_open(dir, STATE_OPEN_CREATE | STATE_OPEN_LOCK, &s));
        s->journal = sample_journal();
        s->journal->status = JOURNAL_RUNNING;
        ASSERT_OK(state_save(s));

        /* a second run, in another process, is refused */
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                StateDir *t = NULL;
                _exit(state_open(dir, STATE_OPEN_LOCK, &t) == -EBUSY ? 0 : 1);
        }
        ASSERT_EQ(wait_child(pid), 0);
        /* and in this process too (another open file description) */
        {
                StateDir *t = NULL;
                ASSERT_ERR(state_open(dir, STATE_OPEN_LOCK, &t), -EBUSY);
        }
        /* status sees the holder without taking the lock */
        ASSERT_OK(state_status(dir, &st, &holder, &j));
        ASSERT_EQ(st, JOURNAL_RUNNING);
        ASSERT_EQ(holder, getpid());
        ASSERT_EQ(j->n_steps, 4);
        j = journal_free(j);

        /* the holder dies (lock released): the journal still says running, i.e. interrupted */
        s = state_free(s);
        ASSERT_OK(state_status(dir, &st, &holder, NULL));
        ASSERT_EQ(st, JOURNAL_INTERRUPTED);
        ASSERT_EQ(holder, 0);

        /* a crashed child holding the lock, for real */
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                StateDir *t = NULL;
                if (state_open(dir, STATE_OPEN_LOCK, &t) < 0)
                        _exit(1);
                pause();
                _exit(0);
        }
        for (int i = 0; i < 500; i++) {
                ASSERT_OK(state_status(dir, &st, &holder, NULL));
                if (st == JOURNAL_RUNNING)
                        break;
                usleep(10000);
        }
        ASSERT_EQ(st, JOURNAL_RUNNING);
        ASSERT_EQ(holder, pid);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        ASSERT_OK(state_status(dir, &st, NULL, NULL));
        ASSERT_EQ(st, JOURNAL_INTERRUPTED);

        /* a finished run reports its own status */
        ASSERT_OK(state_open(dir, STATE_OPEN_LOCK, &s));
        s->journal->status = JOURNAL_DONE;
        ASSERT_OK(state_save(s));
        s = state_free(s);
        ASSERT_OK(state_status(dir, &st, NULL, NULL));
        ASSERT_EQ(st, JOURNAL_DONE);

        /* saving needs the lock */
        ASSERT_OK(state_open(dir, 0, &s));
        ASSERT_ERR(state_save(s), -ENOLCK);
        scratch_remove(dir);
}

/* docs/journal.schema.json accepts what journal_save() writes (python3-jsonschema, as the
 * integration tests use). */
static void test_schema(void)
{
        char *dir = scratch_dir("journal-schema"), *p = pathf("%s/journal.json", dir);
        _cleanup_(journal_freep) Journal *j = sample_journal();
        JournalCheckpoint *cp;

        if (shell("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
                fprintf(stderr, "python3-jsonschema missing: schema not checked\n");
                scratch_remove(dir);
                return;
        }
        cp = journal_add_checkpoint(j, "cp-carry-config", "carry-config", CHECKPOINT_UNDO_ARCHIVE,
                                    "undo/cp-carry-config");
        ASSERT_NOT_NULL(cp);
        ASSERT_OK(journal_set_str(&j->output, "/srv/out/node.vhd"));
        ASSERT_OK(journal_set_str(&j->rolling_back, ""));
        ASSERT_OK(journal_save(j, p));
        ASSERT_EQ(shell("/usr/bin/python3 '%s/tests/integration/check_inventory.py' validate "
                        "'%s/docs/journal.schema.json' '%s'",
                        tests_srcdir(), tests_srcdir(), p),
                  0);
        /* and rejects what it must */
        ASSERT_EQ(shell("sed -i 's/\"undo-archive\"/\"snapshot\"/' '%s' && /usr/bin/python3 "
                        "'%s/tests/integration/check_inventory.py' validate '%s/docs/journal.schema.json' "
                        "'%s' "
                        ">/dev/null 2>&1",
                        p, tests_srcdir(), tests_srcdir(), p),
                  1);
        free(p);
        scratch_remove(dir);
}

int main(void)
{
        RUN(test_round_trip);
        RUN(test_hostile);
        RUN(test_atomic_under_kill);
        RUN(test_lock_and_status);
        RUN(test_schema);
        TESTS_DONE();
}
