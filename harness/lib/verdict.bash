# shellcheck shell=bash
# harness/lib/verdict.bash: where a run's verdict is decided, for the tests,
# the demo, the matrix, scan, check and grade alike.
#
#   zoo_verdict STATUS PROMISE FILE...   the verdict in words of one run whose
#                           output is on stdin: STATUS its exit status (after
#                           lib/run.bash has judged every process of it),
#                           PROMISE the Expect: value for the detector (may be
#                           empty), FILE... the sources its report may cite
#   zoo_keeps PROMISE VERDICT            does the verdict keep the promise?
#   zoo_judge EX PROG DET [VAR=value...]   run PROG of exhibit EX under DET
#                            with the settings its Knobs: line gives DET, then
#                            the VARs, and judge it against its Expect: line
#                            (the demo, the matrix, zoo explore); sets
#                            JUDGED_OUT, _STATUS, _KNOBS (an array), _PROMISE,
#                            _VERDICT, _KEPT (yes, no, or - without a promise)
#                            and _TENTHS (tenths of a second the run took).
#                            JUDGE_ROOT and JUDGE_NAME, when set, name another
#                            build of PROG to run (an attempt at fixed.c)
#
#   verdict              status, and what the report says
#   report at BUG line   REPORT, and the report cites a line marked BUG(Rn)
#   report, no line      REPORT, citing no line of the program
#   report elsewhere     REPORT, citing only lines without a BUG marker
#   false positive       REPORT on a program that promises false-positive
#   clean                CLEAN: no report, the invariant held
#   hang caught          HANG: the program's own watchdog ended a hang (or,
#                        under the scheduler, no thread could move)
#   unfinished           UNFINISHED: a bound stopped it first (the explorer's
#                        time or choice bound, a player who quit)
#   invariant violated   INVARIANT: the program caught its own bug
#   bad usage            USAGE
#   timed out            124 or 137: the run outlived `timeout`; the watchdog failed
#   crashed (N)          any other status N
#
# Promises (Expect: values) and the verdicts that keep them: report = report
# at BUG line; report-no-line = report, no line; false-positive = false
# positive; clean; hang = hang caught; invariant = invariant violated;
# missed = the detector is blind to this program's bug, said honestly: no
# report, whatever the program itself saw (clean, hang caught or invariant
# violated), and the matrix shows the cell as missed. (The
# tests also let a learner's attempt run clean where fixed.c promises a false
# positive: a fix built on a mutex is one the detector understands.)

# shellcheck disable=SC2034 # used by the files that source this one
ZOO_PROMISES=(report report-no-line false-positive clean hang invariant missed)

zoo_verdict() {
	local status=$1 promise=$2 out
	shift 2
	out=$(cat)
	case $status in
		"$ZOO_S_REPORT")
			if [[ $promise == false-positive ]]; then
				echo "false positive"
			elif [[ -z $(zoo_report_blamed "$@" <<<"$out") ]]; then
				echo "report, no line"
			elif zoo_report_blames_bug "$@" <<<"$out"; then
				echo "report at BUG line"
			else
				echo "report elsewhere"
			fi ;;
		"$ZOO_S_CLEAN") echo clean ;;
		"$ZOO_S_INVARIANT") echo "invariant violated" ;;
		"$ZOO_S_USAGE") echo "bad usage" ;;
		"$ZOO_S_HANG") echo "hang caught" ;;
		"$ZOO_S_UNFINISHED") echo "unfinished" ;;
		124 | 137) echo "timed out" ;;
		*) echo "crashed ($status)" ;;
	esac
}

zoo_keeps() {
	case $1 in
		report) [[ $2 == "report at BUG line" ]] ;;
		report-no-line) [[ $2 == "report, no line" ]] ;;
		false-positive) [[ $2 == "false positive" ]] ;;
		clean) [[ $2 == clean ]] ;;
		hang) [[ $2 == "hang caught" ]] ;;
		invariant) [[ $2 == "invariant violated" ]] ;;
		missed) [[ $2 == clean || $2 == "hang caught" || $2 == "invariant violated" ]] ;;
		*) return 1 ;;
	esac
}

zoo_judge() {
	local ex=$1 prog=$2 det=$3 src start
	local -a sources
	shift 3
	src=$ZOO_ROOT/$ex/$prog.c
	mapfile -t JUDGED_KNOBS < <(zoo_knobs "$src" "$det")
	mapfile -t sources < <(zoo_sources "$ex")
	JUDGED_PROMISE=$(zoo_expect "$src" "$det")
	JUDGED_STATUS=0
	start=$(date +%s%N)
	JUDGED_OUT=$(zoo_detect "$det" "${JUDGE_ROOT:-$ZOO_ROOT/build}" "${JUDGE_NAME:-$ex/$prog}" \
		"${JUDGED_KNOBS[@]}" "$@" </dev/null) || JUDGED_STATUS=$?
	JUDGED_TENTHS=$((($(date +%s%N) - start) / 100000000))
	JUDGED_VERDICT=$(zoo_verdict "$JUDGED_STATUS" "$JUDGED_PROMISE" "${sources[@]}" <<<"$JUDGED_OUT")
	JUDGED_KEPT=-
	if [[ -n $JUDGED_PROMISE ]]; then
		JUDGED_KEPT=no
		zoo_keeps "$JUDGED_PROMISE" "$JUDGED_VERDICT" && JUDGED_KEPT=yes
	fi
	return 0
}
