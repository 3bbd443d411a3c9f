/*
 * act3-processes/02-check-then-create/fixed.c: two starter processes share
 * a board in POSIX shared memory; whichever finds no board creates and
 * initialises it, and each then posts on it once.
 * Rule R7: the atomic create is the check.
 * Fix: the exclusive create is the look: the kernel lets exactly one
 *      starter create the board, and only that one initialises it. The
 *      other opens the board and waits until the creator says it is ready
 *      (a release store it reads with acquire) before it posts.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean explore=clean
 * Demo: stress
 */
#include "zoo.h"
#include <sys/stat.h>

struct board {
	atomic_long posts; /* how many starters have posted */
	int creator;       /* the starter that initialised it: 1 or 2 */
	atomic_int ready;  /* 1 once the board is initialised */
};

struct roll {
	atomic_int initialisers; /* how many starters initialised the board */
	struct zoo_cue looked;   /* widener: a starter has looked for the board */
	struct zoo_cue posted;   /* widener: a starter has posted */
};

static struct roll *roll; /* shared by main and the starters, mapped before they start */

static struct board *map_board(int fd)
{
	struct board *board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (board == MAP_FAILED || close(fd) != 0)
		zoo_die_errno("mmap(the board)");
	return board;
}

/* Another starter's board, once it has its size and is initialised. */
static struct board *wait_for_board(int fd)
{
	struct stat st;

	for (;;) {
		if (fstat(fd, &st) != 0)
			zoo_die_errno("fstat(the board)");
		if ((size_t)st.st_size >= sizeof(struct board))
			break;
		zoo_poll("looks at the board's size again");
		zoo_sleep_us(100);
	}
	struct board *board = map_board(fd);
	while (!atomic_load_explicit(&board->ready, memory_order_acquire)) {
		zoo_poll("looks whether the board is ready again");
		zoo_sleep_us(100);
	}
	return board;
}

/* The board, created and initialised by this starter if nobody has. */
static struct board *open_board(const char *name, int me)
{
	zoo_cue_await(&roll->looked, (unsigned)me);
	zoo_step("creates the board, unless it exists");
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600); /* FIX(R7): the create is the look */
	bool creator = fd >= 0;
	if (!creator && errno == EEXIST)
		fd = shm_open(name, O_RDWR, 0600);
	zoo_cue_give(&roll->looked);
	zoo_cue_await(&roll->looked, 2);
	if (fd < 0)
		zoo_die_errno("shm_open(the board)");
	if (creator && ftruncate(fd, sizeof(struct board)) != 0)
		zoo_die_errno("ftruncate(the board)");
	if (!creator)
		return wait_for_board(fd); /* FIX(R7): the creator's, once it is ready */
	struct board *board = map_board(fd);
	zoo_cue_await(&roll->posted, (unsigned)(1 - me));
	zoo_step("initialises the board");
	atomic_store_explicit(&board->posts, 0, memory_order_relaxed); /* a new board: no posts yet */
	board->creator = me + 1;
	atomic_fetch_add_explicit(&roll->initialisers, 1, memory_order_relaxed);
	atomic_store_explicit(&board->ready, 1, memory_order_release);
	return board;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "two starters share a board in shared memory, whichever finds none creates it, and each posts once",
		.awaits = "the starters to post",
		.reads = "",
		.widen_us = 200000,
		.defaults = { .iters = 1, .threads = 2, .seed = 1, .timeout_s = 4 },
	};
	char name[128];
	pid_t starters[2];

	zoo_start(argc, argv, &program);
	zoo_ipc_name(name, sizeof name, "board");
	roll = mmap(NULL, sizeof *roll, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (roll == MAP_FAILED)
		zoo_die_errno("mmap(the roll)");
	zoo_show(roll->initialisers);
	for (int i = 0; i < 2; i++) {
		starters[i] = zoo_fork();
		if (starters[i] == 0) {
			struct board *board = open_board(name, i);
			zoo_step("posts on the board");
			atomic_fetch_add_explicit(&board->posts, 1, memory_order_relaxed);
			zoo_cue_give(&roll->posted);
			zoo_child_exit(ZOO_CLEAN);
		}
	}
	for (int i = 0; i < 2; i++)
		if (zoo_wait_child(starters[i]) != ZOO_CLEAN)
			zoo_finish(ZOO_INVARIANT, "starter %d failed", i + 1);

	int fd = shm_open(name, O_RDWR, 0600);
	if (fd < 0)
		zoo_die_errno("shm_open(the board)");
	struct board *board = map_board(fd);
	long posts = atomic_load_explicit(&board->posts, memory_order_relaxed);
	int creator = board->creator;
	int initialisers = atomic_load_explicit(&roll->initialisers, memory_order_relaxed);
	if (munmap(board, sizeof *board) != 0 || shm_unlink(name) != 0)
		zoo_die_errno("removing the board");
	if (posts != 2 || initialisers != 1)
		zoo_finish(ZOO_INVARIANT, "%ld of 2 posts on the board; initialisations: %d, the last by starter %d",
			   posts, initialisers, creator);
	zoo_finish(ZOO_CLEAN, "2 of 2 posts on the board; initialisations: 1, by starter %d", creator);
}
