/*
 * harness/zoo.h: the one header every zoo program includes.
 *
 * A program fills in a `struct zoo_program` (what it does, what its watchdog
 * waits for, the knobs it reads and their defaults) and calls zoo_start() first thing in main(),
 * before any thread or child exists. Everything else here is small and optional:
 *
 *   knobs        ZOO_ITERS, ZOO_THREADS, ZOO_WIDEN (microseconds of delay in
 *                the race window, 0 = natural schedule), ZOO_SEED, ZOO_QUIET
 *                and ZOO_TIMEOUT (the watchdog's), read once from the
 *                environment into `zoo`; --help lists those the program's
 *                .reads names, and setting another is bad usage. Reading them
 *                later, from the threads, would itself be a data race.
 *   watchdog     a detached thread that ends a hung run with status HANG and
 *                one line naming what the program was waiting for. A run is
 *                hung when no progress was counted for ZOO_QUIET ms (0: 250,
 *                more under a sanitizer or Valgrind, always plus ZOO_WIDEN),
 *                or when it has not finished after ZOO_TIMEOUT s. It kills
 *                the run's children too.
 *   progress     a counter the wrappers below bump after each success (lock,
 *                wait, signal, thread start and join, barrier, cue, widen,
 *                fork, child reaped); a long loop that calls none of them
 *                calls zoo_progress(). zoo_sleep_us() is not progress: a
 *                program that polls forever is hung. The counter is a relaxed
 *                atomic in a page hidden from Helgrind and DRD, so no detector
 *                can take it for synchronization.
 *   steps        zoo_step("text") marks a point where the order of the threads
 *                matters, named for what the thread does next; unused, it
 *                costs one test of a flag. zoo_poll("text") is the step of a
 *                loop that waits for another thread to change something. zoo trace, zoo play and zoo explore pick the
 *                order of the threads at these points and at every wrapped
 *                call below (harness/zoo-sched.h). zoo_show(v) in main() puts
 *                v on the player's screen.
 *   wideners     zoo_widen() sleeps ZOO_WIDEN us; zoo_cue_await() sleeps until
 *                a cue was given N times or ZOO_WIDEN us have passed, and
 *                zoo_cue_await_next() until once more than its awaiter has had;
                zoo_cue_asleep(tid) until that thread or process sleeps in the
                kernel (a blocking read, a futex wait), to signal or wake it
                only then;
 *                zoo_preempt_start()/_stop() interrupt a thread now and then,
 *                wherever it is, and hold it off its CPU (a race in one line).
 *                zoo_clock_step("-1h") steps the wall clock for this program
 *                alone, when the harness runs it under libfaketime (this one
 *                also under the scheduler).
 *                Under the scheduler they do nothing: it orders the threads.
 *                They are test plumbing: the learner's copy leaves their lines
 *                out (harness/lib/header.bash), so each is a whole statement.
 *                Cues are relaxed atomics hidden from Helgrind and DRD: they
 *                create no happens-before edge any detector could see, so
 *                they force an interleaving without hiding the race.
 *   zoo_check()  always-on checks of pthread calls (unlike assert, which
 *                NDEBUG removes); zoo_lock(), zoo_wait() and friends use it.
 *                zoo_die_errno() stops the run after a call that sets errno.
 *   measuring    zoo_now_ns() (the monotonic clock), zoo_pin_to_cpu() (two
 *                threads side by side on two CPUs), zoo_cpu_relax() (a spin
 *                loop's pause): for the programs that time a cost.
 *   zoo_scoped_lock(m)  holds m until the enclosing block ends, on every path.
 *   processes    zoo_fork() (from the main thread) makes a child that counts
 *                progress for the parent's watchdog and dies with the run;
 *                zoo_wait_child() reaps it and returns its status as a shell
 *                sees it; the child ends with zoo_child_exit(). zoo_sibling()
 *                is the path of another program of the same build, to exec;
 *                an exec'd program calls zoo_start() and has its own watchdog,
 *                and accepts the knobs its parent was given without reading them.
 *   IPC names    zoo_ipc_name() and zoo_ipc_key() name POSIX objects and SysV
 *                keys after ZOO_IPC_PREFIX and ZOO_IPC_KEY, so the harness can
 *                remove whatever a run leaves behind. Name every object so.
 *   zoo_finish() the one result line and the exit status, from the table in
 *                exit-status.def (clean, invariant, usage, hang, unfinished,
 *                report).
 */
#ifndef ZOO_H
#define ZOO_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/drd.h>
#include <valgrind/helgrind.h>
#include <valgrind/valgrind.h>

/* Which sanitizer is built in (gcc's macros, then clang's): the watchdog
 * allows each its own slowness. Valgrind is found at run time instead. */
#if defined(__SANITIZE_THREAD__)
#define ZOO_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ZOO_ASAN 1
#endif
#ifdef __has_feature
#if __has_feature(thread_sanitizer)
#define ZOO_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define ZOO_ASAN 1
#endif
#endif

enum zoo_status {
#define ZOO_STATUS(name, code, what) ZOO_##name = code,
#include "exit-status.def"
#undef ZOO_STATUS
};

