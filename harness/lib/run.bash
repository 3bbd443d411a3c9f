# shellcheck shell=bash
# harness/lib/run.bash: how a program runs under a detector, bounded, in a
# process group of its own, and how everything it made is removed after.
#
#   zoo_detect DET ROOT NAME [VAR=value...] [-- ARG...]
#        run ROOT/<variant>/NAME under detector DET, with the settings in its
#        environment (a sanitizer's options among them, ASAN_OPTIONS=a=1:b=2,
#        are added to the harness's own for that sanitizer, not put in their
#        place), the ARGs on its command line and stdin from /dev/null;
#        print its output (stderr joined) and exit with one status for the
#        whole run (below). Detectors: tsan and asan run build/tsan and
#        build/asan; helgrind, drd and memcheck run build/plain under
#        Valgrind; stress runs build/plain alone; os runs it alone and then
#        says which IPC objects of the run the kernel still holds; explore
#        runs it under the scheduler (harness/zoo-sched.h), every schedule
#        with at most ZOO_EXPLORE preemptions (2 unless the settings say),
#        and prints the shortest failing one as a table. The setting
#        ZOO_WALL_CLOCK=stepped (a Knobs: line's, for a program that calls
#        zoo_clock_step) runs it under libfaketime with a wall clock of its
#        own, which it can step; CLOCK_MONOTONIC stays the real one.
#   zoo_build EX...          build the exhibits' programs, all three variants
#   zoo_build_file SRC OUT NAME INC   build one file that is not an exhibit's
#                            (an attempt, a mutant, a scanned program) as
#                            OUT/<variant>/NAME with the Makefile's flags
#   zoo_attempt_build EX FILE DIR   build FILE, an attempt at EX's fixed.c, as
#                            DIR/<variant>/NAME, NAME being zoo_attempt_name
#                            FILE; a FILE that
#                            lacks the plumbing broken.c has (a learner's
#                            copy) gets it put back first, in DIR/restored
#                            (zoo_restore). The exhibit's other programs (a
#                            helper the fixed program execs) are linked beside
#                            it, so that zoo_sibling() finds them. Prints the
#                            file it built; the compiler's words go to stderr;
#                            the status says if it built
#   zoo_attempt_name FILE    the name an attempt runs under: its file's, less
#                            .c (exercise.c runs as "exercise"), so that its
#                            reports do not look like the zoo's fixed.c
#   zoo_ipc_hold             in a test: keep one IPC prefix for the runs that
#                            follow and leave their objects in place (a crash,
#                            then a rerun that must find them); the test's
#                            file removes them when it ends
#   zoo_ipc_list PREFIX KEY  the objects of a run that the kernel holds, one
#                            a line: "shm NAME", "sem NAME", "mqueue NAME",
#                            "sysv-shm KEY", "sysv-sem KEY", "sysv-msg KEY"
#   zoo_ipc_sweep PREFIX KEY remove them all
#   zoo_ipc_sweep_registry FILE   remove the objects of every run FILE lists
#   zoo_fds PID              the open descriptors of a live process, "FD -> what"
#   zoo_wait_report FILE     wait until Bats has finished writing its JUnit FILE
#   zoo_remove_soon DIR      rm -rf DIR, again until it stays gone (for traps)
#
# One run, one process group: `timeout` (without --foreground) makes itself a
# group leader and, on its timeout or on a signal, signals the whole group, so
# a program's children go with it; a Ctrl-C reaching zoo_detect does the same.
# Each run is bounded by ZOO_RUN_TIMEOUT seconds (default 12).
#
# One verdict over every process: the status is the top process's, except
# that a report by any process of the run (a Valgrind log per process, a
# sanitizer report a child printed, an object the os detector found left)
# turns CLEAN, INVARIANT or HANG into REPORT, as a report in the top process
# already does.
#
# IPC names: every run gets ZOO_IPC_PREFIX ("zoo-PID-"; a program names its
# POSIX objects "/zoo-PID-what") and ZOO_IPC_KEY (its SysV keys are KEY..KEY+15),
# unless the caller set them. Each run is written to ZOO_IPC_REGISTRY (when
# set) and its objects are removed when it ends, unless ZOO_IPC_KEEP=1.

