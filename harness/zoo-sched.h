/*
 * harness/zoo-sched.h: the scheduler. zoo.h includes it; a program never does.
 * Its two parts are headers of their own: zoo-show.h (the trace table, the
 * player's screen) and zoo-explore.h (ZOO_EXPLORE: every schedule).
 *
 * A program's threads meet at points: where a thread takes a mutex
 * (zoo_lock, zoo_scoped_lock), waits on a condition (zoo_wait), starts, and
 * the named steps a program marks where the order of plain memory accesses
 * matters. Letting go (zoo_unlock, zoo_signal, zoo_broadcast, the end of a
 * thread) is no point: a switch just after it is the same as one at the
 * thread's next point, for data the locks guard; the steps mark the rest.
 * For the same reason a new thread runs at once to its first point.
 * Every wrapped call is a row of the trace, point or not.
 *
 *   zoo_step("text")           a point, named for what the thread does next:
 *                              the statement on the line after it, whose
 *                              line number the trace and the player show
 *   zoo_poll("text")           a step in a loop that waits for another thread
 *                              or process to change something (a flag, a
 *                              file's size): it moves only when no other
 *                              thread can, and only if something moved
 *                              since it last looked; a poll that nothing can
 *                              end is a hang, found at once
 *   zoo_show(variable)         in main(): the player's screen shows it
 *
 * Off (the default: a detector run, a stress run) a point costs one test of
 * a flag written before any thread starts, and nothing else: no lock, no
 * atomic, so no detector sees any edge. On, set by ZOO_SCHEDULE or
 * ZOO_EXPLORE (zoo trace, zoo play, zoo explore, on the plain build only),
 * exactly one thread runs at a time. At each point the running thread parks,
 * and the scheduler picks who runs next among the threads that can move (a
 * thread waiting for a mutex another holds, for a condition nobody has
 * signalled or for a thread that has not ended cannot). The wrappers model
 * their calls for that: a condition wakes its waiters in the order they
 * came, never spuriously, and a mutex is taken only when free (trylock,
 * never a blocking lock, so even a thread relocking its own mutex is seen
 * waiting). When no thread can move, the run has hung: the scheduler says
 * what each thread waits for and ends it, in no time at all.
 *
 * Who moves, when more than one can (a choice; a thread started later is
 * numbered after the ones before it):
 *   ZOO_SCHEDULE=consumer,producer   the names (or unique prefixes) of the
 *        threads to pick at the first choices, then the default: the thread
 *        that ran goes on if it can, else the first that can. A name that
 *        cannot move there is bad usage. Threads are named after the
 *        function they run, numbered when several run one (consumer1, ...).
 *   ZOO_SCHEDULE=default       the default at every choice
 *   ZOO_SCHEDULE=play          show each choice and ask on stdin who moves (a
 *        number or a name); the watchdog is off: a person may think
 *   ZOO_SCHEDULE=play:a,b      show each choice, and make the listed picks
 *        (then the default ones) without asking; step:a,b waits for Enter
 *        before each
 *   ZOO_EXPLORE=N              run every schedule with at most N preemptions
 *        (a switch away from a thread that could go on), each in a child
 *        process, depth first, within ZOO_BUDGET seconds (default 10) and
 *        ZOO_SCHED_POINTS choices a run; print how many failed and the
 *        shortest failing schedule, and exit with its status (CLEAN if none
 *        failed, UNFINISHED if a bound cut the search first)
 *   ZOO_TRACE=text|markdown    print the run's interleaving as a table, one
 *        column a thread, before the result line (with ZOO_EXPLORE: the
 *        shortest failing schedule's, or the default schedule's)
 *   ZOO_SOURCE=path            the program's source, for the player's screen
 *
 * Processes: the state lives in a page every process of the run shares, so
 * a child of zoo_fork() is one more thread (zoo_sched_add("child"): child1,
 * child2...; zoo_child_exit() calls zoo_sched_ended()): it runs at
 * once to its first point, zoo_wait_child() waits for it as a join does,
 * and zoo_child_exit() ends its turn. A child that ends the run (its
 * zoo_finish, or a hang it finds) hands the end to the first process,
 * which prints the trace. Not followed: a program a child execs
 * (zoo_sibling refuses), a blocking call no wrapper models (a semaphore, a
 * pipe: the watchdog then ends the run), and a robust mutex's EOWNERDEAD.
 *
 * Coroutines (act 2) need no threads of their own: a single-threaded
 * coroutine scheduler's choice of whom it resumes is the point. Each
 * coroutine is one more column (zoo_coroutine("reader"): reader1, reader2...,
 * not a thread), and the scheduler calls zoo_resume_choice() with its ready
 * coroutines, in the order it would take them: the default is the first, so
 * a schedule that departs from that order preempts (ZOO_EXPLORE's bound).
 * While a coroutine runs, its rows go in its column, and a point inside it is
 * a row but no choice: nothing preempts a coroutine. zoo_coroutine_suspends()
 * is the row of its suspension, zoo_resume_back() gives the rows back to the
 * scheduler's thread, and zoo_coroutine_ended() closes its column. A
 * coroutine taking a mutex another coroutine holds blocks the one thread
 * they share: that is a hang, found at once.
 *
 * The limit: this is every sequentially consistent interleaving of the
 * points, no more. A race between two points and a reordering by a weak
 * memory model stay the detectors' and the stress runs' to find.
 */
#ifndef ZOO_SCHED_H
#define ZOO_SCHED_H

#define ZOO_SCHED_THREADS 64   /* threads a scheduled run may start, main included */
#define ZOO_SCHED_POINTS 1000  /* choices a scheduled run may make before it is cut (and rows it traces) */
#define ZOO_SCHED_LOCKS 32     /* mutexes held at once */
#define ZOO_SCHED_SHOWN 16     /* variables zoo_show() may name */
#define ZOO_SCHED_TEXT 128     /* a trace row's text */

