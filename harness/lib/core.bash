# shellcheck shell=bash
# harness/lib/core.bash: what every part of the harness needs first. Sourcing
# it defines variables and functions and runs nothing else.
#
#   ZOO_ROOT                 the repository's top folder
#   ZOO_ACTS                 the four act folders, in course order (act N is ZOO_ACTS[N-1])
#   ZOO_DETECTORS            every detector a run can use (lib/run.bash runs them)
#   zoo_left_out DET         true when ZOO_WITHOUT=valgrind leaves DET out (Helgrind,
#                            DRD, memcheck), for a machine that cannot run Valgrind:
#                            their tests skip, saying so, and deps asks no Valgrind
#   ZOO_S_CLEAN ... ZOO_S_REPORT
#                            the exit statuses, read from harness/exit-status.def
#                            (the only place their numbers are written)
#   zoo_color_init           colors on fd 1 only for a terminal without NO_COLOR
#   zoo_die MSG              one line on stderr, exit 2
#   zoo_count WHAT VALUE MIN MAX   VALUE if a whole number from MIN to MAX
#                            (leading zeros allowed), else one line naming WHAT
#   zoo_usage FILE           FILE's header comment: its usage text, whole
#   zoo_exhibits             every exhibit folder, in course order
#   zoo_resolve NAME...      the exhibit folders a name stands for (path, slug,
#                            NN-slug, act, number 1.03, or all); all if none
#   zoo_resolve_one NAME     exactly one exhibit, or one line and exit 2
#   zoo_number EX            1.03 for act1-threads/03-lock-order-inversion
#   zoo_slug EX              lock-order-inversion
#   zoo_title EX             1.03 lock-order-inversion
#   zoo_sources EX           the exhibit's source files (*.c and *.h), full paths

ZOO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ZOO_ACTS=(act1-threads act2-coroutines act3-processes crosscutting)
# shellcheck disable=SC2034 # used by the files that source this one
ZOO_DETECTORS=(tsan helgrind drd asan memcheck stress os explore)

zoo_left_out() { # DET
	case ${ZOO_WITHOUT-} in
		'') return 1 ;;
		valgrind) [[ $1 == helgrind || $1 == drd || $1 == memcheck ]] ;;
		*) zoo_die "ZOO_WITHOUT='$ZOO_WITHOUT': the zoo can do without valgrind only" ;;
	esac
}

# ZOO_STATUS(CLEAN, 0, "...") becomes ZOO_S_CLEAN=0, and so on.
while IFS=' ' read -r _zoo_name _zoo_code; do
	printf -v "ZOO_S_$_zoo_name" '%s' "$_zoo_code"
done < <(sed -n 's/^ZOO_STATUS(\([A-Z]*\), *\([0-9]*\),.*/\1 \2/p' "$ZOO_ROOT/harness/exit-status.def")
unset _zoo_name _zoo_code
# shellcheck disable=SC2034 # used by the files that source this one
ZOO_STATUS_NAMES=$(sed -n 's/^ZOO_STATUS(\([A-Z]*\),.*/\1/p' "$ZOO_ROOT/harness/exit-status.def")

# shellcheck disable=SC2034 # the color variables are for the scripts that source this file
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

# The comment block after the shebang, up to the first line that is not a
# comment: the usage text of a command file, however long it grows.
zoo_count() { # WHAT VALUE MIN MAX
	if [[ ! $2 =~ ^[0-9]{1,9}$ ]] || ((10#$2 < $3 || 10#$2 > $4)); then
		zoo_die "$1 '$2' is not a whole number from $3 to $4"
	fi
	echo "$((10#$2))"
}

zoo_usage() {
	awk 'NR == 1 && /^#!/ { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1" |
		grep -v '^shellcheck '
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

zoo_number() {
	local act=${1%%/*} nn=${1#*/} i
	nn=${nn%%-*}
	for i in "${!ZOO_ACTS[@]}"; do
		[[ ${ZOO_ACTS[i]} == "$act" ]] && { echo "$((i + 1)).$nn"; return 0; }
	done
	echo "?.$nn"
}

zoo_slug() {
	local name=${1#*/}
	echo "${name#[0-9][0-9]-}"
}

zoo_title() {
	echo "$(zoo_number "$1") $(zoo_slug "$1")"
}

zoo_sources() {
	local f
	for f in "$ZOO_ROOT/$1"/*.c "$ZOO_ROOT/$1"/*.h; do
		[[ -f $f ]] && echo "$f"
	done
	return 0
}

# The exhibits within edit distance 3 of a wrong name, for "did you mean".
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
		if [[ -z $found ]]; then
			hint=$(zoo_closest "$name")
			zoo_die "no exhibit or act named '$name'${hint:+ (did you mean: $hint?)}; 'make help' and README.md list them"
		fi
		echo "$found"
	done | awk '!seen[$0]++'
}

zoo_resolve_one() {
	local found n
	found=$(zoo_resolve "$1") || exit 2
	n=$(wc -l <<<"$found")
	((n == 1)) || zoo_die "'$1' names $n exhibits; name one of them, e.g. $(zoo_number "$(head -n 1 <<<"$found")")"
	echo "$found"
}