ZOO_VALGRIND_CHATTER='^==[0-9]+== ((Memcheck|Helgrind|DRD|drd), a |Copyright|Using Valgrind|Command:|Parent PID:|HEAP SUMMARY|    in use at exit|  total heap usage|All heap blocks were freed|LEAK SUMMARY|   (definitely|indirectly|possibly) lost:|   still reachable:|        suppressed:|Reachable blocks|   To see them|For (lists|counts) of detected|Use --history-level|the cost of reduced accuracy|ERROR SUMMARY|$)'

zoo_detect() (
	local det=$1 variant=plain prog pid status=0 logs log clock='' faketime
	local -a tool=() settings=() record=()
	case $det in
		tsan) variant=tsan ;;
		asan) variant=asan ;;
		helgrind) tool=(--tool=helgrind) ;;
		drd) tool=(--tool=drd) ;;
		memcheck) tool=(--tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite) ;;
		stress | os) ;;
		explore) settings=(ZOO_EXPLORE=2 ZOO_TRACE=text) ;;
		*) zoo_die "unknown detector '$det' (one of: ${ZOO_DETECTORS[*]})" ;;
	esac
	prog=$2/$variant/$3
	shift 3
	local -A sanitizer=([ASAN_OPTIONS]='' [TSAN_OPTIONS]='' [UBSAN_OPTIONS]='')
	while (($#)) && [[ $1 != -- ]]; do
		case $1 in
			ASAN_OPTIONS=* | TSAN_OPTIONS=* | UBSAN_OPTIONS=*) sanitizer[${1%%=*}]+=" ${1#*=}" ;;
			ZOO_WALL_CLOCK=stepped) clock=stepped ;;
			ZOO_WALL_CLOCK=*) zoo_die "ZOO_WALL_CLOCK=${1#*=}: the one value is 'stepped'" ;;
			*) settings+=("$1") ;;
		esac
		shift
	done
	[[ ${1-} == -- ]] && shift
	[[ -x $prog ]] || zoo_die "no program $prog (run 'make' first)"
	[[ -z $clock ]] || faketime=$(zoo_faketime_lib)
	zoo_ipc_begin
	# shellcheck disable=SC2030,SC2031 # logs lives in this subshell, and its traps
	logs=$(mktemp -d "${TMPDIR:-/tmp}/zoo-run.XXXXXX")
	if [[ -n $clock ]]; then
		echo "+0" >"$logs/clock"
		# The sanitizers' runtimes are linked in, so they come first anyway;
		# ASan would still object to a preloaded library it did not expect.
		settings+=(LD_PRELOAD="$faketime" FAKETIME_TIMESTAMP_FILE="$logs/clock" FAKETIME_NO_CACHE=1
			FAKETIME_DONT_FAKE_MONOTONIC=1)
		sanitizer[ASAN_OPTIONS]+=" verify_asan_link_order=0"
		# libfaketime makes a semaphore and a segment named after the pid it
		# first loads in (the program, or Valgrind's launcher, which becomes
		# it) and removes them only at a normal exit: the pid is kept, so
		# that zoo_run_end removes them after a kill too.
		# shellcheck disable=SC2016 # expanded by that sh
		record=(sh -c 'echo "$$" >"$0" && exec "$@"' "$logs/pid")
	fi
	local -a valgrind=()
	((${#tool[@]})) && valgrind=(valgrind "${tool[@]}" --error-exitcode="$ZOO_S_REPORT" --fair-sched=yes
		--num-callers=12 --vgdb=no --trace-children=yes --log-file="$logs/vg.%p")
	timeout -k 1 "${ZOO_RUN_TIMEOUT:-12}" "${record[@]}" env \
		TSAN_OPTIONS="atexit_sleep_ms=0 exitcode=$ZOO_S_REPORT second_deadlock_stack=1 die_after_fork=0 ${TSAN_OPTIONS-}${sanitizer[TSAN_OPTIONS]}" \
		ASAN_OPTIONS="exitcode=$ZOO_S_REPORT detect_leaks=1 ${ASAN_OPTIONS-}${sanitizer[ASAN_OPTIONS]}" \
		UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 exitcode=$ZOO_S_REPORT ${UBSAN_OPTIONS-}${sanitizer[UBSAN_OPTIONS]}" \
		ZOO_IPC_PREFIX="$ZOO_IPC_PREFIX" ZOO_IPC_KEY="$ZOO_IPC_KEY" \
		"${settings[@]}" "${valgrind[@]}" "$prog" "$@" </dev/null >"$logs/out" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064 # the pid is known now
	trap "kill -TERM -- -$pid 2>/dev/null; wait $pid; zoo_run_end; exit 130" INT TERM HUP PIPE
	wait "$pid" || status=$?
	cat "$logs/out"

	local reported=0
	for log in $(find "$logs" -name 'vg.*' -printf '%f\n' | sort -t. -k2,2n); do
		grep -vE "$ZOO_VALGRIND_CHATTER" "$logs/$log" || true
		grep -qE '== ERROR SUMMARY: [1-9]' "$logs/$log" && reported=1
	done
	if [[ $det == os ]]; then
		while read -r kind name; do
			echo "os: left behind: $kind $name"
			reported=1
		done < <(zoo_ipc_list "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY")
	fi
	# A child's sanitizer report went to the shared stderr, and its exit
	# status was its parent's to see; the run's output shows it.
	[[ $det == tsan || $det == asan ]] && [[ -n $(zoo_report_headlines <"$logs/out") ]] && reported=1
	if ((reported)) && [[ " $ZOO_S_CLEAN $ZOO_S_INVARIANT $ZOO_S_HANG " == *" $status "* ]]; then
		echo "zoo: a process of this run reported; the run's status is $ZOO_S_REPORT (report), not $status"
		status=$ZOO_S_REPORT
	fi
	zoo_run_end
	exit "$status"
)

# libfaketime's library, or one line on how to install it.
zoo_faketime_lib() {
	local lib
	for lib in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		[[ -r $lib ]] && echo "$lib" && return 0
	done
	zoo_die "this program steps its own wall clock with libfaketime, which is missing: run 'make deps' (as root) or: sudo apt-get install -y libfaketime"
}

# The end of zoo_detect's run, also on a signal: its objects and its logs go.
zoo_run_end() {
	local faked
	[[ ${ZOO_IPC_KEEP-} == 1 ]] || zoo_ipc_sweep "$ZOO_IPC_PREFIX" "$ZOO_IPC_KEY"
	# shellcheck disable=SC2031 # called from zoo_detect's own subshell
	if [[ -s $logs/pid ]] && read -r faked <"$logs/pid"; then
		rm -f "/dev/shm/faketime_shm_$faked" "/dev/shm/sem.faketime_sem_$faked"
	fi
	# shellcheck disable=SC2031
	rm -rf "$logs"
}

# A prefix and key for this run, unless the caller holds one; registered so
# that whoever started the run can remove its objects after a crash.
# The names are this shell's pid: unique among the runs alive at once.
zoo_ipc_begin() {
	if [[ -z ${ZOO_IPC_PREFIX-} || -z ${ZOO_IPC_KEY-} ]]; then
		ZOO_IPC_PREFIX="zoo-$BASHPID-"
		ZOO_IPC_KEY=$((0x40000000 + BASHPID * 16))
	fi
	[[ -z ${ZOO_IPC_REGISTRY-} ]] || echo "$ZOO_IPC_PREFIX $ZOO_IPC_KEY" >>"$ZOO_IPC_REGISTRY"
}

zoo_ipc_hold() {
	unset ZOO_IPC_PREFIX ZOO_IPC_KEY
	zoo_ipc_begin
	export ZOO_IPC_PREFIX ZOO_IPC_KEY ZOO_IPC_KEEP=1
}

zoo_ipc_list() {
	local prefix=$1 key=$2 f kind hex
	[[ $prefix =~ ^[A-Za-z0-9._-]+$ ]] || return 0
	for f in /dev/shm/"$prefix"* /dev/shm/sem."$prefix"* /dev/mqueue/"$prefix"*; do
		[[ -e $f ]] || continue
		case $f in
			/dev/shm/sem.*) echo "sem /${f#/dev/shm/sem.}" ;;
			/dev/shm/*) echo "shm /${f#/dev/shm/}" ;;
			*) echo "mqueue /${f#/dev/mqueue/}" ;;
		esac
	done
	local -A names=([m]=sysv-shm [s]=sysv-sem [q]=sysv-msg)
	for kind in m s q; do
		while read -r hex; do
			((16#${hex#0x} >= key && 16#${hex#0x} < key + 16)) && echo "${names[$kind]} $hex"
		done < <(LC_ALL=C ipcs -"$kind" 2>/dev/null | awk '$1 ~ /^0x[0-9a-fA-F]+$/ { print $1 }')
	done
	return 0
}

zoo_ipc_sweep() {
	local kind name
	while read -r kind name; do
		case $kind in
			shm) rm -f "/dev/shm${name}" ;;
			sem) rm -f "/dev/shm/sem.${name#/}" ;;
			mqueue) rm -f "/dev/mqueue${name}" ;;
			sysv-shm) ipcrm -M "$name" 2>/dev/null || true ;;
			sysv-sem) ipcrm -S "$name" 2>/dev/null || true ;;
			sysv-msg) ipcrm -Q "$name" 2>/dev/null || true ;;
		esac
	done < <(zoo_ipc_list "$1" "$2")
}

zoo_ipc_sweep_registry() {
	local prefix key
	[[ -f $1 ]] || return 0
	while read -r prefix key; do
		zoo_ipc_sweep "$prefix" "$key"
	done <"$1"
}

zoo_fds() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ -e $fd || -L $fd ]] && echo "${fd##*/} -> $(readlink "$fd")"
	done
	return 0
}