struct zoo_knobs {
	long iters;     /* ZOO_ITERS: how many rounds of the program's work */
	long threads;   /* ZOO_THREADS: how many worker threads */
	long widen_us;  /* ZOO_WIDEN: microseconds spent inside the race window */
	long seed;      /* ZOO_SEED: seed for zoo_random() */
	long timeout_s; /* ZOO_TIMEOUT: seconds before the watchdog ends any run */
	long quiet_ms;  /* ZOO_QUIET: milliseconds without progress that are a hang (0: automatic) */
};

struct zoo_program {
	const char *what;   /* one sentence: what the program does */
	const char *awaits; /* what a hang is waiting for, for the watchdog */
	const char *reads;  /* the knobs it reads beside ZOO_QUIET, ZOO_TIMEOUT and
			       ZOO_WIDEN, e.g. "ZOO_ITERS ZOO_THREADS"; setting another
			       is bad usage */
	long widen_us;      /* ZOO_WIDEN's default; 0: the program has no window to
			       widen and does not read ZOO_WIDEN (test plumbing:
			       the learner's copy leaves this line out) */
	struct zoo_knobs defaults;
};

/* The knobs in force, set once by zoo_start() before any thread starts. */
static struct zoo_knobs zoo;

/* True when the scheduler runs the threads one at a time (zoo-sched.h); set
 * once by zoo_start() before any thread starts, like the knobs. */
static bool zoo_sched_on;
static void zoo_sched_point(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void zoo_sched_lock(pthread_mutex_t *m, const char *expr, int line);
static void zoo_sched_unlock(pthread_mutex_t *m, const char *expr, int line);
static void zoo_sched_end(int status, int line, const char *message);
static int zoo_sched_add(const char *fn);
static void zoo_sched_fork_child(int id);
static void zoo_sched_fork_parent(int id, pid_t pid);
static void zoo_sched_ended(void);
static void zoo_sched_wait_child(pid_t pid);
static void zoo_sched_poll(int line, const char *text);

#define ZOO_UNUSED __attribute__((unused))
#define ZOO_CAT_(a, b) a##b
#define ZOO_CAT(a, b) ZOO_CAT_(a, b)

static const char *zoo_name = "zoo";
static const char *zoo_awaits = "the program to finish";

/*
 * The shared page: mapped by zoo_start() before any thread or fork, so every
 * child made by zoo_fork() bumps the same progress counter the parent's
 * watchdog reads, and the watchdog finds every child to kill. It is hidden
 * from Helgrind and DRD and touched only with relaxed atomics: it must never
 * look like synchronization (or like a race) to any detector.
 */
#define ZOO_MAX_CHILDREN 64

struct zoo_shared {
	atomic_ulong progress;                    /* bumped by zoo_progress() */
	_Atomic pid_t children[ZOO_MAX_CHILDREN]; /* the run's live children; 0: a free slot */
	_Atomic pid_t helpers[ZOO_MAX_CHILDREN];  /* children that exec a zoo program (zoo_sibling) */
};

static struct zoo_shared zoo_page_early; /* stands in until zoo_start() maps the page */
static struct zoo_shared *zoo_page = &zoo_page_early;

/* 1 once zoo_finish() or the watchdog has begun to end the run (this process only). */
static atomic_int zoo_ending;
/* True in a process made by zoo_fork(). */
static ZOO_UNUSED bool zoo_in_child;

/* Something happened: the watchdog's quiet clock starts again. */
static inline void zoo_progress(void)
{
	atomic_fetch_add_explicit(&zoo_page->progress, 1, memory_order_relaxed);
}

/* Claim the end of the run: true for the first caller only. */
static bool zoo_claim_end(void)
{
	int expected = 0;

	return atomic_compare_exchange_strong_explicit(&zoo_ending, &expected, 1, memory_order_relaxed,
						       memory_order_relaxed);
}

/* Wait for the other thread that is ending the run, rather than race its exit(). */
static __attribute__((noreturn)) void zoo_park(void)
{
	for (;;)
		pause();
}

static ZOO_UNUSED const char *zoo_status_text(enum zoo_status status)
{
	/* clang-format off */
	switch (status) {
#define ZOO_STATUS(name, code, what) case ZOO_##name: return what;
#include "exit-status.def"
#undef ZOO_STATUS
	}
	/* clang-format on */
	return "unknown status";
}

static pthread_t zoo_main_thread;
static void zoo_watchdog_stop(void);

/* Print the program's one result line and exit with `status`; `line` is the
 * caller's, for the scheduler's trace. zoo_finish(status, fmt, ...) is the macro. */
/* clang-format off */
static ZOO_UNUSED __attribute__((noreturn, format(printf, 3, 4)))
void zoo_finish_at(int line, enum zoo_status status, const char *fmt, ...)
/* clang-format on */
{
	char message[2048];
	va_list ap;

	/* The watchdog's work is over. Stopping it also spares a TSan build
	 * the second TSan sleeps at exit while another thread is alive. */
	if (pthread_equal(pthread_self(), zoo_main_thread))
		zoo_watchdog_stop();
	if (!zoo_claim_end())
		zoo_park(); /* the watchdog (or another finish) got there first */
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	if (zoo_sched_on)
		zoo_sched_end(status, line, message);
	printf("%s: %s: %s\n", zoo_name, zoo_status_text(status), message);
	fflush(stdout);
	exit(status);
}
#define zoo_finish(...) zoo_finish_at(__LINE__, __VA_ARGS__)

/* A failed pthread or system call is never part of the lesson: say where, and stop. */
/* clang-format off */
static ZOO_UNUSED __attribute__((noreturn))
void zoo_die_call(const char *file, int line, const char *call, int rc)
/* clang-format on */
{
	fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, call, strerror(rc));
	zoo_finish(ZOO_INVARIANT, "a pthread or system call failed (see above)");
}

