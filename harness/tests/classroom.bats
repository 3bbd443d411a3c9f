#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets $output, $status, $lines
# harness/tests/classroom.bats: harness/cmd/classroom, the GitHub Classroom
# setup. The workflow is read with a YAML parser (python3-yaml), and each of
# its test commands is run here, as the workflow would run it, against a
# workspace where every exhibit is solved (each exercise.c is fixed.c) and one
# where none is (each is the copy `zoo exercise` makes): the first must pass
# every command, the second fail every one. That grades every exhibit twice,
# two at a time (four put the harness's timing-bound tests beside it over
# their limits): the slowest file of the harness's tests.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ZOO_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
ZOO=$ZOO_TOP/harness/zoo
WORKFLOW=.github/workflows/classroom.yml

setup() {
	export NO_COLOR=1
	# A course: the zoo's files that classroom needs, and its .gitignore.
	COURSE=$BATS_TEST_TMPDIR/course
	mkdir -p "$COURSE"
	cp -r "$ZOO_TOP/harness" "$ZOO_TOP/.gitignore" "$COURSE/"
}

# The workflow's grading steps, one a line: id, test name, command, timeout,
# points, tab-separated; then "runners" and the reporter's list; then "env"
# and each of the reporter's variables with the step it reads.
read_workflow() {
	python3 - "$1" <<-'EOF'
		import sys, yaml
		flow = yaml.safe_load(open(sys.argv[1]))
		job = flow["jobs"]["run-autograding-tests"]
		for step in job["steps"]:
		    uses = step.get("uses", "")
		    if uses.startswith("classroom-resources/autograding-command-grader@"):
		        w = step["with"]
		        print("\t".join(["test", step["id"], w["test-name"], w["command"], str(w["timeout"]), str(w["max-score"])]))
		    elif uses.startswith("classroom-resources/autograding-grading-reporter@"):
		        print("runners\t" + step["with"]["runners"])
		        for name, value in step["env"].items():
		            print("env\t" + name + "\t" + value)
	EOF
}

@test "classroom writes a workflow that parses, with one test per exhibit (its zoo check, a timeout and points), and the course's page" {
	run "$ZOO" classroom --dir "$COURSE" --points 2 --minutes 4
	assert_success
	assert_line --regexp "^classroom: wrote .*/course/$WORKFLOW: [0-9]+ tests, 2 point\(s\) each"
	run read_workflow "$COURSE/$WORKFLOW"
	assert_success
	local number title id ids=()
	while read -r number title; do
		id=ex${number/./}
		ids+=("$id")
		assert_line "test	$id	$number $title	harness/zoo check $number	4	2"
		assert_line "env	${id^^}_RESULTS	\${{ steps.$id.outputs.result }}"
		grep -qxF "| $number $title | 2 | \`harness/zoo exercise $number\` |" "$COURSE/CLASSROOM.md" ||
			fail "CLASSROOM.md has no row for $number $title"
	done < <(zoo_list_exhibits --numbers)
	assert_equal "$(grep -c '^test	' <<<"$output")" "${#ids[@]}"
	assert_line "runners	$(IFS=,; echo "${ids[*]}")"
}

# Every exhibit folder, in course order; with --numbers, "1.01 lost-wakeup".
zoo_list_exhibits() {
	# shellcheck source=/dev/null
	(
		source "$ZOO_TOP/harness/lib/core.bash"
		for ex in $(zoo_exhibits); do
			if [[ ${1-} == --numbers ]]; then zoo_title "$ex"; else echo "$ex"; fi
		done
	)
}

@test "classroom for some exhibits names just those; a bad option, value or exhibit is one line and status 2" {
	run "$ZOO" classroom --dir "$COURSE" 1.01 act3-processes
	assert_success
	run read_workflow "$COURSE/$WORKFLOW"
	assert_line --regexp '^test	ex101	1\.01 lost-wakeup	harness/zoo check 1\.01	3	1$'
	refute_line --regexp '^test	ex102	'
	assert_equal "$(grep -c '^test	ex3' <<<"$output")" "$(zoo_list_exhibits | grep -c '^act3-processes/')"
	local bad
	for bad in "--points 0" "--points ten" "--minutes 61" "--dir" "--color" "no-such-exhibit"; do
		# shellcheck disable=SC2086 # an option and its value
		run --separate-stderr "$ZOO" classroom --dir "$COURSE" $bad
		assert_failure 2
		assert_equal "${#stderr_lines[@]}" 1
		assert_output ''
	done
	run --separate-stderr "$ZOO" classroom --dir "$BATS_TEST_TMPDIR"
	assert_failure 2
	assert_equal "$stderr" "zoo: classroom: $BATS_TEST_TMPDIR is not a copy of the zoo (it has no harness/zoo)"
}

