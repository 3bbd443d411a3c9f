# shellcheck shell=bash
# harness/lib/report.bash: the one reader of detector reports (ThreadSanitizer,
# AddressSanitizer and UBSan, Helgrind, DRD, memcheck, and the os detector's
# lines). Every function reads a run's output on stdin; FILE... are the
# program's sources, whose lines the report may cite.
#
#   zoo_report_trim FILE...       the report cut to what a learner needs: each
#                                 headline, and at most three frames of each
#                                 stack that point into FILE..., as
#                                 "at function file.c:LINE"; no addresses,
#                                 library frames, thread or lock announcements,
#                                 AddressSanitizer's shadow bytes, or Valgrind
#                                 chatter
#   zoo_report_blamed FILE...     the "file.c:LINE" the error stacks cite, one a
#                                 line (the trimmed frames: announcements aside)
#   zoo_report_blames_bug FILE... true if one of them carries a BUG marker
#   zoo_report_headlines FILE...  one line per report: "Detector: what<TAB>the
#                                 first cited lines", e.g. "ThreadSanitizer:
#                                 data race<TAB>broken.c:27, broken.c:41"

zoo_report_trim() {
	local files
	files=$(for f in "$@"; do basename "$f"; done | paste -sd'|' - | sed 's/\./\\./g')
	sed -E 's/^==[0-9]+== ?//' | awk -v files="(${files:-no-source}):[0-9]+" -v root="$ZOO_ROOT/" '
		/^Shadow bytes around the buggy address:/ { shadow = 1; next }
		shadow { if (/^ABORTING/) shadow = 0; next }
		/^[[:space:]]*$/ || /^[-=]+$/ { frames = 0; skip = 0; next }
		/Thread-Announcement|^Thread #[0-9]+ was created|was first observed$|^  As if synchronized via sleep:|^  (Mutex M[0-9]+|Thread T[0-9]+) .*(created|at):$/ { skip = 1; next }
		/^(Allocation context|Other segment)/ { skip = 1; next }
		/^(Command|Copyright|Using Valgrind|For (counts|lists)|Use --history|HINT|ERROR SUMMARY|Parent PID|(Helgrind|DRD|Memcheck), a )/ { next }
		/^[[:space:]]+(at|by) 0x|^[[:space:]]+#[0-9]+ |^[[:space:]]+(at|by) [^ ]+ \(/ {
			if (!skip && $0 ~ files && frames++ < 3) {
				line = $0
				sub(/^[[:space:]]+(#[0-9]+|at|by)( 0x[0-9A-Fa-f]+:)? /, "", line)
				sub(/^0x[0-9A-Fa-f]+ in /, "", line) # an AddressSanitizer frame
				sub(/ \(BuildId: [0-9a-f]+\)/, "", line)
				sub(/ \([^ ]*\+0x[0-9a-f]+\)$/, "", line)
				sub(/[^ (]*\//, "", line)
				sub(/:[0-9]+:[0-9]+$/, "&@", line); sub(/:[0-9]+@$/, "", line)
				gsub(/[()]/, "", line)
				print "      at " line
			}
			next }
		{ frames = 0; skip = 0; while ((i = index($0, root)) > 0) $0 = substr($0, 1, i - 1) substr($0, i + length(root))
		  # the addresses AddressSanitizer prints say nothing a learner needs
		  sub(/ on address 0x[0-9a-f]+ at pc 0x[0-9a-f]+ bp 0x[0-9a-f]+ sp 0x[0-9a-f]+/, "")
		  sub(/ at 0x[0-9a-f]+ thread /, " by thread ")
		  sub(/^0x[0-9a-f]+ is located/, "It is located"); sub(/ region \[0x[0-9a-f]+,0x[0-9a-f]+\)/, " region")
		  print }'
}

zoo_report_blamed() {
	zoo_report_trim "$@" | sed -n 's/^      at .* \([^ ]*:[0-9][0-9]*\)$/\1/p' | sort -u
}

zoo_report_blames_bug() {
	local cited
	cited=$(zoo_report_blamed "$@")
	[[ -n $cited ]] && grep -qxF -f <(zoo_bug_lines "$@"; echo '-') <<<"$cited"
}

zoo_report_headlines() {
	zoo_report_trim "$@" | awk '
		function report(detector, text) {
			flush(); sub(/^ +/, "", text); sub(/ \(pid=[0-9]+\)/, "", text)
			label = detector ": " tolower(substr(text, 1, 1)) substr(text, 2) }
		function flush() {
			if (label != "" && !seen[label "\t" lines]++) print label "\t" lines
			label = ""; lines = ""; nl = 0; delete cited }
		/^      at / {
			if (!instack && label != "") { n = $NF; if (!(n in cited) && nl++ < 4) { cited[n] = 1; lines = lines (lines == "" ? "" : ", ") n } }
			instack = 1; next }
		{ instack = 0 }
		/WARNING: ThreadSanitizer: / { l = $0; sub(/.*WARNING: ThreadSanitizer: /, "", l); report("ThreadSanitizer", l); next }
		/ERROR: (AddressSanitizer|LeakSanitizer): / { l = $0; sub(/.*ERROR: /, "", l); sub(/ on address.*| at pc .*/, "", l); d = l; sub(/:.*/, "", d); sub(/^[^:]*: /, "", l); report(d, l); next }
		/runtime error: / { l = $0; c = l; sub(/.*runtime error: /, "", l); report("UBSan", l); if (match(c, /[^ :\/]+:[0-9]+/)) lines = substr(c, RSTART, RLENGTH); next }
		/^Possible data race during / { l = $0; sub(/ of size.*/, "", l); report("Helgrind", l); next }
		/^Thread #[0-9]+: / { l = $0; sub(/^Thread #[0-9]+: /, "", l); gsub(/ "0x[0-9A-Fa-f]+ before 0x[0-9A-Fa-f]+"/, "", l); gsub(/ *0x[0-9A-Fa-f]+/, "", l); report("Helgrind", l); next }
		/^(Exiting thread still holds|Thread #[0-9]+ unlocked)/ { report("Helgrind", $0); next }
		/^Conflicting (load|store) / { l = $0; sub(/ by thread.*/, "", l); report("DRD", l); next }
		/^(Recursive locking not allowed|Mutex still locked at thread exit|Probably a race condition|Destroying locked mutex|Mutex not locked|The object at address)/ {
			l = $0; sub(/[:,.] .*/, "", l); report("DRD", l); next }
		/^(Invalid (read|write|free)|Conditional jump|Use of uninitialised|Mismatched free)/ { l = $0; sub(/ of size.*/, "", l); report("memcheck", l); next }
		/ are definitely lost/ { report("memcheck", "memory definitely lost"); next }
		/^os: left behind: / { l = $0; sub(/^os: /, "", l); report("os", l); next }
		END { flush() }'
}