/* clang-format off */
enum zoo_sched_mode { ZOO_SCHED_OFF, ZOO_SCHED_LIST, ZOO_SCHED_PLAY, ZOO_SCHED_CHILD };
/* clang-format on */

enum zoo_thread_state {
	ZOO_T_READY,   /* parked at a point, can move */
	ZOO_T_LOCKING, /* wants `on` (a mutex): can move once it is free */
	ZOO_T_WAITING, /* waits on `on` (a condition): cannot move until signalled */
	ZOO_T_JOINING, /* waits for thread `joins` to end */
	ZOO_T_DONE,
};

struct zoo_sched_thread {
	enum zoo_thread_state state;
	const char *fn;              /* the function it runs: its name */
	int nth;                     /* 1 + the threads of fn started before it */
	void *(*start)(void *);
	void *arg;
	pthread_t handle;
	pid_t pid;                   /* a process made by zoo_fork(): its pid */
	char next[ZOO_SCHED_TEXT];   /* the point it is parked at */
	int next_line;
	const void *on;              /* what it waits for (LOCKING, WAITING) */
	char on_name[40];
	pthread_mutex_t *relock;     /* WAITING: the mutex to take again when woken */
	char relock_name[40];
	unsigned long wait_seq;      /* WAITING: the order the waiters came in */
	int joins;                   /* JOINING: whom */
	pthread_cond_t turn;         /* signalled when its turn comes */
	int starter;                 /* who started it; -1 once it reached its first point */
	bool coroutine;              /* a coroutine's column (zoo_coroutine), not a thread */
	bool polling;                /* parked at a zoo_poll */
	unsigned long polled_at;     /* zoo_sched.changes when it last polled */
};

struct zoo_sched_row {
	int thread, line;
	char text[ZOO_SCHED_TEXT];
};

/* The choices of one run, and its outcome: a page shared with the explorer. */
struct zoo_sched_log {
	int prefix_len;
	unsigned char prefix[ZOO_SCHED_POINTS];   /* the picks to make first */
	int choices;
	struct {
		uint64_t can_move;                /* the threads that could move */
		unsigned char pick, from;         /* who moved, who had run */
	} choice[ZOO_SCHED_POINTS];
	int status, rows, threads;
	bool cut;                                 /* ZOO_SCHED_POINTS passed */
	bool strayed;                             /* a prefix pick could not move */
	char message[600];
	char names[ZOO_SCHED_THREADS][24];
};

struct zoo_sched_shown {
	const char *name;
	const void *at;
	size_t size;
	char kind; /* b bool, i an integer, m a mutex, c a condition */
};

/* The scheduler's state. It lives in a page shared by every process of the
 * run (mapped by zoo_sched_setup, before any fork), its lock and conditions
 * process-shared, so that a child made by zoo_fork() is one more thread. */
struct zoo_sched_state {
	enum zoo_sched_mode mode;
	int trace;                                /* 0, 1 text, 2 markdown */
	int threads;                              /* started so far, main included */
	struct zoo_sched_thread thread[ZOO_SCHED_THREADS];
	/* clang-format off */
	struct { const pthread_mutex_t *m; int owner, depth; char name[40]; } held[ZOO_SCHED_LOCKS];
	/* clang-format on */
	struct zoo_sched_shown shown[ZOO_SCHED_SHOWN];
	int nshown;
	unsigned long wait_seq;
	int moves;                                /* choices made so far */
	unsigned long changes;                    /* points passed that were not polls */
	struct zoo_sched_row row[ZOO_SCHED_POINTS];
	int rows;
	char schedule[1024];                      /* ZOO_SCHEDULE's list */
	const char *schedule_at;
	bool listed;                              /* play: the moves are listed, nobody asked */
	bool pause;                               /* play: and Enter is awaited before each */
	int schedule_moves;
	struct zoo_sched_log *log;                /* the explorer's page, in its children */
	char *source[2000];                       /* ZOO_SOURCE's lines, for the player */
	int source_lines;
	/* the hand-over: only the thread named by `running` runs program code */
	pthread_mutex_t mx;
	int running;
	pid_t main_pid;                           /* the process zoo_start() ran in */
	int ending;                               /* set by a child process that ends the run */
	int ending_line;
	char ending_message[600];
};

static struct zoo_sched_state zoo_sched_early, *zoo_sched_page = &zoo_sched_early;
#define zoo_sched (*zoo_sched_page)

static _Thread_local int zoo_sched_self; /* this thread's number; main is 0 */
static _Thread_local int zoo_sched_carrier; /* a coroutine scheduler's own number, while it resumes one */

/* ---- names ---- */

static const char *zoo_sched_name(int t, char *buf, size_t size)
{
	const struct zoo_sched_thread *th = &zoo_sched.thread[t];
	bool several = false;

	for (int i = 0; i < zoo_sched.threads; i++)
		several = several || (i != t && strcmp(zoo_sched.thread[i].fn, th->fn) == 0);
	if (several)
		snprintf(buf, size, "%s%d", th->fn, th->nth);
	else
		snprintf(buf, size, "%s", th->fn);
	return buf;
}

/* "&bus.lock" names bus.lock; a variable zoo_show() names keeps its name. */
static void zoo_sched_object(char *buf, size_t size, const void *at, const char *expr)
{
	for (int i = 0; i < zoo_sched.nshown; i++)
		if (zoo_sched.shown[i].at == at) {
			snprintf(buf, size, "%s", zoo_sched.shown[i].name);
			return;
		}
	snprintf(buf, size, "%s", expr[0] == '&' ? expr + 1 : expr);
}

/* clang-format off */
#define zoo_show(var)                                                                      \
	zoo_sched_show(#var, &(var), sizeof(var),                                          \
		       _Generic((var), bool: 'b', pthread_mutex_t: 'm', pthread_cond_t: 'c', \
				default: 'i'))
/* clang-format on */

static ZOO_UNUSED void zoo_sched_show(const char *name, const void *at, size_t size, char kind)
{
	if (!zoo_sched_on || zoo_sched.nshown == ZOO_SCHED_SHOWN)
		return;
	zoo_sched.shown[zoo_sched.nshown++] = (struct zoo_sched_shown){ name, at, size, kind };
}