@test "after classroom, a student's exercise in workspace/ is committed, and the editor file beside it is not" {
	cd "$COURSE"
	git init -q .
	mkdir -p workspace/act1-threads/01-lost-wakeup
	touch workspace/act1-threads/01-lost-wakeup/{exercise.c,.zoo-state,.clangd}
	run git check-ignore -q workspace/act1-threads/01-lost-wakeup/exercise.c
	assert_success # ignored in the zoo itself
	run "$ZOO" classroom --dir "$COURSE" 1.01
	assert_success
	run git check-ignore -q workspace/act1-threads/01-lost-wakeup/exercise.c
	assert_failure
	run git check-ignore -q workspace/act1-threads/01-lost-wakeup/.zoo-state
	assert_failure
	run git check-ignore -q workspace/act1-threads/01-lost-wakeup/.clangd
	assert_success
	run git check-ignore -q build/plain/x
	assert_success
}

# Runs one workflow command as the grader does (a shell, in the checkout, the
# step's timeout), against the workspace given; prints "SIDE ID STATUS" and
# keeps the output in LOGS/SIDE-ID.log.
run_step() { # TOP LOGS SIDE WORKSPACE ID MINUTES COMMAND
	local status=0
	(cd "$1" && ZOO_WORKSPACE=$4 timeout "${6}m" sh -c "$7") >"$2/$3-$5.log" 2>&1 </dev/null || status=$?
	echo "$3 $5 $status"
}
export -f run_step

@test "every test of the workflow run here: each passes on a solved workspace and fails on an unsolved one, as zoo check says" {
	local solved=$BATS_TEST_TMPDIR/solved unsolved=$BATS_TEST_TMPDIR/unsolved ex id name command minutes
	for ex in $(zoo_list_exhibits); do
		mkdir -p "$solved/$ex"
		cp "$ZOO_TOP/$ex/fixed.c" "$solved/$ex/exercise.c"
		ZOO_WORKSPACE=$unsolved "$ZOO" exercise "$ex" >/dev/null
	done
	run "$ZOO" classroom --dir "$COURSE"
	assert_success
	read_workflow "$COURSE/$WORKFLOW" | grep '^test	' >"$BATS_TEST_TMPDIR/tests"
	while IFS=$'\t' read -r _ id name command minutes _; do
		[[ $command == "harness/zoo check ${name%% *}" ]] || fail "$id runs '$command', not zoo check"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ZOO_TOP" "$BATS_TEST_TMPDIR" solved "$solved" "$id" "$minutes" "$command"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ZOO_TOP" "$BATS_TEST_TMPDIR" unsolved "$unsolved" "$id" "$minutes" "$command"
	done <"$BATS_TEST_TMPDIR/tests" >"$BATS_TEST_TMPDIR/runs"
	# Each field of a line becomes one argument, quoted by parallel.
	run parallel --jobs 2 --colsep '\t' run_step '{1}' '{2}' '{3}' '{4}' '{5}' '{6}' '{7}' :::: "$BATS_TEST_TMPDIR/runs"
	assert_success
	local tests side status wrong=()
	tests=$(wc -l <"$BATS_TEST_TMPDIR/tests")
	assert_equal "$(wc -l <<<"$output")" "$((2 * tests))"
	while read -r side id status; do
		if [[ $side == solved && $status != 0 ]] || [[ $side == unsolved && $status != 1 ]]; then
			wrong+=("$side $id exited $status: $(tail -n 3 "$BATS_TEST_TMPDIR/$side-$id.log" | tr '\n' ' ')")
		fi
	done <<<"$output"
	printf '%s\n' "${wrong[@]}"
	assert_equal "${#wrong[@]}" 0
	grep -q '^Solved! ' "$BATS_TEST_TMPDIR/solved-ex101.log"
	grep -q '^Not yet: ' "$BATS_TEST_TMPDIR/unsolved-ex101.log"
}
