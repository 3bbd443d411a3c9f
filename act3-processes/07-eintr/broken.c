/*
 * act3-processes/07-eintr/broken.c: a feeder pipes ZOO_ITERS blocks to a
 * copier child and, halfway, asks it for a progress report with SIGUSR1.
 * Rule R1: a wakeup is a hint to re-check, not a delivery.
 * Bug: the progress handler is installed without SA_RESTART, so a signal that
 *      lands while the copier sleeps in read() ends the read with -1 and
 *      errno EINTR. The copier's loop takes any result but a count for the
 *      end of the input: it stops halfway, and the rest of the bytes are lost.
 * Expect: tsan=missed helgrind=missed drd=missed asan=missed memcheck=missed stress=invariant os=missed
 * Demo: stress
 * Explore: none. The bug needs a signal to land inside a blocking read on a
 *      pipe, which the scheduler neither models nor delivers; the test forces
 *      it by signalling only once the copier sleeps in the kernel.
 */
#include "zoo.h"

#define BLOCK_SIZE 4096

static volatile sig_atomic_t progress_asked; /* set by the handler, cleared by the copier */

static void ask_for_progress(int sig)
{
	(void)sig;
	progress_asked = 1;
}

/* Copy the pipe into nowhere, counting bytes, until the end of the input. */
static long copy_until_end(int in)
{
	char block[BLOCK_SIZE];
	long copied = 0;
	ssize_t got;

	while ((got = read(in, block, sizeof block)) > 0) { /* BUG(R1): -1 with EINTR ends the copy too */
		copied += got;
		if (progress_asked) {
			progress_asked = 0;
			printf("copier: %ld bytes so far\n", copied);
		}
	}
	if (got < 0)
		printf("copier: read: %s; the copy ends there\n", strerror(errno));
	return copied;
}

/* Write one block, all of it; false once the copier has stopped reading. */
static bool feed_block(int out, const char *block)
{
	for (size_t done = 0; done < BLOCK_SIZE;) {
		ssize_t put = write(out, block + done, BLOCK_SIZE - done);

		if (put < 0 && errno == EPIPE)
			return false;
		if (put < 0)
			zoo_die_errno("write(the pipe)");
		done += (size_t)put;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "feeds ZOO_ITERS blocks through a pipe to a copier child, asking it for progress halfway",
		.awaits = "the copier to finish",
		.reads = "ZOO_ITERS",
		.widen_us = 500000,
		.defaults = { .iters = 8, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	struct sigaction progress = { .sa_handler = ask_for_progress };
	char block[BLOCK_SIZE];
	long *copied, fed = 0;
	int pipe_fds[2];
	pid_t copier;

	zoo_start(argc, argv, &program);
	memset(block, 'z', sizeof block);
	copied = mmap(NULL, sizeof *copied, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (copied == MAP_FAILED)
		zoo_die_errno("mmap(the copier's count)");
	sigemptyset(&progress.sa_mask);
	/* Installed before the fork, so the copier has it from its first instruction. */
	if (sigaction(SIGUSR1, &progress, NULL) != 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		zoo_die_errno("sigaction");
	if (pipe(pipe_fds) != 0)
		zoo_die_errno("pipe");

	copier = zoo_fork();
	if (copier == 0) {
		close(pipe_fds[1]);
		*copied = copy_until_end(pipe_fds[0]);
		zoo_child_exit(ZOO_CLEAN);
	}
	close(pipe_fds[0]);
	for (long i = 0; i < zoo.iters; i++) {
		if (i == zoo.iters / 2) {
			zoo_cue_asleep(copier); /* widener: the copier waits in read() for more */
			if (kill(copier, SIGUSR1) != 0)
				zoo_die_errno("kill(the copier, SIGUSR1)");
			zoo_cue_asleep(copier); /* widener: asleep again, so it is out of that read() */
		}
		if (!feed_block(pipe_fds[1], block))
			break;
		fed += BLOCK_SIZE;
	}
	close(pipe_fds[1]);
	if (zoo_wait_child(copier) != ZOO_CLEAN)
		zoo_finish(ZOO_INVARIANT, "the copier failed");
	if (*copied != zoo.iters * BLOCK_SIZE)
		zoo_finish(ZOO_INVARIANT, "of %ld bytes to send, the pipe took %ld and the copier copied %ld",
			   zoo.iters * BLOCK_SIZE, fed, *copied);
	zoo_finish(ZOO_CLEAN, "the copier copied all %ld bytes fed to it", *copied);
}