/* ---- the model: who can move ---- */

static int zoo_sched_holder(const void *m)
{
	for (int i = 0; i < ZOO_SCHED_LOCKS; i++)
		if (zoo_sched.held[i].m == m)
			return zoo_sched.held[i].owner;
	return -1;
}

static bool zoo_sched_can_move(int t)
{
	const struct zoo_sched_thread *th = &zoo_sched.thread[t];

	switch (th->state) {
	case ZOO_T_READY: return true;
	case ZOO_T_LOCKING: return zoo_sched_holder(th->on) < 0;
	case ZOO_T_JOINING: return zoo_sched.thread[th->joins].state == ZOO_T_DONE;
	case ZOO_T_WAITING:
	case ZOO_T_DONE: break;
	}
	return false;
}

/* What a thread that cannot move waits for, in words. */
static void zoo_sched_blocked_on(int t, char *buf, size_t size)
{
	const struct zoo_sched_thread *th = &zoo_sched.thread[t];
	char who[24];
	int holder;

	switch (th->state) {
	case ZOO_T_LOCKING:
		holder = zoo_sched_holder(th->on);
		snprintf(buf, size, "waits for %s (line %d), held by %s", th->on_name, th->next_line,
			 holder == t ? "itself" : zoo_sched_name(holder, who, sizeof who));
		break;
	case ZOO_T_WAITING:
		if (th->coroutine)
			snprintf(buf, size, "is suspended (line %d) until something wakes it", th->next_line);
		else
			snprintf(buf, size, "waits on %s (line %d)", th->on_name, th->next_line);
		break;
	case ZOO_T_JOINING:
		snprintf(buf, size, "waits for %s to end", zoo_sched_name(th->joins, who, sizeof who));
		break;
	case ZOO_T_READY:
	case ZOO_T_DONE:
		if (th->polling)
			snprintf(buf, size, "polls: %s (line %d), and nothing has moved since it last looked",
				 th->next, th->next_line);
		else
			snprintf(buf, size, "%s", th->state == ZOO_T_DONE ? "has ended" : "can move");
		break;
	}
}

#include "zoo-show.h"

/* ---- choosing ---- */

static int zoo_sched_default(int from, const int *can, int n)
{
	for (int i = 0; i < n; i++)
		if (can[i] == from)
			return from;
	return can[0];
}

/* A thread's name or its unique prefix, among those that can move: its number, or -1. */
static int zoo_sched_lookup(const char *word, bool *ambiguous)
{
	char name[24];
	int found = -1, count = 0;

	*ambiguous = false;
	if (*word != '\0' && strspn(word, "0123456789") == strlen(word))
		return atoi(word) < zoo_sched.threads ? atoi(word) : -1; /* a thread's number */
	for (int t = 0; t < zoo_sched.threads; t++) {
		zoo_sched_name(t, name, sizeof name);
		if (strcmp(name, word) == 0)
			return t;
		if (strncmp(name, word, strlen(word)) == 0) {
			found = t;
			count++;
		}
	}
	*ambiguous = count > 1;
	return count == 1 ? found : -1;
}

static void zoo_sched_hang(const char *why) __attribute__((noreturn));

static int zoo_sched_from_list(int from, const int *can, int n)
{
	char word[32], name[24], why[120];
	const char *at = zoo_sched.schedule_at;
	size_t len = strcspn(at, ",");
	bool ambiguous;
	int t;

	if (*at == '\0')
		return zoo_sched_default(from, can, n);
	snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), at);
	if (*word == '\0') {
		fprintf(stderr, "%s: ZOO_SCHEDULE: move %d: an empty name in the list\n", zoo_name, zoo_sched.moves + 1);
		exit(ZOO_USAGE);
	}
	zoo_sched.schedule_at = at[len] == ',' ? at + len + 1 : at + len;
	t = zoo_sched_lookup(word, &ambiguous);
	if (t < 0) {
		fprintf(stderr, "%s: ZOO_SCHEDULE: move %d: %s '%s'\n", zoo_name, zoo_sched.moves + 1,
			ambiguous ? "more than one thread's name begins with" : "no thread is named", word);
		exit(ZOO_USAGE);
	}
	for (int i = 0; i < n; i++)
		if (can[i] == t)
			return t;
	zoo_sched_blocked_on(t, why, sizeof why);
	fprintf(stderr, "%s: ZOO_SCHEDULE: move %d: %s cannot move here: it %s\n", zoo_name,
		zoo_sched.moves + 1, zoo_sched_name(t, name, sizeof name), why);
	exit(ZOO_USAGE);
}

static int zoo_sched_ask(const int *can, int n)
{
	char line[256], name[24], numbers[200];
	size_t at = 0;
	bool ambiguous;

	/* clang-format off */
	for (int i = 0; i < n && at < sizeof numbers; i++)
		at += (size_t)snprintf(numbers + at, sizeof numbers - at, "%s%d", i == 0 ? "" : i == n - 1 ? " or " : ", ",
				       can[i]);
	/* clang-format on */
	for (;;) {
		printf("Who moves? %s, or a name (q quits): ", numbers);
		fflush(stdout);
		if (fgets(line, sizeof line, stdin) == NULL)
			zoo_finish(ZOO_UNFINISHED, "the player left after %d move%s", zoo_sched.moves,
				   zoo_sched.moves == 1 ? "" : "s");
		if (strchr(line, '\n') == NULL) /* longer than the buffer: the rest goes */
			for (int c; (c = getchar()) != EOF && c != '\n';)
				;
		line[strcspn(line, "\n")] = '\0';
		char *word = line + strspn(line, " \t");
		for (size_t len = strlen(word); len > 0 && (word[len - 1] == ' ' || word[len - 1] == '\t');)
			word[--len] = '\0';
		if (!isatty(STDIN_FILENO))
			printf("%s\n", word); /* a replayed answer, seen as if typed */
		if (*word == '\0')
			continue;
		if (strcasecmp(word, "q") == 0 || strcasecmp(word, "quit") == 0)
			zoo_finish(ZOO_UNFINISHED, "the player stopped after %d move%s", zoo_sched.moves,
				   zoo_sched.moves == 1 ? "" : "s");
		int t = zoo_sched_lookup(word, &ambiguous);
		for (int i = 0; t >= 0 && i < n; i++)
			if (can[i] == t)
				return t;
		if (t >= 0)
			printf("%s cannot move now: it %s.\n", zoo_sched_name(t, name, sizeof name),
			       (zoo_sched_blocked_on(t, line, sizeof line), line));
		else if (ambiguous)
			printf("More than one thread's name begins with '%s'.\n", word);
		else
			printf("No thread is called '%s'; pick %s.\n", word, numbers);
	}
}

