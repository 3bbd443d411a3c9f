# shellcheck shell=bash
# harness/lib/workspace.bash: the learner's workspace, for the learner's
# subcommands (list, show, exercise, check, watch, hint, solution, progress,
# grade). Sourcing it defines variables and functions and runs nothing else.
#
#   WORKSPACE                $ZOO_WORKSPACE, default workspace/ in the zoo: one
#                            folder <act>/<NN-slug>/ per exhibit started, with
#                            exercise.c and .zoo-state (hints=N, solved=UTC time)
#   ZOO_CMD                  how the learner types the command (harness/zoo)
#   ws_dir EX, state_get EX KEY, state_set EX KEY [VALUE], ex_state EX
#                            the workspace folder and state of one exhibit
#   first_in_state STATE     the first exhibit in course order in that state
#   target_exhibit [NAME]    the named exhibit with an exercise, or the first
#                            in progress
#   md_section NAME FILE, md_plain, lesson_hints FILE   reading a lesson
#   show_diff A B LABEL-A LABEL-B   a colored diff -u
#   grade_file EX FILE SHOW  grade FILE with EX's fixed-side tests (below)
#   ws_bats_env_unset        env options that keep an outer Bats out of an inner one

ZOO_CMD=harness/zoo
WORKSPACE=${ZOO_WORKSPACE:-$ZOO_ROOT/workspace}
[[ $WORKSPACE == /* ]] || WORKSPACE=$PWD/$WORKSPACE

# A path as the learner would type it: relative to the current folder when
# inside it.
shown() {
	if [[ $1 == "$PWD"/* ]]; then echo "${1#"$PWD"/}"; else echo "$1"; fi
}

# Markdown to plain text: no emphasis marks, links as their text, no code
# fences (code stays in backticks).
md_plain() {
	sed -E '/^```/d
		s/\*\*([^*]+)\*\*/\1/g
		s/(^|[[:space:](])\*([^*[:space:]]([^*]*[^*[:space:]])?)\*/\1\2/g
		s/\[([^]]+)\]\([^)]*\)/\1/g'
}

# The text of one "## NAME" section of a README, blank lines at its ends cut.
md_section() {
	awk -v name="$1" '
		/^## / { on = ($0 == "## " name); next }
		on { if (NF) { while (blank > 0 && seen) { print ""; blank-- } blank = 0; print; seen = 1 } else blank++ }' "$2"
}

# The hints of the README's "## Hints" section, one a line (wrapped lines
# joined): each folded as <details><summary>Hint N</summary> ... </details>,
# so that a reader of the lesson sees them closed and `zoo hint` opens them.
lesson_hints() {
	md_section Hints "$1" | awk '
		/^<details>/ { on = 1; text = ""; next }
		/^<\/details>/ { if (on && text != "") print text; on = 0; next }
		on && NF { line = $0; sub(/^[[:space:]]+/, "", line); text = text (text == "" ? "" : " ") line }'
}

ws_dir() { echo "$WORKSPACE/$1"; }

state_get() {
	local file
	file=$(ws_dir "$1")/.zoo-state
	[[ -f $file ]] || return 0
	sed -n "s/^$2=//p" "$file" | tail -n 1
}

state_set() { # EX KEY [VALUE]: without VALUE, the key is removed
	local dir file
	dir=$(ws_dir "$1")
	file=$dir/.zoo-state
	mkdir -p "$dir"
	{
		if [[ -f $file ]]; then grep -v "^$2=" "$file" || true; fi
		if (($# > 2)); then echo "$2=$3"; fi
	} >"$file.new"
	mv "$file.new" "$file"
}

ex_state() {
	if [[ -n $(state_get "$1" solved) ]]; then
		echo solved
	elif [[ -f $(ws_dir "$1")/exercise.c ]]; then
		echo "in progress"
	else
		echo "not started"
	fi
}

state_colored() {
	case $1 in
		solved) echo "$C_GREEN$1$C_OFF" ;;
		"in progress") echo "$C_YELLOW$1$C_OFF" ;;
		*) echo "$C_DIM$1$C_OFF" ;;
	esac
}

hint_count() {
	local ex=$1
	lesson_hints "$ZOO_ROOT/$ex/README.md" | wc -l
}

