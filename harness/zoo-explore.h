/*
 * harness/zoo-explore.h: the explorer, ZOO_EXPLORE=N (zoo explore). zoo-sched.h
 * includes it; a program never does.
 *
 * It runs the program once per schedule, each time in a child process that
 * returns from zoo_start() into main() with the scheduler on: the first
 * choices are a prefix the explorer gives, the rest are the default ones,
 * and the child writes every choice it made and how it ended to a page the
 * two share (struct zoo_sched_log). The search is depth first: back to the
 * deepest choice with a pick not yet tried whose preemptions stay within the
 * bound, which becomes the next prefix. It stops when none is left (the
 * search is whole), or at ZOO_BUDGET seconds (unfinished). At the end it runs
 * the shortest failing schedule once more, where it can be seen (with
 * ZOO_TRACE, as a table), and exits with that schedule's status.
 */
#ifndef ZOO_EXPLORE_H
#define ZOO_EXPLORE_H


/* Run one schedule in a child; the log holds its choices and outcome after. */
static void zoo_explore_run(struct zoo_sched_log *log, bool show)
{
	int status;
	pid_t pid;

	log->choices = 0;
	log->cut = log->strayed = false;
	log->status = -1;
	log->message[0] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		zoo_die_errno("fork() (a schedule)");
	if (pid == 0) {
		if (!show) {
			int null = open("/dev/null", O_WRONLY);
			if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
				_exit(ZOO_USAGE);
			close(null);
			zoo_sched.trace = 0;
		}
		zoo_sched_map_page();
		zoo_sched_cond_init(&zoo_sched.thread[0].turn);
		zoo_sched.mode = ZOO_SCHED_CHILD;
		zoo_sched.log = log;
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
			_exit(ZOO_USAGE);
		return;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			zoo_die_errno("waitpid() (a schedule)");
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (log->status < 0) {
		log->status = status; /* it ended without zoo_finish(): a crash, or the watchdog */
		snprintf(log->message, sizeof log->message, "exit status %d", status);
	}
}

/* The --schedule list of a run's first `len` picks. */
static void zoo_explore_list(const struct zoo_sched_log *log, const unsigned char *picks, int len,
			     char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < len && at < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? "," : "", log->names[picks[i]]);
}

