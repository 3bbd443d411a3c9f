# shellcheck shell=bash
# harness/lib/sched.bash: what zoo trace, zoo play and zoo explore share: the
# program a command runs under the scheduler (harness/zoo-sched.h) and the
# lesson's generated table.
#
#   sched_program EX PROG    build PROG (broken or fixed) of EX and set
#                            SCHED_ROOT and SCHED_NAME (for zoo_detect),
#                            SCHED_BINARY, SCHED_SOURCE (the file it was built
#                            from), SCHED_SHOWN (the file whose lines a run
#                            names, as its reader knows it) and SCHED_HEADER
#                            (the exhibit's PROG.c, whose Expect: and Knobs:
#                            lines judge it). With ZOO_FIXED=file, fixed is
#                            that file (its plumbing restored if it lacks it,
#                            its lines still numbered as in the file), built
#                            in a folder that goes when the command ends
#   sched_gate EX FORCE      fixed.c is the exercise's answer: refuse it, in
#                            one line, until EX is solved (or FORCE is 1),
#                            as zoo solution does
#   sched_knobs              the settings PROG's Knobs: line gives explore
#   sched_run DET [VAR=value...]   zoo_detect DET on that program, with those
#                            settings and the VARs
#   sched_check_schedule LIST  one run of the program on LIST; a list it
#                            cannot follow (no such thread, one that cannot
#                            move there) is one line and exit 2
#   sched_has_schedules EX   true if EX's broken.c promises that explore finds
#                            its bug (any promise but missed)
#   sched_explored EX        the same, or one line and exit 2
#   sched_counts < OUTPUT    from an explorer's output: how many schedules
#                            failed, then how many it explored
#   sched_shortest < OUTPUT  from an explorer's output, its shortest failing
#                            schedule (a ZOO_SCHEDULE list); sched_shortest_moves:
#                            how many moves (choices) it takes
#   sched_lesson_table EX    the lesson's table: broken.c's shortest failing
#                            schedule, traced, in Markdown, between the markers
#   sched_lesson_block FILE  the block between the markers in a lesson
#
# The markers are the lines ZOO_TRACE_BEGIN and ZOO_TRACE_END; a test
# (harness/tests/sched.bats) checks every lesson's block against the
# program, and `zoo trace --lesson EX` writes it.

# shellcheck disable=SC2034,SC2016 # used by the commands; the backquotes are Markdown
ZOO_TRACE_BEGIN='<!-- zoo trace: from here to the end mark, written by `zoo trace --lesson`; a test checks it -->'
ZOO_TRACE_END='<!-- zoo trace: end -->'

sched_program() {
	local ex=$1 prog=$2 dir
	[[ $prog == broken || $prog == fixed ]] || zoo_die "'$prog' is not broken or fixed"
	SCHED_HEADER=$ZOO_ROOT/$ex/$prog.c
	zoo_build "$ex"
	if [[ $prog == fixed && -n ${ZOO_FIXED-} ]]; then
		[[ -f $ZOO_FIXED ]] || zoo_die "ZOO_FIXED=$ZOO_FIXED: no such file"
		dir=$(mktemp -d "${TMPDIR:-/tmp}/zoo-sched.XXXXXX")
		# shellcheck disable=SC2064 # the folder is known now
		trap "rm -rf '$dir'" EXIT
		SCHED_SOURCE=$(zoo_attempt_build "$ex" "$ZOO_FIXED" "$dir") ||
			zoo_die "$(basename "$ZOO_FIXED") does not build with -Wall -Wextra -Werror (see above)"
		SCHED_NAME=$(zoo_attempt_name "$ZOO_FIXED")
		SCHED_ROOT=$dir
		SCHED_SHOWN=$ZOO_FIXED
	else
		SCHED_SOURCE=$SCHED_HEADER
		SCHED_SHOWN=$SCHED_HEADER
		SCHED_ROOT=$ZOO_ROOT/build
		SCHED_NAME=$ex/$prog
	fi
	SCHED_BINARY=$SCHED_ROOT/plain/$SCHED_NAME
}

sched_gate() {
	[[ $2 == 1 || -n ${ZOO_FIXED-} || -n $(state_get "$1" solved) ]] && return 0
	echo "zoo: fixed.c is the answer to $(zoo_title "$1"): solve the exercise first ($ZOO_CMD check $(zoo_number "$1")), or add --force" >&2
	exit 1
}

sched_knobs() {
	zoo_knobs "$SCHED_HEADER" explore
}

sched_run() {
	local det=$1
	local -a knobs
	shift
	mapfile -t knobs < <(sched_knobs)
	zoo_detect "$det" "$SCHED_ROOT" "$SCHED_NAME" "${knobs[@]}" "$@"
}

sched_check_schedule() {
	local out status=0 why
	out=$(sched_run stress ZOO_SCHEDULE="$1") || status=$?
	[[ $status != "$ZOO_S_USAGE" ]] && return 0
	why=$(sed -n 's/^.*ZOO_SCHEDULE[=:] *//p' <<<"$out" | head -n 1)
	zoo_die "--schedule $1: ${why:-the program refused it}"
}

sched_has_schedules() {
	local promise
	promise=$(zoo_expect "$ZOO_ROOT/$1/broken.c" explore)
	[[ -n $promise && $promise != missed ]]
}

sched_explored() {
	sched_has_schedules "$1" && return 0
	# The reason is not printed: it names the bug, which a learner may not
	# have found yet; the header and the lesson say it.
	zoo_die "$(zoo_title "$1") has no order of steps that shows its bug (its broken.c's Explore: line says why)"
}

sched_counts() {
	sed -nE 's/^[^:]*: explored ([0-9]+) schedules? .*: ([0-9]+) fail .*/\2 \1/p' | head -n 1
}

sched_shortest() {
	sed -nE 's/^[^:]*: the shortest failing schedule: ZOO_SCHEDULE=([^ ]*).*/\1/p'
}

sched_shortest_moves() {
	sed -nE 's/^[^:]*: the shortest failing schedule: ZOO_SCHEDULE=[^ ]* \(([0-9]+) moves?\)$/\1/p'
}

sched_lesson_table() {
	local ex=$1 out list
	sched_program "$ex" broken
	out=$(sched_run explore ZOO_TRACE=markdown) || true
	list=$(sched_shortest <<<"$out")
	[[ -n $list ]] || zoo_die "$(zoo_title "$ex"): broken.c has no failing schedule to show"
	echo "$ZOO_TRACE_BEGIN"
	echo
	echo "The shortest schedule that breaks it, as \`zoo trace $(zoo_number "$ex")\` prints it"
	echo "(\`ZOO_SCHEDULE=$list\`; line numbers are broken.c's):"
	echo
	grep -v '^broken: ' <<<"$out"
	echo
	echo "$ZOO_TRACE_END"
}

sched_lesson_block() {
	awk -v begin="$ZOO_TRACE_BEGIN" -v end="$ZOO_TRACE_END" '
		$0 == begin { inside = 1 }
		inside { print }
		$0 == end { inside = 0 }' "$1"
}