# The first exhibit in course order in the given state, if any.
first_in_state() {
	local ex
	for ex in $(zoo_exhibits); do
		[[ $(ex_state "$ex") == "$1" ]] && { echo "$ex"; return 0; }
	done
	return 0
}

# diff -u FILE1 FILE2 under the labels LABEL1 LABEL2, colored; status 1 if
# they differ, 0 if not.
show_diff() {
	local out status=0
	out=$(diff -u --label "$3" --label "$4" "$1" "$2") || status=$?
	((status <= 1)) || zoo_die "diff could not compare $3 and $4"
	[[ -z $out ]] || printf '%s\n' "$out" | color_diff
	return "$status"
}

color_diff() {
	sed -E "s/^(\+\+\+|---)( .*)$/$C_BOLD&$C_OFF/; t; s/^\+.*/$C_GREEN&$C_OFF/; s/^-.*/$C_RED&$C_OFF/; s/^@@.*/$C_DIM&$C_OFF/"
}

# The exhibit check and watch work on: the named one, or the first in
# progress. Dies with the next step when there is none.
target_exhibit() {
	local ex
	if [[ -n ${1-} ]]; then
		ex=$(zoo_resolve_one "$1")
		[[ -f $(ws_dir "$ex")/exercise.c ]] ||
			zoo_die "no exercise for $(zoo_number "$ex") yet; start it with: $ZOO_CMD exercise $(zoo_slug "$ex")"
		echo "$ex"
		return 0
	fi
	ex=$(first_in_state "in progress")
	[[ -n $ex ]] && { echo "$ex"; return 0; }
	ex=$(first_in_state "not started")
	[[ -n $ex ]] && zoo_die "no exercise in progress; start the next one first with: $ZOO_CMD exercise $(zoo_slug "$ex")"
	zoo_die "every exhibit is solved; name one to check it again: $ZOO_CMD check EX"
}

