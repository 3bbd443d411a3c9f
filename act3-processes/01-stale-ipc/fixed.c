/*
 * act3-processes/01-stale-ipc/fixed.c: a supervisor runs a service that
 * keeps a job tally in POSIX shared memory under a SysV semaphore; the first
 * run is killed (SIGKILL) after one job, and the supervisor starts it again.
 * Rule R6: reclaim only when no one is looking.
 * Also R7: the atomic create is the check.
 * Fix: a run's objects are its own, and the supervisor starts a run only
 *      after the last one died: an exclusive create that finds an object
 *      has found a dead run's, which nobody can be using. The service
 *      removes it and creates it again, once; a second failure is real.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean
 * Demo: os
 * Explore: none. The crash is a SIGKILL and the hand-over a read on a pipe,
 *      neither a step the scheduler models; the bug is in what the kernel
 *      keeps between two runs, not in an order of steps.
 */
#include "zoo.h"
#include <sys/sem.h>

struct tally {
	long jobs; /* jobs done on this tally; guarded by the semaphore */
};

struct service {
	char name[128]; /* the shared memory's name */
	struct tally *tally;
	int lock; /* SysV semaphore set of one, 1 when free */
};

static __attribute__((noreturn)) void service_fails(const char *call)
{
	fprintf(stderr, "service: %s: %s\n", call, strerror(errno));
	zoo_child_exit(ZOO_INVARIANT);
}

static void lock_op(int lock, short op)
{
	struct sembuf change = { .sem_num = 0, .sem_op = op };

	if (semop(lock, &change, 1) != 0)
		service_fails("semop");
}

/* Make the tally and its semaphore, both new: a run never shares them. */
static void open_objects(struct service *s)
{
	zoo_ipc_name(s->name, sizeof s->name, "tally");
	int fd = shm_open(s->name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 && errno == EEXIST && shm_unlink(s->name) == 0)     /* FIX(R6): a dead run's: remove it */
		fd = shm_open(s->name, O_CREAT | O_EXCL | O_RDWR, 0600); /* FIX(R7): and create it anew, once */
	if (fd < 0)
		service_fails("shm_open");
	if (ftruncate(fd, sizeof *s->tally) != 0)
		service_fails("ftruncate");
	s->tally = mmap(NULL, sizeof *s->tally, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s->tally == MAP_FAILED || close(fd) != 0)
		service_fails("mmap");
	key_t key = zoo_ipc_key(0);
	s->lock = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	if (s->lock < 0 && errno == EEXIST && semctl(semget(key, 1, 0), 0, IPC_RMID) == 0) /* FIX(R6): as dead */
		s->lock = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);                      /* FIX(R7): once */
	if (s->lock < 0)
		service_fails("semget");
	if (semctl(s->lock, 0, SETVAL, 1) != 0)
		service_fails("semctl(SETVAL)");
}

static void close_objects(struct service *s)
{
	if (munmap(s->tally, sizeof *s->tally) != 0 || shm_unlink(s->name) != 0)
		service_fails("shm_unlink");
	if (semctl(s->lock, 0, IPC_RMID) != 0)
		service_fails("semctl(IPC_RMID)");
}

/* The service: one job per byte from the supervisor, an answer after each,
 * until the supervisor closes its end; then it checks the tally and leaves. */
static __attribute__((noreturn)) void serve(int requests, int answers)
{
	struct service s;
	long served = 0;
	char byte = 'j';

	open_objects(&s);
	if (write(answers, "u", 1) != 1) /* up */
		service_fails("write");
	while (read(requests, &byte, 1) == 1) {
		lock_op(s.lock, -1);
		s.tally->jobs++;
		lock_op(s.lock, +1);
		served++;
		zoo_progress();
		if (write(answers, "d", 1) != 1) /* done */
			service_fails("write");
	}
	long counted = s.tally->jobs;
	close_objects(&s);
	if (counted != served) {
		fprintf(stderr, "service: the tally says %ld jobs, and this run served %ld\n", counted, served);
		zoo_child_exit(ZOO_INVARIANT);
	}
	zoo_child_exit(ZOO_CLEAN);
}

struct run {
	pid_t pid;
	int requests, answers; /* the supervisor's ends of the two pipes */
};

/* Start the service; false if it died before it was up. */
static bool start(struct run *r)
{
	int to_service[2], from_service[2];
	char up;

	if (pipe(to_service) != 0 || pipe(from_service) != 0)
		zoo_die_errno("pipe");
	r->pid = zoo_fork();
	if (r->pid == 0) {
		close(to_service[1]);
		close(from_service[0]);
		serve(to_service[0], from_service[1]);
	}
	close(to_service[0]);
	close(from_service[1]);
	r->requests = to_service[1];
	r->answers = from_service[0];
	return read(r->answers, &up, 1) == 1;
}

static void give_job(struct run *r)
{
	char done;

	if (write(r->requests, "j", 1) != 1 || read(r->answers, &done, 1) != 1)
		zoo_die_errno("the service stopped answering");
}

static int stop(struct run *r)
{
	close(r->requests);
	close(r->answers);
	return zoo_wait_child(r->pid);
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "runs a service, kills it after one job, restarts it and gives it ZOO_ITERS jobs",
		.awaits = "the service to answer",
		.reads = "ZOO_ITERS",
		.widen_us = 1000,
		.defaults = { .iters = 20, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	struct run first, second;
	int status;

	zoo_start(argc, argv, &program);
	if (!start(&first))
		zoo_finish(ZOO_INVARIANT, "the first run did not come up (status %d)", stop(&first));
	give_job(&first);
	printf("supervisor: the first run is up and did a job\n");
	fflush(stdout);
	zoo_widen(); /* widener: how long the first run works before it crashes */
	if (kill(first.pid, SIGKILL) != 0) /* the crash: no cleanup code can run */
		zoo_die_errno("kill");
	printf("supervisor: the first run was killed (status %d); restarting\n", stop(&first));

	if (!start(&second))
		zoo_finish(ZOO_INVARIANT, "the restarted service did not come up (status %d)", stop(&second));
	for (long i = 0; i < zoo.iters; i++)
		give_job(&second);
	status = stop(&second);
	if (status != ZOO_CLEAN)
		zoo_finish(ZOO_INVARIANT, "the restarted service failed (status %d)", status);
	zoo_finish(ZOO_CLEAN, "the restarted service did %ld of %ld jobs and removed its objects", zoo.iters,
		   zoo.iters);
}