static int zoo_sched_pick(int from, const int *can, int n);

/* Who runs next, of the threads that can move. */
static int zoo_sched_choose(int from)
{
	int can[ZOO_SCHED_THREADS], n = 0;

	for (int t = 0; t < zoo_sched.threads; t++)
		if (zoo_sched_can_move(t) && zoo_sched.thread[t].state != ZOO_T_JOINING && !zoo_sched.thread[t].polling)
			can[n++] = t;
	/* A joiner whose thread has ended moves only when no other thread can:
	 * a bound on the search (it joins, then goes on to its next point). */
	for (int t = 0; t < zoo_sched.threads && n == 0; t++)
		if (zoo_sched_can_move(t) && !zoo_sched.thread[t].polling)
			can[n++] = t;
	/* A poller, last: and only if something moved since it looked. */
	for (int t = 0; t < zoo_sched.threads && n == 0; t++)
		if (zoo_sched.thread[t].polling && zoo_sched.thread[t].polled_at < zoo_sched.changes)
			can[n++] = t;
	if (n == 0)
		zoo_sched_hang(NULL);
	return zoo_sched_pick(from, can, n);
}

/* One of the n that can move, as the mode says: the default is `from`, if
 * it is among them, else the first. */
static int zoo_sched_pick(int from, const int *can, int n)
{
	int pick;
	char name[24];

	if (n == 1)
		return can[0];
	if (zoo_sched.moves == ZOO_SCHED_POINTS) {
		if (zoo_sched.log)
			zoo_sched.log->cut = true;
		zoo_finish(ZOO_UNFINISHED, "cut after %d choices of who moves", ZOO_SCHED_POINTS);
	}
	switch (zoo_sched.mode) {
	case ZOO_SCHED_PLAY:
		zoo_sched_screen(from, can, n);
		if (zoo_sched.listed) {
			bool listed = *zoo_sched.schedule_at != '\0';
			pick = zoo_sched_from_list(from, can, n);
			if (zoo_sched.pause) { /* a speaker's replay: Enter for each move */
				char line[80];
				printf("  [Enter: %s moves] ", zoo_sched_name(pick, name, sizeof name));
				fflush(stdout);
				if (fgets(line, sizeof line, stdin) == NULL)
					printf("\n");
			}
			printf("  -> %s (%s)\n", zoo_sched_name(pick, name, sizeof name),
			       listed ? "the schedule" : "the default order");
		} else {
			pick = zoo_sched_ask(can, n);
		}
		break;
	case ZOO_SCHED_LIST:
		pick = zoo_sched_from_list(from, can, n);
		break;
	case ZOO_SCHED_CHILD:
	default:
		pick = zoo_sched_default(from, can, n);
		if (zoo_sched.moves < zoo_sched.log->prefix_len) {
			pick = zoo_sched.log->prefix[zoo_sched.moves];
			if (!zoo_sched_can_move(pick)) {
				zoo_sched.log->strayed = true;
				zoo_finish(ZOO_UNFINISHED, "the same choices led elsewhere: not deterministic");
			}
		}
		zoo_sched.log->choice[zoo_sched.moves].pick = (unsigned char)pick;
		zoo_sched.log->choice[zoo_sched.moves].from = (unsigned char)from;
		uint64_t mask = 0;
		for (int i = 0; i < n; i++)
			mask |= UINT64_C(1) << can[i];
		zoo_sched.log->choice[zoo_sched.moves].can_move = mask;
		zoo_sched.log->choices = zoo_sched.moves + 1;
		break;
	}
	zoo_sched.moves++;
	return pick;
}

/* A fresh shared page holding a copy of the state so far (setup, and each
 * of the explorer's children, which must not share one page between runs). */
static void zoo_sched_map_page(void)
{
	struct zoo_sched_state *page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t attr;

	if (page == MAP_FAILED)
		zoo_die_errno("mmap(the scheduler's page)");
	*page = *zoo_sched_page;
	zoo_sched_page = page;
	zoo_check(pthread_mutexattr_init(&attr));
	zoo_check(pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED));
	zoo_check(pthread_mutex_init(&zoo_sched.mx, &attr));
	zoo_check(pthread_mutexattr_destroy(&attr));
	zoo_sched.main_pid = getpid();
}

static void zoo_sched_cond_init(pthread_cond_t *c);

/* ---- handing over ---- */

static void zoo_sched_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t attr;

	zoo_check(pthread_condattr_init(&attr));
	zoo_check(pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED));
	zoo_check(pthread_cond_init(c, &attr));
	zoo_check(pthread_condattr_destroy(&attr));
}

static void zoo_sched_delegate_end(void);

static void zoo_sched_wait_turn(int self)
{
	pthread_mutex_lock(&zoo_sched.mx);
	while (zoo_sched.running != self)
		pthread_cond_wait(&zoo_sched.thread[self].turn, &zoo_sched.mx);
	pthread_mutex_unlock(&zoo_sched.mx);
	if (zoo_sched.ending)
		zoo_sched_delegate_end(); /* a child process ended the run: say so here */
}