#define zoo_check(call)                                                     \
	do {                                                                \
		int zoo_rc_ = (call);                                       \
		if (zoo_rc_ != 0)                                           \
			zoo_die_call(__FILE__, __LINE__, #call, zoo_rc_);   \
	} while (0)

/* For calls that report failure through errno: if (x < 0) zoo_die_errno("x"). */
#define zoo_die_errno(what) zoo_die_call(__FILE__, __LINE__, (what), errno)

/* A checked call that, once it succeeded, counts as progress. */
#define zoo_check_step(call)                                                \
	do {                                                                \
		zoo_check(call);                                            \
		zoo_progress();                                             \
	} while (0)

/* Each wrapper is the plain call, or, under the scheduler, its model (zoo-sched.h). */
#define zoo_sched_or(model, call)                                           \
	do {                                                                \
		if (zoo_sched_on)                                           \
			model;                                              \
		else                                                        \
			zoo_check_step(call);                               \
	} while (0)
#define zoo_lock(m) zoo_sched_or(zoo_sched_lock((m), #m, __LINE__), pthread_mutex_lock(m))
#define zoo_unlock(m) zoo_sched_or(zoo_sched_unlock((m), #m, __LINE__), pthread_mutex_unlock(m))
#define zoo_wait(c, m) zoo_sched_or(zoo_sched_wait((c), (m), #c, #m, __LINE__), pthread_cond_wait((c), (m)))
#define zoo_signal(c) zoo_sched_or(zoo_sched_signal((c), #c, __LINE__, false), pthread_cond_signal(c))
#define zoo_broadcast(c) zoo_sched_or(zoo_sched_signal((c), #c, __LINE__, true), pthread_cond_broadcast(c))
#define zoo_thread_start(t, fn, arg) \
	zoo_sched_or(zoo_sched_spawn((t), (fn), (arg), #fn), pthread_create((t), NULL, (fn), (arg)))
#define zoo_thread_join(t) zoo_sched_or(zoo_sched_join(t), pthread_join((t), NULL))
#define zoo_barrier_wait(b)                                                                     \
	zoo_sched_or(zoo_finish(ZOO_USAGE, "the scheduler does not model barriers (zoo_barrier_wait)"), \
		     zoo_barrier_rc(pthread_barrier_wait(b)))

/* A poll: a step in a loop that waits for another thread or process to
 * change something; under the scheduler it moves only after another has. */
#define zoo_poll(text)                                                      \
	do {                                                                \
		if (zoo_sched_on)                                           \
			zoo_sched_poll(__LINE__ + 1, (text));               \
	} while (0)

/* A named step: a point where the order of the threads matters, on the line
 * before the statement it names (the line the trace shows). */
#define zoo_step(text)                                                      \
	do {                                                                \
		if (zoo_sched_on)                                           \
			zoo_sched_point(__LINE__ + 1, "%s", (text));        \
	} while (0)

/* pthread_barrier_wait returns PTHREAD_BARRIER_SERIAL_THREAD to one waiter. */
static inline int zoo_barrier_rc(int rc)
{
	return rc == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : rc;
}

/* The scoped lock: released by the compiler on every way out of the block. */
struct zoo_guard {
	pthread_mutex_t *m;
	const char *name; /* for the scheduler's trace */
};

static inline struct zoo_guard zoo_guard_take(pthread_mutex_t *m, const char *name, int line)
{
	zoo_sched_or(zoo_sched_lock(m, name, line), pthread_mutex_lock(m));
	return (struct zoo_guard){ m, name };
}

static inline void zoo_guard_drop(struct zoo_guard *g)
{
	zoo_sched_or(zoo_sched_unlock(g->m, g->name, 0), pthread_mutex_unlock(g->m));
}

#define zoo_scoped_lock(m)                                                  \
	struct zoo_guard ZOO_CAT(zoo_guard_, __LINE__)                      \
		__attribute__((cleanup(zoo_guard_drop), unused)) = zoo_guard_take((m), #m, __LINE__)

/* One spin-wait hint to the CPU (x86's pause, Arm's yield): a short delay inside a spin loop. */
static inline void zoo_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	/* clang-format off */
	__asm__ __volatile__("yield" ::: "memory");
	/* clang-format on */
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* The monotonic clock in nanoseconds, for a program that times itself. */
static inline long zoo_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Keeps the calling thread on CPU `cpu` (modulo the CPUs online), so that two
 * threads pinned to 0 and 1 run side by side; on one CPU it does nothing. */
static inline void zoo_pin_to_cpu(long cpu)
{
	cpu_set_t set;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET((int)(cpu % cpus), &set);
	zoo_check(pthread_setaffinity_np(pthread_self(), sizeof set, &set));
}

/* Not progress: a program that only sleeps and polls is as hung as one that blocks. */
static ZOO_UNUSED void zoo_sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Step the wall clock by OFFSET ("-1h", "+90s": libfaketime's offsets from the
 * real time), for this program only: test plumbing, as a widener is. A run
 * with ZOO_WALL_CLOCK=stepped (lib/run.bash) preloads libfaketime, which
 * fakes the wall clock (time, gettimeofday, CLOCK_REALTIME) from the file
 * FAKETIME_TIMESTAMP_FILE names, read again at every reading, and leaves
 * CLOCK_MONOTONIC alone; writing OFFSET into that file steps the clock at
 * once. The offset is from the real time, not from the last step, so calling
 * this again with the same OFFSET changes nothing. Without the file (a run by
 * hand, with no libfaketime) it does nothing.
 */
static ZOO_UNUSED void zoo_clock_step(const char *offset)
{
	const char *path = getenv("FAKETIME_TIMESTAMP_FILE");
	char line[32];
	int fd, len;

	if (path == NULL)
		return;
	len = snprintf(line, sizeof line, "%s\n", offset);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)len) != len)
		zoo_die_errno("zoo_clock_step: cannot write the clock's offset into FAKETIME_TIMESTAMP_FILE");
	close(fd);
}

/* Sleep inside the race window; no synchronization, so no detector sees it. */
static ZOO_UNUSED void zoo_widen(void)
{
	if (zoo.widen_us > 0 && !zoo_sched_on)
		zoo_sleep_us(zoo.widen_us);
	zoo_progress();
}

/*
 * A cue: one thread says "I have reached this point", another waits for it,
 * but only for ZOO_WIDEN microseconds: one order of the threads, the one the
 * bug needs, for runs under a detector. A step (zoo_step) is the general
 * case: a point where the scheduler may take any order. Under the scheduler
 * an await does not wait, but still counts. Relaxed atomics carry no ordering, and
 * the word is hidden from Helgrind and DRD, so the cue forces an interleaving
 * without creating the happens-before edge that would hide the bug. A fixed
 * program that never gives the cue just loses ZOO_WIDEN microseconds.
 */
struct zoo_cue {
	atomic_uint given;
	unsigned awaited; /* the cues zoo_cue_await_next() has had: its one awaiter's own */
};

static void zoo_cue_hide(struct zoo_cue *cue)
{
	VALGRIND_HG_DISABLE_CHECKING(&cue->given, sizeof cue->given);
	DRD_IGNORE_VAR(cue->given);
}

static ZOO_UNUSED void zoo_cue_give(struct zoo_cue *cue)
{
	zoo_cue_hide(cue);
	atomic_fetch_add_explicit(&cue->given, 1, memory_order_relaxed);
	zoo_progress();
}

static long zoo_now_us(void)
{
	return zoo_now_ns() / 1000;
}

/*
 * Wait until the cue was given `count` times in all; false if ZOO_WIDEN us
 * passed first. The deadline is on the clock, not a count of sleeps, so a
 * loaded machine that oversleeps each step does not stretch the wait.
 */
static ZOO_UNUSED bool zoo_cue_await(struct zoo_cue *cue, unsigned count)
{
	long deadline = zoo_now_us() + zoo.widen_us;
	bool given = true;

	zoo_cue_hide(cue);
	while (atomic_load_explicit(&cue->given, memory_order_relaxed) < count) {
		if (zoo_sched_on || zoo_now_us() >= deadline) {
			given = false;
			break;
		}
		zoo_sleep_us(100);
	}
	zoo_progress();
	return given;
}

/*
 * For a cue with one awaiter: wait for the next cue this awaiter has not had
 * yet. A wait that times out takes none, so a program that gives the cue less
 * often than it is awaited (a learner's fix, say) falls back in step. With
 * ZOO_WIDEN=0 it touches nothing, so several threads may call it then.
 */
static ZOO_UNUSED bool zoo_cue_await_next(struct zoo_cue *cue)
{
	bool given;

	if (zoo.widen_us == 0) /* the natural schedule: no cue is awaited, by any number of threads */
		return false;
	given = zoo_cue_await(cue, cue->awaited + 1);
	cue->awaited += given;
	return given;
}

/*
 * Wait until thread or process `tid` (a child's pid, or a thread's gettid())
 * sleeps in the kernel: state S in /proc/TID/stat, as in a blocking read or
 * a futex wait. True once it does; false if ZOO_WIDEN us passed first (or
 * there is no such thread). A signal or a wake sent only then finds the
 * target inside its blocking call, which no cue given just before that call
 * can promise. The target must have no other sleep on its way there (a
 * widener, a sleeping poll), or the cue may see that one. Only the target's
 * state is read: no synchronization any detector could see. Under the
 * scheduler it does not wait, but still counts.
 */
static ZOO_UNUSED bool zoo_cue_asleep(pid_t tid)
{
	long deadline = zoo_now_us() + zoo.widen_us;
	char path[64], status_line[512];
	bool asleep = false;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)tid);
	while (!zoo_sched_on) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd < 0 ? -1 : read(fd, status_line, sizeof status_line - 1);

		if (fd >= 0)
			close(fd);
		if (len > 0) {
			status_line[len] = '\0';
			/* "pid (name) S ...": the name may hold spaces and parentheses */
			const char *name_end = strrchr(status_line, ')');

			if (name_end != NULL && name_end[1] == ' ' && name_end[2] == 'S') {
				asleep = true;
				break;
			}
		}
		if (zoo_now_us() >= deadline)
			break;
		zoo_sleep_us(100);
	}
	zoo_progress();
	return asleep;
}