# Grade FILE as EX's fixed program with the exhibit's fixed-side tests, each
# run recording its verdict (zoo.bash's ZOO_VERDICTS). With SHOW=1, print each
# test as a sentence when it finishes, a failed one with what its runs
# measured. Sets:
#   GR_PASSED GR_FAILED GR_SKIPPED   test counts (skipped: a detector
#                         ZOO_WITHOUT leaves out)
#   GR_BUILD              the first compiler error, empty if FILE built
#   GR_FAILURES           the failing sentences, each followed by its
#                         explanation lines indented by two spaces
grade_file() {
	local ex=$1 file=$2 show=$3 work line n name
	local -a clean_env
	GR_PASSED=0 GR_FAILED=0 GR_SKIPPED=0 GR_BUILD='' GR_FAILURES=''
	work=$(mktemp -d "${TMPDIR:-/tmp}/zoo-grade.XXXXXX")
	# shellcheck disable=SC2064 # this grading's folder, also on Ctrl-C
	trap "zoo_remove_soon '$work'" EXIT
	trap 'exit 130' INT
	mkdir "$work/verdicts"
	mapfile -t clean_env < <(ws_bats_env_unset)
	while IFS= read -r line; do
		[[ $line =~ ^(not )?ok\ ([0-9]+)\ (.*)$ ]] || continue
		n=${BASH_REMATCH[2]} name=${BASH_REMATCH[3]#fixed.c: }
		if [[ -z ${BASH_REMATCH[1]} && $name == *' # skip '* ]]; then
			GR_SKIPPED=$((GR_SKIPPED + 1))
			[[ $show != 1 ]] || printf '  %sskipped%s %s (%s)\n' "$C_YELLOW" "$C_OFF" "${name%% # skip *}" "${name#* # skip }"
		elif [[ -z ${BASH_REMATCH[1]} ]]; then
			GR_PASSED=$((GR_PASSED + 1))
			[[ $show != 1 ]] || printf '  %sok%s      %s\n' "$C_GREEN" "$C_OFF" "$name"
		elif [[ -s $work/verdicts/build.log ]]; then
			GR_FAILED=$((GR_FAILED + 1))
			[[ -z $GR_BUILD ]] || continue
			GR_BUILD=$(grade_compile_error "$work/verdicts/build.log")
			GR_FAILURES="$(basename "$file") does not compile:"$'\n'"  ${GR_BUILD//$'\n'/$'\n'  }"$'\n'
			[[ $show != 1 ]] || printf '  %sFAILED%s  %s does not compile with -Wall -Wextra -Werror:\n          %s\n' \
				"$C_RED$C_BOLD" "$C_OFF" "$(basename "$file")" "${GR_BUILD//$'\n'/$'\n'          }"
		else
			GR_FAILED=$((GR_FAILED + 1))
			GR_FAILURES+="FAILED $name"$'\n'$(grade_explain "$work/verdicts/$n" | sed 's/^/  /')$'\n'
			if [[ $show == 1 ]]; then
				printf '  %sFAILED%s  %s\n' "$C_RED$C_BOLD" "$C_OFF" "$name"
				grade_explain "$work/verdicts/$n" | sed 's/^/          /'
				if [[ -f $work/verdicts/$n.report ]]; then
					grep -vE "^(fixed|$(basename "$file" .c)): " "$work/verdicts/$n.report" | head -n 12 |
						sed "s/^/          $C_DIM| /; s/\$/$C_OFF/" || true
				fi
			fi
		fi
	done < <(env "${clean_env[@]}" ZOO_FIXED="$file" ZOO_VERDICTS="$work/verdicts" TMPDIR="$work" \
		bats --formatter tap --filter '^fixed' "$ZOO_ROOT/$ex/test.bats" </dev/null 2>&1 || true)
	if ((GR_PASSED + GR_FAILED == 0)); then
		GR_FAILED=1
		GR_FAILURES="the exhibit's test.bats ran no fixed-side test (is Bats installed? see: $ZOO_CMD deps)"$'\n'
		((GR_SKIPPED == 0)) || GR_FAILURES="every fixed-side test was skipped: nothing judged the file"$'\n'
		[[ $show != 1 ]] || printf '  %sFAILED%s  %s' "$C_RED$C_BOLD" "$C_OFF" "$GR_FAILURES"
	fi
	rm -rf "$work"
	trap - EXIT
	return 0
}

# The `env` options that keep a Bats running this one (the harness's own
# tests) from leaking its settings into an exhibit's Bats, one a line.
ws_bats_env_unset() {
	local v
	for v in $(compgen -e); do
		[[ $v == BATS_* && $v != BATS_LIB_PATH && $v != BATS_ROOT ]] && printf '%s\n' -u "$v"
	done
	printf '%s\n' -u ZOO_NAME_PREFIX
	# A test's PATH starts with Bats' libexec folder, whose `bats` needs the
	# function the outer one exported, which a shell between them (sh -c)
	# drops: the inner run must start from the bats on the PATH outside.
	printf 'PATH=%s\n' "$(tr : '\n' <<<"$PATH" | grep -v '/libexec/bats-core$' | paste -sd:)"
}

# What the runs of one failed test measured, from their recorded verdicts:
# each run's verdict against its promise, each report's headline and the
# lines it cites, and the program's own result line.
grade_explain() {
	local file=$1 kind det prog promise verdict status result last_kept=0 said=0
	[[ -f $file ]] || { echo "the test failed before it ran the program"; return 0; }
	while IFS=$'\t' read -r kind det prog promise verdict status result; do
		case $kind in
			run)
				said=1
				if [[ $promise != - ]] && zoo_keeps "$promise" "$verdict"; then
					last_kept=1
				else
					last_kept=0
					# The attempt carries no BUG markers: a report is a report.
					[[ $verdict == report* ]] && verdict=report
					echo "$det: $verdict (the test expects: ${promise/-/no promise})"
				fi
				[[ -z $result || $result == *": clean: "* ]] || echo "your program: ${result#*: }" ;;
			headline) echo "$det${prog:+ at $prog}" ;;
		esac
	done <"$file"
	((said && last_kept)) && echo "the run kept its promise, but the test's own check of the output failed"
	return 0
}

# The first compiler error of a build that failed, in one or two lines.
grade_compile_error() {
	awk '
		/: (fatal )?error: / && !err { line = $0; gsub(/[^ :]*\//, "", line); err = line; next }
		err && /^ *[0-9]+ \| / && !src { src = $0; sub(/^ +/, "", src); gsub(/[ \t]+/, " ", src) }
		END { if (err != "") { print err; if (src != "") print "  " src } }' "$1"
}
