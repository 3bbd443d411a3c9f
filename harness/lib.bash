# shellcheck shell=bash
# harness/lib.bash: shell functions shared by harness/zoo (the command) and
# harness/zoo.bash (the Bats library). Sourcing it defines functions and a few
# variables, and runs nothing.
#
#   ZOO_ROOT                   the repository's top folder
#   zoo_color_init             colors on fd 1 only for a terminal without NO_COLOR
#   zoo_die MSG                one line on stderr, exit 2
#   zoo_status NAME            exit status by name, read from exit-status.def
#   zoo_exhibits               every exhibit folder, in course order
#   zoo_resolve NAME...        exhibit folders named by path, slug, NN-slug, act,
#                              or number (1.03 = act 1, exhibit 03); all if none
#   zoo_expect FILE DETECTOR   the value the Expect: line of FILE gives DETECTOR
#   zoo_detect DET ROOT NAME [VAR=value...] [-- ARG...]
#                              run ROOT/<variant>/NAME under detector DET with a
#                              timeout, the settings in its environment, the ARGs
#                              on its command line, stdin from /dev/null
#   zoo_build EX...            build the exhibits' programs (all three variants)
#   zoo_header_field F FILE    field F of a program's header comment (Rule, Bug,
#                              Expect, ...), its wrapped lines joined
#   zoo_knobs SRC DET          the VAR=value settings SRC's Knobs: line gives DET
#   zoo_remove_soon DIR        rm -rf DIR, again until it stays gone (for traps)
#   zoo_verdict SRC STATUS [PROMISE]   a run's verdict in words (report on stdin)
#   zoo_keeps PROMISE VERDICT  does the verdict keep the Expect: promise?
#   zoo_blamed_lines SRC       line numbers of SRC cited by the stacks of a report
#                              on stdin (announcements of threads and locks aside)
#   zoo_bug_lines SRC          line numbers of SRC that carry a BUG marker
#   zoo_blames_bug_line SRC    true if a report on stdin cites a BUG line of SRC
#   zoo_trim SRC...            a report on stdin cut to the lines a learner needs
#
# Detectors: tsan and asan run build/tsan and build/asan; helgrind, drd and
# memcheck run build/plain under Valgrind; stress runs build/plain alone.
# Every run is bounded by `timeout` (ZOO_RUN_TIMEOUT seconds, default 12).

ZOO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZOO_ACTS=(act1-threads act2-coroutines act3-processes crosscutting)
ZOO_DETECTORS=(tsan helgrind drd asan memcheck stress)

# The color variables are for the scripts that source this file.
# shellcheck disable=SC2034
zoo_color_init() {
	if [[ -t 1 && -z ${NO_COLOR-} && ${TERM-dumb} != dumb ]]; then
		C_BOLD=$'\e[1m' C_RED=$'\e[31m' C_GREEN=$'\e[32m' C_YELLOW=$'\e[33m' C_DIM=$'\e[2m' C_OFF=$'\e[0m'
	else
		C_BOLD='' C_RED='' C_GREEN='' C_YELLOW='' C_DIM='' C_OFF=''
	fi
}

zoo_die() {
	printf 'zoo: %s\n' "$*" >&2
	exit 2
}

zoo_status() {
	local code
	code=$(sed -n "s/^ZOO_STATUS($1, *\([0-9]*\),.*/\1/p" "$ZOO_ROOT/harness/exit-status.def")
	[[ -n $code ]] || zoo_die "no exit status named '$1' in harness/exit-status.def"
	echo "$code"
}

zoo_exhibits() {
	local act dir
	for act in "${ZOO_ACTS[@]}"; do
		for dir in "$ZOO_ROOT/$act"/[0-9][0-9]-*/; do
			[[ -f $dir/broken.c ]] && echo "$act/$(basename "$dir")"
		done
	done
	return 0
}

# Print the exhibits within edit distance 3 of a wrong name, for "did you mean".
zoo_closest() {
	zoo_exhibits | awk -v want="$1" '
		function dist(a, b,   i, j, la, lb, d, cost) {
			la = length(a); lb = length(b)
			for (i = 0; i <= la; i++) d[i, 0] = i
			for (j = 0; j <= lb; j++) d[0, j] = j
			for (i = 1; i <= la; i++)
				for (j = 1; j <= lb; j++) {
					cost = substr(a, i, 1) != substr(b, j, 1)
					d[i, j] = d[i-1, j] + 1
					if (d[i, j-1] + 1 < d[i, j]) d[i, j] = d[i, j-1] + 1
					if (d[i-1, j-1] + cost < d[i, j]) d[i, j] = d[i-1, j-1] + cost
				}
			return d[la, lb]
		}
		{ n = split($0, part, "/"); slug = substr(part[n], 4)
		  if (dist(want, slug) <= 3 || index(slug, want) || index(want, slug)) print slug }' |
		paste -sd, - | sed 's/,/, /g'
}