static void zoo_sched_hand_to(int next)
{
	pthread_mutex_lock(&zoo_sched.mx);
	zoo_sched.running = next;
	pthread_cond_signal(&zoo_sched.thread[next].turn);
	pthread_mutex_unlock(&zoo_sched.mx);
}

/* The running thread has set its state; let the scheduler pick, and come
 * back when this thread's turn has come (its point is then passed). */
static void zoo_sched_yield(void)
{
	int self = zoo_sched_self, next;

	if (zoo_sched.thread[self].starter >= 0) {
		/* at its first point: back to the thread that started it, no choice */
		next = zoo_sched.thread[self].starter;
		zoo_sched.thread[self].starter = -1;
	} else {
		next = zoo_sched_choose(self);
	}
	if (!zoo_sched.thread[next].polling)
		zoo_sched.changes++;

	if (next != self) {
		zoo_sched_hand_to(next);
		zoo_sched_wait_turn(self);
	}
	zoo_progress();
}

/* Park at a point named `text`, at `line`; return when it is passed. */
static void zoo_sched_point(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void zoo_sched_point(int line, const char *fmt, ...)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(th->next, sizeof th->next, fmt, ap);
	va_end(ap);
	th->next_line = line;
	th->state = ZOO_T_READY;
	if (!th->coroutine) /* a coroutine's point is a row, no choice */
		zoo_sched_yield();
	zoo_sched_row_add(zoo_sched_self, line, th->next);
}

/* A poll: a point that waits for others (see the top of this file). */
static ZOO_UNUSED void zoo_sched_poll(int line, const char *text)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];

	th->polling = true;
	th->polled_at = zoo_sched.changes;
	zoo_sched_point(line, "%s", text);
	th->polling = false;
	th->polled_at = zoo_sched.changes;
}

/* ---- the modelled calls ---- */

static void zoo_sched_hold(const pthread_mutex_t *m, int owner, const char *name)
{
	for (int i = 0; i < ZOO_SCHED_LOCKS; i++)
		if (zoo_sched.held[i].m == m) {
			zoo_sched.held[i].depth++;
			return;
		}
	for (int i = 0; i < ZOO_SCHED_LOCKS; i++)
		if (zoo_sched.held[i].m == NULL) {
			zoo_sched.held[i].m = m;
			zoo_sched.held[i].owner = owner;
			zoo_sched.held[i].depth = 1;
			snprintf(zoo_sched.held[i].name, sizeof zoo_sched.held[i].name, "%s", name);
			return;
		}
	zoo_finish(ZOO_USAGE, "the scheduler follows at most %d mutexes held at once", ZOO_SCHED_LOCKS);
}

static void zoo_sched_release(const pthread_mutex_t *m)
{
	for (int i = 0; i < ZOO_SCHED_LOCKS; i++)
		if (zoo_sched.held[i].m == m && --zoo_sched.held[i].depth == 0)
			zoo_sched.held[i].m = NULL;
}

/* Take m: park until it is free and this thread is picked. A mutex this
 * thread holds already is taken again only if trylock says it may (a
 * recursive one); a plain one leaves the thread waiting for itself. */
/* The running thread was picked while it wanted m, so m is free: take it. */
static void zoo_sched_took(pthread_mutex_t *m, int line)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];
	int rc = pthread_mutex_trylock(m);

	if (rc != 0)
		zoo_die_call(__FILE__, __LINE__, "pthread_mutex_trylock() of a mutex the scheduler saw free", rc);
	zoo_sched_hold(m, zoo_sched_self, th->on_name);
	th->state = ZOO_T_READY;
	zoo_sched_row_add(zoo_sched_self, line, th->next);
}

static void zoo_sched_take(pthread_mutex_t *m, const char *name, int line)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];
	int self = zoo_sched_self;

	snprintf(th->next, sizeof th->next, "locks %s", name);
	th->next_line = line;
	th->on = m;
	snprintf(th->on_name, sizeof th->on_name, "%s", name);
	if (zoo_sched_holder(m) == self && pthread_mutex_trylock(m) == 0) {
		zoo_sched_hold(m, self, name); /* recursive: one level deeper, at once */
		th->state = ZOO_T_READY;
		zoo_sched_yield();
		zoo_sched_row_add(self, line, th->next);
		return;
	}
	th->state = ZOO_T_LOCKING;
	if (th->coroutine && zoo_sched_holder(m) >= 0) {
		/* it blocks the thread it runs on, and every coroutine on it */
		char me[24], holder[24];
		zoo_sched_row_add(self, line, th->next);
		/* clang-format off */
		zoo_finish_at(line, ZOO_HANG, "no coroutine can move: %s waits for %s (line %d), held by %s, "
			      "suspended on the same thread, which now blocks", zoo_sched_name(self, me, sizeof me),
			      name, line, zoo_sched_name(zoo_sched_holder(m), holder, sizeof holder));
		/* clang-format on */
	}
	if (!th->coroutine)
		zoo_sched_yield();
	zoo_sched_took(m, line);
}

static ZOO_UNUSED void zoo_sched_lock(pthread_mutex_t *m, const char *expr, int line)
{
	char name[40];

	zoo_sched_object(name, sizeof name, m, expr);
	zoo_sched_take(m, name, line);
}

static ZOO_UNUSED void zoo_sched_unlock(pthread_mutex_t *m, const char *expr, int line)
{
	char name[40];

	zoo_sched_object(name, sizeof name, m, expr);
	zoo_sched_row_add(zoo_sched_self, line, "");
	zoo_sched_note("unlocks %s", name);
	zoo_sched_release(m);
	zoo_check(pthread_mutex_unlock(m));
}

