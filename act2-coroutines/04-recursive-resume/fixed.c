/*
 * act2-coroutines/04-recursive-resume/fixed.c: a coroutine awaits a child
 * that awaits a child, ZOO_ITERS deep, each adding one to its child's result,
 * in a child process, on a thread of 256 KiB of stack; the parent checks the sum.
 * Rule R5: one owner per resource.
 * Fix: a link's final_suspend hook returns its parent to the trampoline
 *      (symmetric transfer), which resumes it from its own loop, so the C
 *      stack stays as deep at the millionth link as at the first.
 * Expect: tsan=clean helgrind=clean drd=clean asan=clean memcheck=clean stress=clean os=clean
 * Explore: none. The bug is the depth of one chain, not an order: the chain is one column.
 * Demo: asan
 */
#include "zoo.h"
#include "../runtime/coro.h"

#define THREAD_STACK (256 * 1024)

struct link {
	struct coro co;
	long depth, result;
	struct link *child;
};

/* What the child process found, for its parent to read. */
static struct outcome {
	long result, stack_used;
} *outcome;

static char *stack_base;

static void note_stack(void)
{
	char here;

	if (stack_base - &here > outcome->stack_used)
		outcome->stack_used = stack_base - &here;
}

/* A link's end: its parent goes on. */
static struct coro *back_to_parent(struct coro *co)
{
	return co->continuation; /* FIX(R5): the trampoline resumes it */
}

static struct coro *count_down(struct coro *co)
{
	struct link *f = (struct link *)co;

	note_stack();
	CORO_BEGIN(co);
	if (f->depth == 0) {
		f->result = 1;
	} else {
		f->child = coro_new(sizeof *f->child, count_down, "link");
		f->child->depth = f->depth - 1;
		f->child->co.final_suspend = back_to_parent;
		CORO_AWAIT_CORO(co, f->child);
		f->result = f->child->result + 1;
		coro_destroy(&f->child->co);
	}
	CORO_END(co);
}

static void *run_chain(void *arg)
{
	struct link *top = arg;
	struct coro_sched sched;
	char base;

	stack_base = &base;
	coro_sched_init(&sched);
	coro_spawn(&sched, &top->co);
	if (coro_run(&sched) == 0)
		outcome->result = top->result;
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct zoo_program program = {
		.what = "awaits a chain of ZOO_ITERS coroutines on a thread of 256 KiB of stack, in a child process",
		.awaits = "the chain to end",
		.reads = "ZOO_ITERS",
		.defaults = { .iters = 100000, .threads = 1, .seed = 1, .timeout_s = 10 },
	};
	pthread_attr_t attr;
	pthread_t thread;
	struct link *top;
	pid_t child;
	int status;

	zoo_start(argc, argv, &program);
	outcome = mmap(NULL, sizeof *outcome, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (outcome == MAP_FAILED)
		zoo_die_errno("mmap(the outcome)");
	child = zoo_fork();
	if (child == 0) {
		top = coro_new(sizeof *top, count_down, "chain");
		top->depth = zoo.iters;
		top->co.owned = true; /* read here, then freed */
		zoo_check(pthread_attr_init(&attr));
		zoo_check(pthread_attr_setstacksize(&attr, THREAD_STACK));
		zoo_check(pthread_create(&thread, &attr, run_chain, top));
		zoo_check(pthread_join(thread, NULL));
		zoo_check(pthread_attr_destroy(&attr));
		coro_destroy(&top->co);
		zoo_child_exit(ZOO_CLEAN);
	}
	status = zoo_wait_child(child);
	if (status != 0 || outcome->result != zoo.iters + 1)
		zoo_finish(ZOO_INVARIANT, "the chain of %ld awaits ended with %ld, and its process with status %d%s",
			   zoo.iters, outcome->result, status, status == 128 + SIGSEGV ? " (SIGSEGV)" : "");
	zoo_finish(ZOO_CLEAN, "%ld awaits deep in %ld bytes of stack", zoo.iters, outcome->stack_used);
}