/*
 * Preemption, for a race inside one line (`counter++` is a load and a store):
 * between zoo_preempt_start() and zoo_preempt_stop() the calling thread is
 * interrupted every ZOO_PREEMPT_EVERY_US and held off its CPU for
 * ZOO_PREEMPT_HOLD_US, wherever it is, so that the others run meanwhile. A
 * timer and a sleeping signal handler: no synchronization any detector can
 * see. Test plumbing like the cues (a line of its own each); nothing at all
 * when ZOO_WIDEN is 0.
 */
#define ZOO_PREEMPT_EVERY_US 300
#define ZOO_PREEMPT_HOLD_US 200

static _Thread_local timer_t zoo_preempt_timer;
static _Thread_local bool zoo_preempt_armed;

static void zoo_preempt_hold(int sig)
{
	int saved = errno;
	struct timespec hold = { .tv_sec = 0, .tv_nsec = ZOO_PREEMPT_HOLD_US * 1000L };

	(void)sig;
	nanosleep(&hold, NULL); /* async-signal-safe */
	errno = saved;
}

static ZOO_UNUSED void zoo_preempt_start(void)
{
	struct sigaction act = { .sa_handler = zoo_preempt_hold, .sa_flags = SA_RESTART };
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN + 1 };
	struct itimerspec every = {
		.it_value = { .tv_sec = 0, .tv_nsec = ZOO_PREEMPT_EVERY_US * 1000L },
		.it_interval = { .tv_sec = 0, .tv_nsec = ZOO_PREEMPT_EVERY_US * 1000L },
	};

	if (zoo.widen_us == 0 || zoo_preempt_armed || zoo_sched_on)
		return;
	sigemptyset(&act.sa_mask);
	if (sigaction(SIGRTMIN + 1, &act, NULL) != 0)
		zoo_die_errno("sigaction(the preemption signal)");
	ev._sigev_un._tid = (pid_t)gettid(); /* glibc 2.36 has no sigev_notify_thread_id macro */
	if (timer_create(CLOCK_MONOTONIC, &ev, &zoo_preempt_timer) != 0)
		zoo_die_errno("timer_create(for preemption)");
	if (timer_settime(zoo_preempt_timer, 0, &every, NULL) != 0)
		zoo_die_errno("timer_settime(for preemption)");
	zoo_preempt_armed = true;
}