static ZOO_UNUSED void zoo_sched_wait(pthread_cond_t *c, pthread_mutex_t *m, const char *cexpr,
				      const char *mexpr, int line)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];
	char cname[40], mname[40];

	zoo_sched_object(cname, sizeof cname, c, cexpr);
	zoo_sched_object(mname, sizeof mname, m, mexpr);
	zoo_sched_point(line, "waits on %s", cname);
	zoo_sched_release(m);
	zoo_check(pthread_mutex_unlock(m));
	th->state = ZOO_T_WAITING;
	th->on = c;
	snprintf(th->on_name, sizeof th->on_name, "%s", cname);
	th->relock = m;
	snprintf(th->relock_name, sizeof th->relock_name, "%s", mname);
	th->wait_seq = ++zoo_sched.wait_seq;
	snprintf(th->next, sizeof th->next, "wakes on %s", cname);
	zoo_sched_yield();
	/* signalled, the state became LOCKING; picked, the mutex is free */
	zoo_sched_took(m, line);
}

/* Wake the first waiter on c (all of them: broadcast), in the order they came. */
static ZOO_UNUSED void zoo_sched_signal(pthread_cond_t *c, const char *expr, int line, bool all)
{
	char name[40], who[24];
	int woken = 0;

	zoo_sched_object(name, sizeof name, c, expr);
	zoo_sched_row_add(zoo_sched_self, line, "");
	zoo_sched_note("%s %s", all ? "broadcasts" : "signals", name);
	for (;;) {
		int first = -1;
		for (int t = 0; t < zoo_sched.threads; t++) {
			const struct zoo_sched_thread *th = &zoo_sched.thread[t];
			if (th->state == ZOO_T_WAITING && th->on == c &&
			    (first < 0 || th->wait_seq < zoo_sched.thread[first].wait_seq))
				first = t;
		}
		if (first < 0)
			break;
		struct zoo_sched_thread *th = &zoo_sched.thread[first];
		th->state = ZOO_T_LOCKING;
		th->on = th->relock;
		memcpy(th->on_name, th->relock_name, sizeof th->on_name);
		zoo_sched_note("%s %s", woken++ ? "," : ": wakes", zoo_sched_name(first, who, sizeof who));
		if (!all)
			break;
	}
	if (woken == 0)
		zoo_sched_note(": nobody waits");
}

/* A new place in the schedule, for a thread or a process started by the
 * running thread: named after fn, numbered when several share it. */
static int zoo_sched_add(const char *fn)
{
	int id = zoo_sched.threads, nth = 1;

	if (id == ZOO_SCHED_THREADS)
		zoo_finish(ZOO_USAGE, "the scheduler follows at most %d threads and processes", ZOO_SCHED_THREADS);
	for (int i = 0; i < id; i++)
		nth += strcmp(zoo_sched.thread[i].fn, fn) == 0;
	zoo_sched.thread[id] = (struct zoo_sched_thread){
		/* clang-format off */
		.state = ZOO_T_READY, .fn = fn, .nth = nth, .starter = zoo_sched_self,
		/* clang-format on */
	};
	zoo_sched_cond_init(&zoo_sched.thread[id].turn);
	snprintf(zoo_sched.thread[id].next, sizeof zoo_sched.thread[id].next, "starts");
	zoo_sched.threads++;
	return id;
}

/* The new thread or process runs at once to its first point: what it does
 * before is its own. Its starter waits meanwhile. */
static void zoo_sched_run_to_first_point(int id)
{
	zoo_sched_hand_to(id);
	zoo_sched_wait_turn(zoo_sched_self);
	zoo_progress();
}

/* The running thread or process has ended: the next one moves. */
static void zoo_sched_ended(void)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];

	zoo_sched_row_add(zoo_sched_self, 0, "ends");
	for (int i = 0; i < ZOO_SCHED_LOCKS; i++)
		if (zoo_sched.held[i].m != NULL && zoo_sched.held[i].owner == zoo_sched_self)
			zoo_sched_note(", still holding %s", zoo_sched.held[i].name);
	th->state = ZOO_T_DONE;
	/* one that ended before any point goes back to its starter */
	zoo_sched_hand_to(th->starter >= 0 ? th->starter : zoo_sched_choose(zoo_sched_self));
}

/* Wait for thread or process `target` to end, as a join does. */
static void zoo_sched_await_end(int target)
{
	struct zoo_sched_thread *self = &zoo_sched.thread[zoo_sched_self];

	if (zoo_sched.thread[target].state == ZOO_T_DONE)
		return;
	self->state = ZOO_T_JOINING;
	self->joins = target;
	zoo_sched_yield();
	self->state = ZOO_T_READY;
}

static void *zoo_sched_trampoline(void *arg)
{
	struct zoo_sched_thread *th = arg;
	void *result;

	zoo_sched_self = (int)(th - zoo_sched.thread);
	zoo_sched_wait_turn(zoo_sched_self);
	zoo_sched_row_add(zoo_sched_self, 0, "starts");
	result = th->start(th->arg);
	zoo_sched_ended();
	return result;
}

static ZOO_UNUSED void zoo_sched_spawn(pthread_t *t, void *(*start)(void *), void *arg, const char *fn)
{
	int id = zoo_sched_add(fn);

	zoo_sched.thread[id].start = start;
	zoo_sched.thread[id].arg = arg;
	zoo_check(pthread_create(t, NULL, zoo_sched_trampoline, &zoo_sched.thread[id]));
	zoo_sched.thread[id].handle = *t;
	zoo_sched_run_to_first_point(id);
}

static ZOO_UNUSED void zoo_sched_join(pthread_t t)
{
	int target = -1;

	for (int i = 1; i < zoo_sched.threads; i++)
		if (zoo_sched.thread[i].pid == 0 && pthread_equal(zoo_sched.thread[i].handle, t))
			target = i;
	if (target < 0)
		zoo_finish(ZOO_USAGE, "zoo_thread_join() of a thread zoo_thread_start() did not start");
	zoo_sched_await_end(target);
	zoo_check(pthread_join(t, NULL));
}

/* ---- coroutines: columns that are not threads ---- */