/* In the explorer, never returns; returns in each child, which then runs the program. */
static void zoo_explore(long bound, long budget_s)
{
	struct zoo_sched_log *log = mmap(NULL, sizeof *log, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* clang-format off */
	static struct { uint64_t can_move, tried; unsigned char pick, from; int preempted; } frame[ZOO_SCHED_POINTS];
	/* clang-format on */
	static unsigned char best[ZOO_SCHED_POINTS];
	int depth = 0, best_len = -1, best_rows = 0, best_status = 0, best_moves = 0, failed = 0, hangs = 0, broken = 0;
	long runs = 0, cut = 0, started = zoo_now_us();
	char best_message[600] = "", list[1024];
	bool unfinished = false;
	int trace = zoo_sched.trace;

	if (log == MAP_FAILED)
		zoo_die_errno("mmap(the explorer's log)");
	zoo_sched.trace = 0;
	log->prefix_len = 0;
	for (;;) {
		if (zoo_now_us() - started > budget_s * 1000000L) {
			unfinished = true;
			break;
		}
		if (zoo_explore_run(log, false), zoo_sched.mode == ZOO_SCHED_CHILD)
			return; /* the child runs the program */
		runs++;
		if (log->strayed) {
			/* clang-format off */
			zoo_finish(ZOO_UNFINISHED, "schedule %ld: the same choices led elsewhere; "
				   "the program is not deterministic under the scheduler", runs);
			/* clang-format on */
		}
		cut += log->cut;
		if (log->status != ZOO_CLEAN && !log->cut) {
			failed++;
			hangs += log->status == ZOO_HANG;
			broken += log->status == ZOO_INVARIANT;
			/* the shortest: fewest points passed, then fewest choices named */
			if (best_len < 0 || log->rows < best_rows ||
			    (log->rows == best_rows && log->prefix_len < best_len)) {
				best_len = log->prefix_len;
				best_rows = log->rows;
				best_status = log->status;
				best_moves = log->choices;
				memcpy(best, log->prefix, (size_t)best_len);
				snprintf(best_message, sizeof best_message, "%s", log->message);
			}
		}
		/* the choices beyond the prefix were the default; remember them */
		for (int i = log->prefix_len; i < log->choices; i++) {
			frame[i].can_move = log->choice[i].can_move;
			frame[i].pick = log->choice[i].pick;
			frame[i].from = log->choice[i].from;
			frame[i].tried = UINT64_C(1) << frame[i].pick;
			/* clang-format off */
			frame[i].preempted = i == 0 ? 0 : frame[i - 1].preempted +
				((frame[i - 1].can_move >> frame[i - 1].from & 1) && frame[i - 1].pick != frame[i - 1].from);
			/* clang-format on */
		}
		depth = log->choices;
		/* back to the deepest choice with an untried pick within the bound */
		int next = -1;
		while (depth > 0 && next < 0) {
			int i = depth - 1;
			bool from_can = frame[i].can_move >> frame[i].from & 1;
			for (int t = 0; t < ZOO_SCHED_THREADS && next < 0; t++) {
				uint64_t bit = UINT64_C(1) << t;
				if (!(frame[i].can_move & bit) || (frame[i].tried & bit))
					continue;
				frame[i].tried |= bit;
				if (frame[i].preempted + (from_can && t != frame[i].from) <= bound)
					next = t;
			}
			if (next < 0)
				depth--;
		}
		if (next < 0)
			break;
		frame[depth - 1].pick = (unsigned char)next;
		for (int i = 0; i < depth; i++)
			log->prefix[i] = frame[i].pick;
		log->prefix_len = depth;
	}

	double seconds = (double)(zoo_now_us() - started) / 1e6;
	char bounds[200];
	snprintf(bounds, sizeof bounds, "at most %ld preemption%s, %d choices a run, %ld s", bound,
		 bound == 1 ? "" : "s", ZOO_SCHED_POINTS, budget_s);
	printf("%s: explored %ld schedule%s (%s) in %.1f s: %d fail (%d hang, %d break an invariant, %d other)%s%s\n",
	       zoo_name, runs, runs == 1 ? "" : "s", bounds, seconds, failed, hangs, broken, failed - hangs - broken,
	       unfinished ? "; the time bound stopped the search" : "",
	       cut ? "; some runs were cut at the choice bound" : "");
	/* the shortest failing schedule, run once more where it can be seen */
	if (best_len >= 0) {
		log->prefix_len = best_len < 0 ? 0 : best_len;
		memcpy(log->prefix, best, (size_t)log->prefix_len);
		zoo_explore_list(log, best, log->prefix_len, list, sizeof list);
		if (*list == '\0')
			snprintf(list, sizeof list, "default"); /* the default order fails */
		printf("%s: the shortest failing schedule: ZOO_SCHEDULE=%s (%d move%s)\n", zoo_name, list, best_moves,
		       best_moves == 1 ? "" : "s");
		if (trace) {
			zoo_sched.trace = trace;
			fflush(stdout);
			if (zoo_explore_run(log, true), zoo_sched.mode == ZOO_SCHED_CHILD)
				return;
		}
	}
	zoo_sched.mode = ZOO_SCHED_OFF;
	zoo_sched_on = false;
	if (best_len >= 0)
		zoo_finish((enum zoo_status)best_status, "%d of %ld schedules fail; the shortest, %s, ends: %s",
			   failed, runs, list, best_message);
	if (unfinished || cut)
		zoo_finish(ZOO_UNFINISHED, "no schedule failed of %ld, but the search did not finish within its bounds", runs);
	if (runs == 1)
		zoo_finish(ZOO_CLEAN, "the only schedule within %ld preemption%s passes", bound, bound == 1 ? "" : "s");
	zoo_finish(ZOO_CLEAN, "all %ld schedules within %ld preemption%s pass", runs, bound, bound == 1 ? "" : "s");
}

#endif /* ZOO_EXPLORE_H */