zoo_resolve() {
	local name all found hint act num i
	all=$(zoo_exhibits)
	(($#)) || { echo "$all"; return 0; }
	for name in "$@"; do
		name=${name#./}
		name=${name%/}
		found=''
		if [[ $name == all ]]; then
			found=$all
		elif [[ $name =~ ^([1-4])\.([0-9]{1,2})$ ]]; then
			act=${ZOO_ACTS[BASH_REMATCH[1] - 1]}
			printf -v num '%02d' "$((10#${BASH_REMATCH[2]}))"
			found=$(grep -E "^$act/$num-" <<<"$all" || true)
		else
			for i in "${ZOO_ACTS[@]}"; do
				[[ $name == "$i" ]] && found=$(grep -E "^$i/" <<<"$all" || true)
			done
			[[ -n $found ]] || found=$(grep -E "^$name\$|/$name\$|/[0-9][0-9]-$name\$" <<<"$all" || true)
		fi
		if [[ -z $found && " ${ZOO_ACTS[*]} " == *" $name "* ]]; then
			zoo_die "$name has no exhibits yet (its README.md says what comes)"
		elif [[ -z $found ]]; then
			hint=$(zoo_closest "$name")
			zoo_die "no exhibit or act named '$name'${hint:+ (did you mean: $hint?)}; 'make help' and README.md list them"
		fi
		echo "$found"
	done | awk '!seen[$0]++'
}

zoo_expect() {
	sed -n "s/.*Expect:.*\\b$2=\\([a-z-]*\\).*/\\1/p" "$1" | head -n 1
}

zoo_detect() {
	local detector=$1 prog variant=plain
	local -a run=()
	local vg=(valgrind --error-exitcode=66 --fair-sched=yes --num-callers=12 --vgdb=no -q)
	case $detector in
		tsan) variant=tsan ;;
		asan) variant=asan ;;
		helgrind) run=("${vg[@]}" --tool=helgrind) ;;
		drd) run=("${vg[@]}" --tool=drd) ;;
		memcheck) run=("${vg[@]}" --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite) ;;
		stress) ;;
		*) zoo_die "unknown detector '$detector' (one of: ${ZOO_DETECTORS[*]})" ;;
	esac
	prog=$2/$variant/$3
	shift 3
	local -a settings=()
	while (($#)) && [[ $1 != -- ]]; do
		settings+=("$1")
		shift
	done
	[[ ${1-} == -- ]] && shift
	[[ -x $prog ]] || zoo_die "no program $prog (run 'make' first)"
	timeout --foreground -k 2 "${ZOO_RUN_TIMEOUT:-12}" env \
		TSAN_OPTIONS="atexit_sleep_ms=0 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS-}" \
		ASAN_OPTIONS="exitcode=66 detect_leaks=1 ${ASAN_OPTIONS-}" \
		UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 exitcode=66 ${UBSAN_OPTIONS-}" \
		"${settings[@]}" "${run[@]}" "$prog" "$@" </dev/null 2>&1
}

zoo_blamed_lines() {
	local base
	base=$(basename "$1")
	# Only the error's own stacks count, not thread or lock announcements:
	# zoo_trim keeps exactly those.
	zoo_trim "$1" | grep -oE "(^|[ /(])${base//./\\.}:[0-9]+" | sed 's/.*://' | sort -nu || true
}

zoo_bug_lines() {
	grep -n 'BUG(R[0-9]*' "$1" | cut -d: -f1 || true
}

zoo_blames_bug_line() {
	local cited
	cited=$(zoo_blamed_lines "$1")
	[[ -n $cited ]] && grep -qxF -f <(zoo_bug_lines "$1") <<<"$cited"
}

# Keep the headlines and at most three stack frames that point into the
# exhibit's own sources, each cut to "function file.c:line"; drop addresses,
# library frames, thread and lock announcements, and Valgrind chatter.
zoo_trim() {
	local files
	files=$(for f in "$@"; do basename "$f"; done | paste -sd'|' - | sed 's/\./\\./g')
	sed -E 's/^==[0-9]+== ?//' | awk -v files="($files):[0-9]+" -v root="$ZOO_ROOT/" '
		/^[[:space:]]*$/ || /^[-=]+$/ { frames = 0; skip = 0; next }
		/Thread-Announcement|^Thread #[0-9]+ was created|was first observed$|^  As if synchronized via sleep:|^  (Mutex M[0-9]+|Thread T[0-9]+) .*(created|at):$/ { skip = 1; next }
		/^(Allocation context|Other segment)/ { skip = 1; next }
		/^(Command|Copyright|Using Valgrind|For (counts|lists)|Use --history|HINT|ERROR SUMMARY)/ { next }
		/^[[:space:]]+(at|by) 0x|^[[:space:]]+#[0-9]+ |^[[:space:]]+(at|by) [^ ]+ \(/ {
			if (!skip && $0 ~ files && frames++ < 3) {
				line = $0
				sub(/^[[:space:]]+(#[0-9]+|at|by)( 0x[0-9A-Fa-f]+:)? /, "", line)
				sub(/ \(BuildId: [0-9a-f]+\)/, "", line)
				sub(/ \([^ ]*\+0x[0-9a-f]+\)$/, "", line)
				sub(/[^ (]*\//, "", line)
				sub(/:[0-9]+:[0-9]+$/, "&@", line); sub(/:[0-9]+@$/, "", line)
				gsub(/[()]/, "", line)
				print "      at " line
			}
			next }
		{ frames = 0; skip = 0; while ((i = index($0, root)) > 0) $0 = substr($0, 1, i - 1) substr($0, i + length(root)); print }'
}

zoo_build() {
	local ex src targets=()
	for ex in "$@"; do
		for src in "$ZOO_ROOT/$ex"/*.c; do
			src=${src#"$ZOO_ROOT"/}
			targets+=(build/{plain,tsan,asan}/"${src%.c}")
		done
	done
	((${#targets[@]})) || return 0
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 --no-print-directory -C "$ZOO_ROOT" "${targets[@]}" >/dev/null ||
		zoo_die "the programs do not build (see above)"
}

zoo_header_field() {
	awk -v field="$1" '
		/^ \*\// { exit }
		/^ \* [A-Z][A-Za-z]*( R[0-9]+)?:/ { on = ($2 == field || $2 == field ":") }
		on { line = $0; sub(/^ \* +/, "", line); if (!started) sub(/^[A-Za-z]+:? */, "", line); text = text (started ? " " : "") line; started = 1 }
		END { print text }' "$2"
}

# A header's Knobs: line is "DETECTOR[,DETECTOR] VAR=value...; ..." where
# the detector "all" stands for every one. The settings are the ones a
# detector needs to keep the program's Expect: promise (the matrix and the
# demo use them; a test may pass more).
zoo_knobs() {
	local line group dets vars
	local -a groups settings
	line=$(zoo_header_field Knobs "$1")
	[[ -n $line ]] || return 0
	IFS=';' read -ra groups <<<"$line"
	for group in "${groups[@]}"; do
		read -r dets vars <<<"$group"
		read -ra settings <<<"$vars"
		if [[ $dets == all || ,$dets, == *",$2,"* ]]; then
			printf '%s\n' "${settings[@]}"
		fi
	done
}

# Remove a temporary folder for good. On Ctrl-C, Bats and xargs exit at once
# while their helpers finish writing for a moment more, so one rm -rf can
# race them (and mkdir -p can even bring a removed folder back): remove, and
# look again a moment later, for a few seconds.
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

# What a run earned, in the words MATRIX.md uses: SRC is the program's
# source, STATUS its exit status, PROMISE its Expect: value for the detector
# (may be empty), the run's output on stdin.
zoo_verdict() {
	local src=$1 status=$2 promise=${3-} out
	out=$(cat)
	case $status in
		66)
			if [[ $promise == false-positive ]]; then
				echo "false positive"
			elif [[ -z $(zoo_blamed_lines "$src" <<<"$out") ]]; then
				echo "report, no line"
			elif zoo_blames_bug_line "$src" <<<"$out"; then
				echo "report at BUG line"
			else
				echo "report elsewhere"
			fi ;;
		0) echo clean ;;
		1) echo "invariant violated" ;;
		2) echo "bad usage" ;;
		3) echo "hang caught" ;;
		124 | 137) echo "timed out" ;;
		*) echo "crashed ($status)" ;;
	esac
}

# Does a verdict keep an Expect: promise? The one definition the tests,
# the demo and the matrix share.
zoo_keeps() {
	case $1 in
		report) [[ $2 == "report at BUG line" ]] ;;
		report-no-line) [[ $2 == "report, no line" ]] ;;
		false-positive) [[ $2 == "false positive" ]] ;;
		clean) [[ $2 == clean ]] ;;
		hang) [[ $2 == "hang caught" ]] ;;
		invariant) [[ $2 == "invariant violated" ]] ;;
		*) return 1 ;;
	esac
}