/* A new coroutine's column, named after fn; -1 when the scheduler is off. */
static ZOO_UNUSED int zoo_coroutine(const char *fn)
{
	if (!zoo_sched_on)
		return -1;
	int id = zoo_sched_add(fn);
	struct zoo_sched_thread *th = &zoo_sched.thread[id];
	th->coroutine = true;
	th->starter = -1;
	th->state = ZOO_T_WAITING;
	return id;
}

/* The running thread, a coroutine scheduler, resumes one of n ready
 * coroutines (ready[i] its column, lines[i] where it goes on; in the order
 * the scheduler would take them): the index of the one picked. From here,
 * the running thread's rows go in that coroutine's column. */
static ZOO_UNUSED int zoo_resume_choice(const int *ready, const int *lines, int n)
{
	int pick, at = 0;

	if (!zoo_sched_on || n <= 0 || zoo_sched.thread[zoo_sched_self].coroutine)
		return 0; /* off, or a coroutine running one of its own */
	for (int i = 0; i < n; i++) {
		struct zoo_sched_thread *th = &zoo_sched.thread[ready[i]];
		th->state = ZOO_T_READY;
		th->next_line = lines[i];
		snprintf(th->next, sizeof th->next, "%s", lines[i] ? "is resumed" : "starts");
	}
	pick = zoo_sched_pick(ready[0], ready, n);
	for (int i = 0; i < n; i++) {
		zoo_sched.thread[ready[i]].state = ZOO_T_WAITING;
		at = ready[i] == pick ? i : at;
	}
	zoo_sched.changes++;
	zoo_sched_row_add(pick, zoo_sched.thread[pick].next_line, zoo_sched.thread[pick].next);
	zoo_sched_carrier = zoo_sched_self;
	zoo_sched_self = pick;
	return at;
}

/* The coroutine resumed has suspended or ended: the scheduler's rows again. */
static ZOO_UNUSED void zoo_resume_back(void)
{
	if (zoo_sched_on && zoo_sched.thread[zoo_sched_self].coroutine)
		zoo_sched_self = zoo_sched_carrier;
}

/* The running coroutine suspends at `line`: a row. */
static ZOO_UNUSED void zoo_coroutine_suspends(int line)
{
	struct zoo_sched_thread *th = &zoo_sched.thread[zoo_sched_self];

	if (!zoo_sched_on || !th->coroutine)
		return;
	zoo_sched_row_add(zoo_sched_self, line, "suspends");
	th->state = ZOO_T_WAITING;
	th->next_line = line;
}

/* A coroutine has ended: its column, too. */
static ZOO_UNUSED void zoo_coroutine_ended(int id)
{
	if (!zoo_sched_on || id < 0)
		return;
	zoo_sched_row_add(id, 0, "ends");
	zoo_sched.thread[id].state = ZOO_T_DONE;
}

/* ---- processes: a child of zoo_fork() is one more thread ---- */

/* In the child, just after fork(): wait for its turn, then run to its first point. */
static ZOO_UNUSED void zoo_sched_fork_child(int id)
{
	zoo_sched_self = id;
	zoo_sched_wait_turn(id);
	zoo_sched_row_add(id, 0, "starts");
}

/* In the parent: the child runs at once to its first point, as a thread does. */
static ZOO_UNUSED void zoo_sched_fork_parent(int id, pid_t pid)
{
	zoo_sched.thread[id].pid = pid;
	zoo_sched_run_to_first_point(id);
}

/* zoo_wait_child(): like a join, on the child's place in the schedule. */
static ZOO_UNUSED void zoo_sched_wait_child(pid_t pid)
{
	for (int i = 1; i < zoo_sched.threads; i++)
		if (zoo_sched.thread[i].pid == pid)
			zoo_sched_await_end(i);
}

/* A child process that ends the run (its zoo_finish, or the hang it found)
 * hands the end to the first process, which prints the trace and the line. */
static void zoo_sched_delegate_end(void)
{
	int status = zoo_sched.ending - 1;

	zoo_sched.ending = 0;
	zoo_finish_at(zoo_sched.ending_line, (enum zoo_status)status, "%s", zoo_sched.ending_message);
}

/* ---- the end of a scheduled run ---- */

static void zoo_sched_hang(const char *why)
{
	char text[600], name[24], what[120];
	size_t len = 0;

	(void)why;
	len += (size_t)snprintf(text, sizeof text, "no thread can move:");
	for (int t = 0; t < zoo_sched.threads && len < sizeof text; t++) {
		if (zoo_sched.thread[t].state == ZOO_T_DONE || (t == 0 && zoo_sched.thread[t].state == ZOO_T_JOINING))
			continue;
		zoo_sched_blocked_on(t, what, sizeof what);
		len += (size_t)snprintf(text + len, sizeof text - len, "%s %s %s", len > 20 ? ";" : "",
					zoo_sched_name(t, name, sizeof name), what);
	}
	zoo_finish(ZOO_HANG, "%s", text);
}