static ZOO_UNUSED void zoo_preempt_stop(void)
{
	if (!zoo_preempt_armed)
		return;
	if (timer_delete(zoo_preempt_timer) != 0)
		zoo_die_errno("timer_delete(for preemption)");
	zoo_preempt_armed = false;
}

/* splitmix64: a small, seedable generator for programs that need one. */
static ZOO_UNUSED uint64_t zoo_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* The quiet time that is a hang when ZOO_QUIET is 0, before ZOO_WIDEN is added. */
static long zoo_quiet_auto_ms(void)
{
	if (RUNNING_ON_VALGRIND)
		return 2000; /* every instruction is translated, and threads take turns */
#if defined(ZOO_TSAN)
	return 1500; /* a report's symbolizer can take this long: never fire mid-report */
#elif defined(ZOO_ASAN)
	return 1000;
#else
	return 250;
#endif
}

/* Record a child for the watchdog to kill; forget it once reaped. */
static bool zoo_pid_add(_Atomic pid_t *table, pid_t pid)
{
	for (int i = 0; i < ZOO_MAX_CHILDREN; i++) {
		pid_t free_slot = 0;

		if (atomic_compare_exchange_strong_explicit(&table[i], &free_slot, pid,
							    memory_order_relaxed, memory_order_relaxed))
			return true;
	}
	return false;
}

static void zoo_pid_forget(_Atomic pid_t *table, pid_t pid)
{
	for (int i = 0; i < ZOO_MAX_CHILDREN; i++) {
		pid_t slot = pid;

		if (atomic_compare_exchange_strong_explicit(&table[i], &slot, 0,
							    memory_order_relaxed, memory_order_relaxed))
			return;
	}
}

/*
 * A child that exec'd a zoo program runs that program's own watchdog, which
 * ends it if it hangs: while one is still running (not yet exited: WNOWAIT
 * leaves it for zoo_wait_child), the parent is waiting, not hung. Its
 * start-up alone can take a second under Valgrind.
 */
static bool zoo_helper_running(void)
{
	for (int i = 0; i < ZOO_MAX_CHILDREN; i++) {
		pid_t pid = atomic_load_explicit(&zoo_page->helpers[i], memory_order_relaxed);
		siginfo_t info = { .si_pid = 0 };

		if (pid > 0 && waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    info.si_pid == 0)
			return true;
	}
	return false;
}

