/*
 * harness/zoo-show.h: what a scheduled run shows. zoo-sched.h includes it; a
 * program never does.
 *
 *   the trace   each point passed and each call made is a row (who, what,
 *               the line); ZOO_TRACE prints them as a table, one column a
 *               thread, in text or Markdown, ending at what went wrong
 *   the screen  zoo play's: what happened since the last choice, the shared
 *               state (zoo_show), and each thread by its number, with its
 *               next step and source line (ZOO_SOURCE, markers cut off) or
 *               what it waits for
 */
#ifndef ZOO_SHOW_H
#define ZOO_SHOW_H

/* ---- the trace ---- */

static void zoo_sched_row_add(int t, int line, const char *text)
{
	if (zoo_sched.rows == ZOO_SCHED_POINTS)
		return;
	struct zoo_sched_row *r = &zoo_sched.row[zoo_sched.rows++];
	r->thread = t;
	r->line = line;
	snprintf(r->text, sizeof r->text, "%s", text);
}

/* Add words to the running thread's last row: what its call did. */
static void zoo_sched_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void zoo_sched_note(const char *fmt, ...)
{
	va_list ap;

	if (zoo_sched.rows == 0)
		return;
	struct zoo_sched_row *r = &zoo_sched.row[zoo_sched.rows - 1];
	size_t len = strlen(r->text);
	va_start(ap, fmt);
	vsnprintf(r->text + len, sizeof r->text - len, fmt, ap);
	va_end(ap);
}

static void zoo_sched_cell(const struct zoo_sched_row *r, char *buf, size_t size)
{
	if (r->line > 0)
		snprintf(buf, size, "%s (line %d)", r->text, r->line);
	else
		snprintf(buf, size, "%s", r->text);
}

