/*
 * crosscutting/09-toctou/fixed.c: a writer running as root appends a line
 * to a user's report file, once it has checked that the user may write it,
 * while the user swaps the file for a link to a secret only root may write.
 * Rule R7: the atomic create is the check.
 * Also R10: state your assumptions where they are used: validate at the point of use.
 * Fix: the writer opens the path once, refusing to follow a symbolic link
 *      (O_NOFOLLOW), and checks the file it opened, through the descriptor
 *      (fstat): a regular file, the user's, with no second name. Whatever
 *      the user swaps in afterwards, the write goes where the check looked.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Knobs: explore ZOO_ITERS=1
 */
#include "zoo.h"

#include <sys/stat.h>

#define SECRET_TEXT "only root may change this line\n"

static uid_t requester;         /* the user the writer works for */
static long rounds_refused;     /* the writer's, read by main after the join */
static bool hard_link_round;    /* set by main before each round: how the user links */
static char work_dir[PATH_MAX]; /* the program's own directory, under $TMPDIR */
static int parent_fd = -1, work_fd = -1; /* $TMPDIR and work_dir, open */
static const char *const names[3] = { "report", "decoy", "secret" }; /* in work_dir */
static struct zoo_cue writer_checked; /* widener: the writer has checked the report */
static struct zoo_cue user_swapped;   /* widener: the user has swapped it */

/* The file behind fd: a regular file of the user's, with no other name. */
static bool users_own_file(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == requester && st.st_nlink == 1;
}

/* Append a line to the report, for a user who must be allowed to write it. */
static void *writer(void *arg)
{
	struct stat st;

	(void)arg;
	zoo_step("checks the report file");
	if (lstat("report", &st) != 0 || !S_ISREG(st.st_mode) || access("report", W_OK) != 0) {
		rounds_refused++;
		return NULL;
	}
	zoo_cue_give(&writer_checked);
	zoo_cue_await_next(&user_swapped);
	zoo_step("opens the report file");
	int fd = open("report", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW); /* FIX(R7): a link fails (ELOOP) */

	if (fd < 0 && errno == ELOOP) {
		rounds_refused++;
		return NULL;
	}
	if (fd < 0)
		zoo_die_errno("open(report)");
	if (!users_own_file(fd)) { /* FIX(R7): check the file opened, not the path */
		close(fd);
		rounds_refused++;
		return NULL;
	}
	if (write(fd, "report line\n", 12) != 12)
		zoo_die_errno("write(report)");
	close(fd);
	return NULL;
}

/* The user, in one move: the report and the decoy (a link to the secret) trade names. */
static void *user(void *arg)
{
	(void)arg;
	zoo_cue_await_next(&writer_checked);
	zoo_step("swaps the report for a link to the secret");
	if (renameat2(AT_FDCWD, "report", AT_FDCWD, "decoy", RENAME_EXCHANGE) != 0)
		zoo_die_errno("renameat2(RENAME_EXCHANGE)");
	zoo_cue_give(&user_swapped);
	return NULL;
}

static void write_file(const char *name, const char *text, mode_t mode, uid_t owner)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchown(fd, owner, owner) != 0)
		zoo_die_errno(name);
	close(fd);
}

/* Every round starts from the same files: the secret, the user's report, the decoy. */
static void set_the_stage(void)
{
	for (int i = 0; i < 3; i++)
		unlink(names[i]);
	write_file("secret", SECRET_TEXT, 0600, geteuid());
	write_file("report", "", 0600, requester);
	if ((hard_link_round ? link("secret", "decoy") : symlink("secret", "decoy")) != 0)
		zoo_die_errno("link(secret, decoy)");
}

static bool secret_intact(void)
{
	char text[64] = "";
	int fd = open("secret", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, text, sizeof text - 1) < 0)
		zoo_die_errno("read(secret)");
	close(fd);
	return strcmp(text, SECRET_TEXT) == 0;
}

/* Run as root, work for "nobody" as a set-user-ID program would: access()
 * checks the real uid, open() the effective one. Before any thread starts. */
static void act_for_user(void)
{
	requester = getuid();
	if (requester == 0) {
		requester = 65534;
		if (setresuid(requester, 0, 0) != 0)
			zoo_die_errno("setresuid");
	}
}

/* At exit: the program's directory and its files, by descriptor. */
static void remove_work_dir(void)
{
	if (work_fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		unlinkat(work_fd, names[i], 0);
	unlinkat(parent_fd, strrchr(work_dir, '/') + 1, AT_REMOVEDIR);
	close(work_fd);
	work_fd = -1;
}

/* Ended by a signal (Ctrl-C, a timeout), the run leaves nothing behind either. */
static void remove_and_die(int sig)
{
	remove_work_dir();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Work in a new directory under $TMPDIR, the user's own. */
static void enter_work_dir(void)
{
	const char *tmp = getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ? getenv("TMPDIR") : "/tmp";

	snprintf(work_dir, sizeof work_dir, "%s/zoo-toctou.XXXXXX", tmp);
	parent_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0 || mkdtemp(work_dir) == NULL ||
	    (work_fd = open(work_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		zoo_die_errno("making the directory");
	atexit(remove_work_dir);
	signal(SIGINT, remove_and_die);
	signal(SIGTERM, remove_and_die);
	signal(SIGHUP, remove_and_die);
	if (fchdir(work_fd) != 0 || fchown(work_fd, requester, requester) != 0)
		zoo_die_errno("fchdir or fchown");
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "a writer appends for a user ZOO_ITERS times while the user swaps the report for a link",
		.awaits = "the writer and the user to finish a round",
		.reads = "ZOO_ITERS",
		.widen_us = 200000,
		.defaults = { .iters = 4, .threads = 2, .seed = 1, .timeout_s = 8 },
	};
	long secret_written = 0;

	act_for_user();
	zoo_start(argc, argv, &program);
	enter_work_dir();
	zoo_show(rounds_refused);
	for (long round = 0; round < zoo.iters; round++) {
		pthread_t threads[2];

		hard_link_round = round % 2 == 1;
		set_the_stage();
		zoo_thread_start(&threads[0], writer, NULL);
		zoo_thread_start(&threads[1], user, NULL);
		zoo_thread_join(threads[0]);
		zoo_thread_join(threads[1]);
		secret_written += !secret_intact();
	}
	remove_work_dir();
	zoo_finish(secret_written > 0 ? ZOO_INVARIANT : ZOO_CLEAN,
		   "the secret was written in %ld of %ld rounds, %ld refused (symbolic and hard links taking turns)",
		   secret_written, zoo.iters, rounds_refused);
}