/* End a hung run: the line, then every child killed and reaped, then exit. */
static __attribute__((noreturn)) void zoo_hang(const char *line, size_t len)
{
	pid_t pids[ZOO_MAX_CHILDREN];

	if (!zoo_claim_end())
		zoo_park(); /* zoo_finish() is already ending the run */
	if (write(STDOUT_FILENO, line, len) < 0) {
		/* stdout is gone; the exit status still says HANG */
	}
	for (int i = 0; i < ZOO_MAX_CHILDREN; i++) {
		pids[i] = atomic_exchange_explicit(&zoo_page->children[i], 0, memory_order_relaxed);
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	}
	/* A grandchild is not ours to reap (ECHILD); the main thread may have
	 * reaped one already, and then parks in zoo_wait_child(). */
	for (int i = 0; i < ZOO_MAX_CHILDREN; i++)
		while (pids[i] > 0 && waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	/* exit(), not _exit(): a sanitizer's exit hook must still turn a run
	 * that also reported into status REPORT, as Valgrind does. */
	exit(ZOO_HANG);
}

/*
 * The watchdog polls the progress counter on the monotonic clock. A poll that
 * came far too late (the watchdog itself was not running) restarts the quiet
 * clock: the program cannot be blamed for a silence nobody watched.
 * write(), not stdio, since a hung thread may hold stdout's lock.
 * zoo_fork() stops the thread and starts it again; its state lives on here,
 * touched only by the watchdog (thread create and join order the turns).
 */
#define ZOO_POLL_MS 20

static struct {
	long started, polled, quiet_since; /* microseconds on CLOCK_MONOTONIC */
	unsigned long seen;                /* the progress count at quiet_since */
} zoo_watch;
static pthread_t zoo_watchdog_thread;
static bool zoo_watchdog_running; /* main thread only */
static int zoo_wake_fd = -1;      /* an eventfd: readable when the watchdog must stop */

static void *zoo_watchdog(void *arg)
{
	struct pollfd wake = { .fd = zoo_wake_fd, .events = POLLIN };
	char line[512];
	int len;

	(void)arg;
	for (;;) {
		if (poll(&wake, 1, ZOO_POLL_MS) > 0)
			return NULL; /* zoo_fork() is about to fork, and starts us again after */
		long now = zoo_now_us();
		unsigned long count = atomic_load_explicit(&zoo_page->progress, memory_order_relaxed);

		if (count != zoo_watch.seen || now - zoo_watch.polled > 5 * ZOO_POLL_MS * 1000L ||
		    zoo_helper_running()) {
			zoo_watch.seen = count;
			zoo_watch.quiet_since = now;
		}
		zoo_watch.polled = now;
		if (now - zoo_watch.quiet_since >= zoo.quiet_ms * 1000L) {
			len = snprintf(line, sizeof line, "%s: %s: no progress for %ld ms waiting for %s\n",
				       zoo_name, zoo_status_text(ZOO_HANG), zoo.quiet_ms, zoo_awaits);
			break;
		}
		if (now - zoo_watch.started >= zoo.timeout_s * 1000000L) {
			len = snprintf(line, sizeof line, "%s: %s: no finish after %ld s waiting for %s\n",
				       zoo_name, zoo_status_text(ZOO_HANG), zoo.timeout_s, zoo_awaits);
			break;
		}
	}
	/* clang-format off */
	zoo_hang(line, len < 0 ? 0 : len < (int)sizeof line ? (size_t)len : sizeof line - 1);
	/* clang-format on */
}

static void zoo_watchdog_start(void)
{
	zoo_check(pthread_create(&zoo_watchdog_thread, NULL, zoo_watchdog, NULL));
	zoo_watchdog_running = true;
}

static void zoo_watchdog_stop(void)
{
	uint64_t one = 1;

	if (!zoo_watchdog_running)
		return;
	zoo_watchdog_running = false; /* first: a failure below ends in zoo_finish(), which calls us */
	if (write(zoo_wake_fd, &one, sizeof one) != sizeof one)
		zoo_die_errno("write(the watchdog's eventfd)");
	zoo_check(pthread_join(zoo_watchdog_thread, NULL));
	if (read(zoo_wake_fd, &one, sizeof one) != sizeof one)
		zoo_die_errno("read(the watchdog's eventfd)");
}

static void zoo_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void zoo_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", zoo_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(ZOO_USAGE);
}

static void zoo_knob(const char *name, long *value, long min, long max)
{
	const char *text = getenv(name);
	char *end;
	long parsed;

	if (text == NULL || *text == '\0')
		return;
	errno = 0;
	parsed = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || parsed < min || parsed > max)
		zoo_usage_error("%s='%s' is not a whole number from %ld to %ld", name, text, min, max);
	*value = parsed;
}

/*
 * Processes. zoo_fork() must be called from the main thread: the child's
 * PR_SET_PDEATHSIG fires when the thread that forked it ends, not the process.
 * A child has no watchdog of its own (threads do not survive fork); the
 * parent's covers it through the shared progress counter and kills it on a
 * hang. A child ends with zoo_child_exit(), which prints no result line.
 * Hazard: ThreadSanitizer ignores everything in a child forked while other
 * threads were alive, so zoo_fork() stops the watchdog for the fork; a child
 * forked while the program's own threads run is not watched by TSan at all.
 */
static ZOO_UNUSED pid_t zoo_fork(void)
{
	bool watched = zoo_watchdog_running;
	pid_t parent = getpid();
	pid_t pid;

	zoo_watchdog_stop();
	fflush(NULL); /* or the child inherits unwritten output and writes it again */
	int sched_id = zoo_sched_on ? zoo_sched_add("child") : -1;
	pid = fork();
	if (pid < 0)
		zoo_die_errno("fork()");
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			zoo_die_errno("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != parent)
			_exit(ZOO_HANG); /* the parent died before prctl: nobody is left to tell */
		close(zoo_wake_fd);
		zoo_wake_fd = -1;
		zoo_in_child = true;
		if (sched_id >= 0)
			zoo_sched_fork_child(sched_id);
		return 0;
	}
	if (!zoo_pid_add(zoo_page->children, pid)) {
		kill(pid, SIGKILL);
		zoo_die_call(__FILE__, __LINE__, "zoo_fork() (more than 64 children alive)", EAGAIN);
	}
	zoo_progress();
	if (watched)
		zoo_watchdog_start();
	if (sched_id >= 0)
		zoo_sched_fork_parent(sched_id, pid);
	return pid;
}