zoo_build() {
	local ex src targets=()
	for ex in "$@"; do
		for src in "$ZOO_ROOT/$ex"/*.c; do
			[[ -f $src ]] || continue
			src=${src#"$ZOO_ROOT"/}
			targets+=(build/{plain,tsan,asan}/"${src%.c}")
		done
	done
	((${#targets[@]})) || return 0
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 --no-print-directory -C "$ZOO_ROOT" "${targets[@]}" >/dev/null ||
		zoo_die "the programs do not build (see above)"
}

zoo_attempt_build() { # EX FILE DIR
	local broken=$ZOO_ROOT/$1/broken.c src=$2
	if ! grep -qE "$ZOO_PLUMBING" "$2" && grep -qE "$ZOO_PLUMBING" "$broken"; then
		mkdir -p "$3/restored"
		src=$3/restored/$(basename "$2")
		zoo_restore "$broken" "$2" "$2" >"$src"
	fi
	echo "$src"
	zoo_build_file "$src" "$3" "$(zoo_attempt_name "$2")" "$ZOO_ROOT/$1" >&2 || return
	local variant helper
	for variant in plain tsan asan; do
		for helper in "$ZOO_ROOT/build/$variant/$1"/*; do
			case ${helper##*/} in broken | fixed | *.d) continue ;; esac
			[[ -x $helper ]] && ln -sf "$helper" "$3/$variant/"
		done
	done
	return 0
}

zoo_attempt_name() {
	basename "$1" .c
}

# The compiler's words go to stdout and stderr; the status says if it built.
zoo_build_file() { # SRC OUT NAME INC
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u EX make -s --no-print-directory -C "$ZOO_ROOT" learner \
		SRC="$1" OUT="$2" NAME="$3" INC="$4"
}

# Bats writes its --report-formatter file from a process of its own that may
# still be writing when Bats exits: wait (5 s at most) for the closing tag.
zoo_wait_report() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(tail -n 1 "$1" 2>/dev/null) == '</testsuites>' ]] && return 0
		sleep 0.1
	done
	zoo_die "Bats wrote no complete JUnit report ($1)"
}

# On Ctrl-C, Bats and xargs exit at once while their helpers finish writing
# for a moment more, so one rm -rf can race them (and mkdir -p can even bring
# a removed folder back): remove, and look again a moment later.
zoo_remove_soon() {
	local try gone=0
	for try in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$1" 2>/dev/null
		if [[ -e $1 ]]; then
			gone=0
		elif ((++gone == 2)); then
			return 0
		fi
		sleep 0.25
	done
	: "$try"
}