/* Called by zoo_finish() before the result line: the trace, and the outcome for the explorer. */
static void zoo_sched_end(int status, int line, const char *message)
{
	char ending[2200], name[24];

	if (getpid() != zoo_sched.main_pid) {
		zoo_sched.ending = status + 1;
		zoo_sched.ending_line = line;
		snprintf(zoo_sched.ending_message, sizeof zoo_sched.ending_message, "%.590s", message);
		zoo_sched_hand_to(0);
		_exit(status);
	}

	if (zoo_sched.log != NULL) {
		struct zoo_sched_log *log = zoo_sched.log;
		log->status = status;
		log->rows = zoo_sched.rows;
		log->threads = zoo_sched.threads;
		snprintf(log->message, sizeof log->message, "%.590s", message);
		for (int t = 0; t < zoo_sched.threads; t++)
			zoo_sched_name(t, log->names[t], sizeof log->names[t]);
	}
	if (!zoo_sched.trace)
		return;
	zoo_sched_name(zoo_sched_self, name, sizeof name);
	if (status == ZOO_HANG && zoo_sched.trace == 1) {
		/* one waiting thread a line: "no thread can move: a; b" */
		size_t at = (size_t)snprintf(ending, sizeof ending, "hang: ");
		for (const char *m = message; *m != '\0' && at < sizeof ending - 8; m++) {
			if ((m[0] == ':' && m == strchr(message, ':')) || m[0] == ';') {
				at += (size_t)snprintf(ending + at, sizeof ending - at, "%s\n      ", m[0] == ':' ? ":" : "");
				m += m[1] == ' ';
			} else {
				ending[at++] = *m;
				ending[at] = '\0';
			}
		}
	} else if (status == ZOO_HANG)
		snprintf(ending, sizeof ending, "hang: %s", message);
	else if (status == ZOO_UNFINISHED)
		snprintf(ending, sizeof ending, "stopped: %s", message);
	else if (status == ZOO_CLEAN)
		snprintf(ending, sizeof ending, "the run ends clean: %s", message);
	else if (line > 0)
		snprintf(ending, sizeof ending, "%s, line %d: %s: %s", name, line, zoo_status_text(status), message);
	else /* no line of the program's: the runtime's own check */
		snprintf(ending, sizeof ending, "%s: %s: %s", name, zoo_status_text(status), message);
	zoo_sched_print_trace(ending);
	if (zoo_sched.mode == ZOO_SCHED_PLAY)
		printf("%d move%s%s.\n", zoo_sched.moves, zoo_sched.moves == 1 ? "" : "s",
		       zoo_sched.listed ? ", from the schedule and then the default order" : "");
	if (zoo_sched.schedule_at != NULL && *zoo_sched.schedule_at != '\0')
		printf("(the run ended before the schedule did: %s was left)\n", zoo_sched.schedule_at);
	if (zoo_sched.log != NULL)
		_exit(status); /* the explorer's replay: the explorer says the result */
}

#include "zoo-explore.h"

/* Read the scheduler's knobs (zoo_start(), before anything else starts). */
static void zoo_sched_setup(void)
{
	const char *schedule = getenv("ZOO_SCHEDULE"), *explore = getenv("ZOO_EXPLORE");
	const char *trace = getenv("ZOO_TRACE"), *source = getenv("ZOO_SOURCE");
	long bound = 0, budget = 10;

	if (trace != NULL && *trace != '\0') {
		if (strcmp(trace, "text") != 0 && strcmp(trace, "markdown") != 0)
			zoo_usage_error("ZOO_TRACE='%s' is not text or markdown", trace);
		zoo_sched.trace = strcmp(trace, "markdown") == 0 ? 2 : 1;
	}
	bool scheduled = (schedule != NULL && *schedule != '\0') || (explore != NULL && *explore != '\0');
	if (!scheduled) {
		if (zoo_sched.trace)
			zoo_usage_error("ZOO_TRACE traces a scheduled run: set ZOO_SCHEDULE or ZOO_EXPLORE too");
		return;
	}
#if defined(ZOO_TSAN) || defined(ZOO_ASAN)
	zoo_usage_error("the scheduler (ZOO_SCHEDULE, ZOO_EXPLORE) runs on the plain build only");
#endif
	if (RUNNING_ON_VALGRIND)
		zoo_usage_error("the scheduler (ZOO_SCHEDULE, ZOO_EXPLORE) does not run under Valgrind");
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	zoo_color = isatty(STDOUT_FILENO) && (no_color == NULL || *no_color == '\0') && term != NULL &&
		    strcmp(term, "dumb") != 0; /* as harness/lib/core.bash decides */
	zoo_sched_map_page();
	zoo_sched_on = true;
	/* One CPU for all the run's threads: each hand-over is then a switch on
	 * that CPU, not a wakeup across CPUs, which a loaded machine delays. */
	cpu_set_t one;
	int cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) != 0) {
		/* not allowed here: the hand-overs are only slower */
	}
	zoo_sched.threads = 1;
	zoo_sched.thread[0] = (struct zoo_sched_thread){
		/* clang-format off */
		.state = ZOO_T_READY, .fn = "main", .nth = 1, .starter = -1,
		/* clang-format on */
	};
	zoo_sched_cond_init(&zoo_sched.thread[0].turn);
	if (source != NULL && *source != '\0') {
		FILE *f = fopen(source, "r");
		char line[400];
		if (f == NULL)
			zoo_usage_error("ZOO_SOURCE='%s': %s", source, strerror(errno));
		while (zoo_sched.source_lines < 2000 && fgets(line, sizeof line, f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			zoo_sched.source[zoo_sched.source_lines++] = strdup(line);
		}
		fclose(f);
	}
	if (explore != NULL && *explore != '\0') {
		zoo_knob("ZOO_EXPLORE", &bound, 0, 9);
		zoo_knob("ZOO_BUDGET", &budget, 1, 600);
		if (schedule != NULL && *schedule != '\0')
			zoo_usage_error("ZOO_EXPLORE runs every schedule: ZOO_SCHEDULE cannot be set too");
		zoo_explore(bound, budget); /* returns in each child */
		return;
	}
	if (strcmp(schedule, "play") == 0 || strncmp(schedule, "play:", 5) == 0 || strncmp(schedule, "step:", 5) == 0) {
		zoo_sched.mode = ZOO_SCHED_PLAY;
		zoo_sched.pause = schedule[0] == 's';
		schedule = schedule[4] == ':' ? schedule + 5 : NULL;
		zoo_sched.listed = schedule != NULL;
	} else {
		zoo_sched.mode = ZOO_SCHED_LIST;
	}
	zoo_sched.schedule_at = zoo_sched.schedule; /* empty: the default order */
	if (schedule != NULL && strcmp(schedule, "default") != 0) {
		if (strlen(schedule) >= sizeof zoo_sched.schedule ||
		    strspn(schedule, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_,") != strlen(schedule))
			zoo_usage_error("ZOO_SCHEDULE='%s' is not a list of thread names, like consumer,producer", schedule);
		snprintf(zoo_sched.schedule, sizeof zoo_sched.schedule, "%s", schedule);
	}
}

#endif /* ZOO_SCHED_H */