/* Reap a child; its status as a shell shows it: the exit status, or 128 + signal. */
static ZOO_UNUSED int zoo_wait_child(pid_t pid)
{
	int status = 0, err;
	pid_t got;

	if (zoo_sched_on)
		zoo_sched_wait_child(pid);
	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	err = errno;
	if (atomic_load_explicit(&zoo_ending, memory_order_relaxed))
		zoo_park(); /* the watchdog killed the child and is ending the run */
	if (got < 0)
		zoo_die_call(__FILE__, __LINE__, "waitpid()", err);
	zoo_pid_forget(zoo_page->children, pid);
	zoo_pid_forget(zoo_page->helpers, pid);
	zoo_progress();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* exit(), not _exit(): a sanitizer's exit hook sets the child's status too. */
static ZOO_UNUSED __attribute__((noreturn)) void zoo_child_exit(int status)
{
	fflush(NULL);
	if (zoo_sched_on)
		zoo_sched_ended();
	exit(status);
}

/*
 * The path of another program of this exhibit and build, to exec: it lives
 * where argv[0] says this one does. Asked in a child of zoo_fork(), it also
 * tells the parent's watchdog that the child is about to become a zoo program
 * with a watchdog of its own.
 */
static char zoo_self_dir[PATH_MAX] = ".";

static ZOO_UNUSED const char *zoo_sibling(const char *name)
{
	static char path[PATH_MAX];
	int len = snprintf(path, sizeof path, "%s/%s", zoo_self_dir, name);

	if (len < 0 || (size_t)len >= sizeof path)
		zoo_usage_error("the path of '%s' next to this program is too long", name);
	if (zoo_sched_on)
		zoo_finish(ZOO_USAGE, "the scheduler does not follow a program a child execs (zoo_sibling)");
	if (zoo_in_child)
		zoo_pid_add(zoo_page->helpers, getpid()); /* if full, the parent's quiet clock runs on */
	/* The exec'd program inherits the knobs this one was given: it need not read them all. */
	if (setenv("ZOO_INHERITED_KNOBS", "1", 1) != 0)
		zoo_die_errno("setenv(ZOO_INHERITED_KNOBS)");
	return path;
}

/*
 * IPC names. The harness gives each run ZOO_IPC_PREFIX and ZOO_IPC_KEY, and
 * removes afterwards every POSIX object named "/" PREFIX "..." and every SysV
 * object with a key from KEY to KEY + 15. By hand they default to the user's.
 */
#define ZOO_IPC_KEYS 16

static char zoo_ipc_prefix[41];
static long zoo_ipc_base;

static void zoo_ipc_knobs(void)
{
	const char *prefix = getenv("ZOO_IPC_PREFIX");
	unsigned uid = (unsigned)getuid();

	if (prefix == NULL || *prefix == '\0') {
		snprintf(zoo_ipc_prefix, sizeof zoo_ipc_prefix, "zoo-manual-%u-", uid);
	} else {
		size_t len = strlen(prefix);

		if (len >= sizeof zoo_ipc_prefix ||
		    strspn(prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != len)
			zoo_usage_error("ZOO_IPC_PREFIX='%s' is not 1 to 40 of A-Z a-z 0-9 . _ -", prefix);
		memcpy(zoo_ipc_prefix, prefix, len + 1);
	}
	zoo_ipc_base = 0x5a000000L + (long)((uid & 0xfffu) << 4);
	zoo_knob("ZOO_IPC_KEY", &zoo_ipc_base, 1, INT_MAX - (ZOO_IPC_KEYS - 1));
}

/* "/" + the run's prefix + what, in buf: the name for shm_open, sem_open, mq_open. */
static ZOO_UNUSED const char *zoo_ipc_name(char *buf, size_t size, const char *what)
{
	int len = snprintf(buf, size, "/%s%s", zoo_ipc_prefix, what);

	if (len < 0 || (size_t)len >= size || strchr(what, '/') != NULL)
		zoo_usage_error("the IPC name '/%s%s' needs no other '/' and at most %zu bytes",
				zoo_ipc_prefix, what, size - 1);
	return buf;
}

/* The run's SysV key number n, 0 <= n < 16, for shmget, semget, msgget. */
static ZOO_UNUSED key_t zoo_ipc_key(int n)
{
	if (n < 0 || n >= ZOO_IPC_KEYS)
		zoo_die_call(__FILE__, __LINE__, "zoo_ipc_key() (a run has keys 0 to 15)", EINVAL);
	return (key_t)(zoo_ipc_base + n);
}

/* Does the program read this knob? (Its .reads names it, as a whole word;
 * ZOO_WIDEN, if it has a window to widen.) */
static bool zoo_reads(const struct zoo_program *p, const char *knob)
{
	size_t len = strlen(knob);

	if (strcmp(knob, "ZOO_WIDEN") == 0)
		return p->widen_us > 0;

	for (const char *at = p->reads; at != NULL && (at = strstr(at, knob)) != NULL; at += len)
		if ((at == p->reads || at[-1] == ' ') && (at[len] == '\0' || at[len] == ' '))
			return true;
	return false;
}

#include "zoo-sched.h"

static void zoo_help(const struct zoo_program *p)
{
	printf("%s: %s\n\nKnobs (environment, with this program's defaults):\n", zoo_name, p->what);
	if (zoo_reads(p, "ZOO_ITERS"))
		printf("  ZOO_ITERS=%-10ld rounds of work\n", p->defaults.iters);
	if (zoo_reads(p, "ZOO_THREADS"))
		printf("  ZOO_THREADS=%-8ld threads\n", p->defaults.threads);
	if (zoo_reads(p, "ZOO_WIDEN"))
		printf("  ZOO_WIDEN=%-10ld microseconds the test may hold a thread back (0: natural schedule)\n",
		       p->widen_us);
	if (zoo_reads(p, "ZOO_SEED"))
		printf("  ZOO_SEED=%-11ld seed for the random choices\n", p->defaults.seed);
	printf("  ZOO_QUIET=%-10ld milliseconds without progress that are a hang (0: automatic, here %ld);\n"
	       "                       never less than the automatic time plus ZOO_WIDEN\n",
	       p->defaults.quiet_ms, zoo_quiet_auto_ms());
	printf("  ZOO_TIMEOUT=%-8ld seconds before the watchdog ends any unfinished run\n",
	       p->defaults.timeout_s);
	printf("\nThe scheduler (plain build; zoo trace, play, explore; see harness/zoo-sched.h):\n"
	       "  ZOO_SCHEDULE=a,b,...  pick these threads at the first choices, then the default\n"
	       "  ZOO_SCHEDULE=play     ask who moves at each choice\n"
	       "  ZOO_EXPLORE=N         run every schedule with at most N preemptions (ZOO_BUDGET s)\n"
	       "  ZOO_TRACE=text|markdown  print the interleaving as a table\n\nExit status:\n");
#define ZOO_STATUS(name, code, what) printf("  %-3d %s\n", code, what);
#include "exit-status.def"
#undef ZOO_STATUS
}

/* Read the knobs, answer --help, map the shared page, start the watchdog.
 * Call first thing in main(), before any thread or child. */
static ZOO_UNUSED void zoo_start(int argc, char **argv, const struct zoo_program *p)
{
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	struct zoo_shared *page;
	long automatic = zoo_quiet_auto_ms();

	if (argc > 0)
		zoo_name = slash ? slash + 1 : argv[0];
	zoo_awaits = p->awaits;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		zoo_help(p);
		exit(ZOO_CLEAN);
	}
	if (argc > 1)
		zoo_usage_error("takes no arguments, only ZOO_* knobs, and got '%s'", argv[1]);

	zoo = p->defaults;
	zoo.widen_us = p->widen_us;
	static const char *const optional[] = { "ZOO_ITERS", "ZOO_THREADS", "ZOO_WIDEN", "ZOO_SEED" };
	bool inherited = getenv("ZOO_INHERITED_KNOBS") != NULL; /* exec'd by zoo_sibling's caller */
	unsetenv("ZOO_INHERITED_KNOBS");
	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
		if (!inherited && getenv(optional[i]) != NULL && !zoo_reads(p, optional[i]))
			zoo_usage_error("%s is set, but this program does not read it", optional[i]);
	zoo_knob("ZOO_ITERS", &zoo.iters, 1, 1000000000L);
	zoo_knob("ZOO_THREADS", &zoo.threads, 1, 64);
	zoo_knob("ZOO_WIDEN", &zoo.widen_us, 0, 10000000L);
	zoo_knob("ZOO_SEED", &zoo.seed, 0, LONG_MAX);
	zoo_knob("ZOO_TIMEOUT", &zoo.timeout_s, 1, 3600);
	zoo_knob("ZOO_QUIET", &zoo.quiet_ms, 1, 600000L);
	if (zoo.quiet_ms == 0)
		zoo.quiet_ms = automatic;
	if (zoo.quiet_ms < (zoo.widen_us + 999) / 1000 + automatic)
		zoo.quiet_ms = (zoo.widen_us + 999) / 1000 + automatic; /* a widening is not a hang */
	zoo_ipc_knobs();
	zoo_sched_setup(); /* with ZOO_EXPLORE, only the explorer's children return */
	if (slash && (size_t)(slash - argv[0]) >= sizeof zoo_self_dir)
		zoo_usage_error("the path of this program is too long");
	if (slash)
		snprintf(zoo_self_dir, sizeof zoo_self_dir, "%.*s", (int)(slash - argv[0]), argv[0]);

	page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		zoo_die_errno("mmap(the shared page)");
	zoo_page = page;
	VALGRIND_HG_DISABLE_CHECKING(zoo_page, sizeof *zoo_page);
	DRD_IGNORE_VAR(*zoo_page);
	VALGRIND_HG_DISABLE_CHECKING(&zoo_ending, sizeof zoo_ending);
	DRD_IGNORE_VAR(zoo_ending);

	zoo_wake_fd = eventfd(0, EFD_CLOEXEC);
	if (zoo_wake_fd < 0)
		zoo_die_errno("eventfd(for the watchdog)");
	zoo_watch.started = zoo_watch.polled = zoo_watch.quiet_since = zoo_now_us();
	zoo_main_thread = pthread_self();
	if (zoo_sched.mode != ZOO_SCHED_PLAY) /* a player may think as long as they like */
		zoo_watchdog_start();
}

#endif /* ZOO_H */