/* Print a line of the text table without its trailing blanks. */
static void zoo_sched_put_line(char *line)
{
	size_t len = strlen(line);

	while (len > 0 && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

/* The table: one column per thread that did anything, one row per point passed. */
static void zoo_sched_print_trace(const char *ending)
{
	bool used[ZOO_SCHED_THREADS] = { false };
	int width[ZOO_SCHED_THREADS] = { 0 };
	char cell[ZOO_SCHED_TEXT + 16], name[24], line[ZOO_SCHED_THREADS * 24 + ZOO_SCHED_TEXT + 64];
	bool md = zoo_sched.trace == 2;
	size_t at;

	for (int i = 0; i < zoo_sched.rows; i++) {
		struct zoo_sched_row *r = &zoo_sched.row[i];
		zoo_sched_cell(r, cell, sizeof cell);
		used[r->thread] = true;
		if ((int)strlen(cell) > width[r->thread])
			width[r->thread] = (int)strlen(cell);
	}
	for (int t = 0; t < zoo_sched.threads; t++)
		if ((int)strlen(zoo_sched_name(t, name, sizeof name)) > width[t])
			width[t] = (int)strlen(name);
	/* the header, then (Markdown) its rule, then a row per point; row -1 is the header */
	for (int i = md ? -2 : -1; i < zoo_sched.rows; i++) {
		/* clang-format off */
		at = (size_t)snprintf(line, sizeof line, md ? "|%s|" : "%4s ",
				      i == -2 ? " # " : i == -1 ? (md ? "---" : "#") : "");
		/* clang-format on */
		if (i >= 0)
			at = (size_t)snprintf(line, sizeof line, md ? "| %d |" : "%4d ", i + 1);
		for (int t = 0; t < zoo_sched.threads && at < sizeof line; t++) {
			if (!used[t])
				continue;
			if (i == (md ? -2 : -1))
				zoo_sched_name(t, cell, sizeof cell);
			else if (i == -1)
				snprintf(cell, sizeof cell, "---");
			else if (zoo_sched.row[i].thread == t)
				zoo_sched_cell(&zoo_sched.row[i], cell, sizeof cell);
			else
				cell[0] = '\0';
			if (md && i == -1)
				at += (size_t)snprintf(line + at, sizeof line - at, "---|");
			else if (md)
				at += (size_t)snprintf(line + at, sizeof line - at, " %s |", cell);
			else
				at += (size_t)snprintf(line + at, sizeof line - at, "  %-*s", width[t], cell);
		}
		zoo_sched_put_line(line);
	}
	printf(md ? "\n**%s**\n" : "%s\n", ending);
	fflush(stdout);
}

/* ---- the player's screen ---- */

static void zoo_sched_print_state(void)
{
	char name[24], holder[24];

	printf("  shared:");
	for (int i = 0; i < zoo_sched.nshown; i++) {
		const struct zoo_sched_shown *s = &zoo_sched.shown[i];
		long value = 0;

		if (s->kind == 'm') {
			int h = zoo_sched_holder(s->at);
			printf("  %s: %s", s->name, h < 0 ? "free" : zoo_sched_name(h, holder, sizeof holder));
			continue;
		}
		if (s->kind == 'c')
			continue;
		if (s->size == sizeof(int))
			value = *(const int *)s->at;
		else if (s->size == sizeof(long))
			value = *(const long *)s->at;
		else if (s->size == 1)
			value = *(const unsigned char *)s->at;
		if (s->kind == 'b')
			printf("  %s=%s", s->name, value ? "true" : "false");
		else
			printf("  %s=%ld", s->name, value);
	}
	for (int i = 0; i < ZOO_SCHED_LOCKS; i++)
		if (zoo_sched.held[i].m != NULL) {
			bool named = false;
			for (int k = 0; k < zoo_sched.nshown; k++)
				named = named || zoo_sched.shown[k].at == zoo_sched.held[i].m;
			if (!named)
				printf("  %s: %s", zoo_sched.held[i].name,
				       zoo_sched_name(zoo_sched.held[i].owner, name, sizeof name));
		}
	printf("\n");
}

/* Source line `line`, without its indentation and without a BUG or FIX
 * marker: the player sees the program, not the answer. */
static const char *zoo_sched_source_line(int line)
{
	static char text[400];
	const char *s = line > 0 && line <= zoo_sched.source_lines ? zoo_sched.source[line - 1] : "";
	char *marker;

	while (*s == ' ' || *s == '\t')
		s++;
	snprintf(text, sizeof text, "%s", s);
	for (const char *kind = "BUG"; kind != NULL; kind = strcmp(kind, "BUG") == 0 ? "FIX" : NULL) {
		char pattern[8];
		snprintf(pattern, sizeof pattern, "/* %s(", kind);
		if ((marker = strstr(text, pattern)) != NULL)
			*marker = '\0';
	}
	for (size_t len = strlen(text); len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t');)
		text[--len] = '\0';
	return text;
}

static bool zoo_color;

static const char *zoo_sched_paint(const char *code)
{
	return zoo_color ? code : "";
}

/* The player's screen: what happened since the last choice, the shared
 * state, then every thread by its number (stable for the whole game): the
 * ones that can move with their next step, the others with what they wait for. */
static void zoo_sched_screen(int from, const int *can, int n)
{
	static int shown_rows;
	char name[24], why[160], cell[ZOO_SCHED_TEXT + 16];

	printf("\n%smove %d%s\n", zoo_sched_paint("\033[1m"), zoo_sched.moves + 1, zoo_sched_paint("\033[0m"));
	for (; shown_rows < zoo_sched.rows; shown_rows++) {
		zoo_sched_cell(&zoo_sched.row[shown_rows], cell, sizeof cell);
		printf("  %s%-10s %s%s\n", zoo_sched_paint("\033[2m"),
		       zoo_sched_name(zoo_sched.row[shown_rows].thread, name, sizeof name), cell, zoo_sched_paint("\033[0m"));
	}
	zoo_sched_print_state();
	for (int t = 0; t < zoo_sched.threads; t++) {
		const struct zoo_sched_thread *th = &zoo_sched.thread[t];
		bool movable = false;

		for (int i = 0; i < n; i++)
			movable = movable || can[i] == t;
		if (th->state == ZOO_T_DONE || (t == 0 && !movable))
			continue;
		zoo_sched_name(t, name, sizeof name);
		if (movable) {
			printf("  %s%d %-10s next: %s", zoo_sched_paint("\033[32m"), t, name, th->next);
			if (th->next_line > 0 && zoo_sched.source_lines > 0)
				printf("  (line %d: %s)", th->next_line, zoo_sched_source_line(th->next_line));
			else if (th->next_line > 0)
				printf("  (line %d)", th->next_line);
			/* clang-format off */
			printf("%s%s\n", t != from ? "" : th->coroutine ? "  [first in line]" : "  [moved last]",
			       zoo_sched_paint("\033[0m"));
			/* clang-format on */
		} else {
			zoo_sched_blocked_on(t, why, sizeof why);
			printf("  %s- %-10s %s%s\n", zoo_sched_paint("\033[2m"), name, why, zoo_sched_paint("\033[0m"));
		}
	}
}

#endif /* ZOO_SHOW_H */
