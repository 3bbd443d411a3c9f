# shellcheck shell=bash
# harness/lib/header.bash: the one reader of what a program says about itself:
# the header comment's fields, its BUG markers, and the copy a learner sees.
#
#   zoo_header_field F FILE  field F (Rule, Bug, Fix, Expect, Knobs, Demo, ...)
#                            of FILE's header comment, wrapped lines joined
#   zoo_expect FILE DET      the value FILE's Expect: line gives detector DET
#   zoo_main_detector FILE   the exhibit's demo detector: its Demo: field, or
#                            the first detector on its Expect: line that sees
#                            the bug (not missed, not a false positive), of
#                            those not left out (zoo_left_out)
#   zoo_knobs FILE DET       the VAR=value settings FILE's Knobs: line gives DET,
#                            one a line (dies with one line if the line is wrong)
#   zoo_bug_lines FILE...    every line marked BUG(Rn), as "file.c:LINE"
#   zoo_rules FILE           the rules FILE's header names, primary first:
#                            the Rule: line's, then the Also: line's (R4 R5)
#   zoo_card                 the card in COURSE.md, one rule a line: "R4 lock-order"
#   zoo_strip MODE FILE      FILE as a learner sees it, markers and plumbing
#                            cut out:
#                            exercise  header kept, less the fields that tell
#                                      the bug (Bug, Fix, Expect, Explore, Demo, Knobs)
#                            quiz      no header, numbered from the first code line
#                            bugs      for quiz: one line per BUG marker, tab-
#                                      separated: quiz line, file line, rules,
#                                      code, the marker's words
#                            plumbing  the plumbing lines, each as "K<tab>line":
#                                      it sat after line K of the exercise copy
#   zoo_restore BROKEN FILE NAME   FILE (a learner's edit of BROKEN's exercise
#                            copy) with BROKEN's plumbing put back where it
#                            was, and #line directives that keep every line
#                            named and numbered as in FILE (shown as NAME)
#
# Plumbing is what a program carries only to be tested: the cues and wideners
# that force an interleaving (and zoo_clock_step, which steps a faked wall
# clock at the worst moment), the named steps and shown variables of the
# scheduler (zoo_step, zoo_show: each names where the order matters), and the
# default of ZOO_WIDEN, which would say that there is a window (a line that
# matches ZOO_PLUMBING). Each such
# line is one whole statement or declaration, so that the copy without it is
# the program a learner would have written. Grading builds the learner's file
# with the plumbing restored, anchored to the unchanged line before it (or,
# failing that, after it; failing both, the nearest unchanged line before), so
# a fix is judged on the schedule the test forces.
#
# A header is the comment that opens the file; a field starts at a line
# " * Name:" and runs until the next such line. A Knobs: line reads
# "DETECTOR[,DETECTOR] VAR=value...; ..." where the detector "all" stands for
# every one and a later group wins; it holds the settings a detector's runs
# need to keep the Expect: promise, and every run (test, demo, matrix, check,
# grade) applies them, so they are written nowhere else. A VAR is a zoo knob
# (ZOO_...) or a sanitizer's options (ASAN_OPTIONS=a=1:b=0, likewise TSAN_
# and UBSAN_), which zoo_detect adds to its own. A rule is R1..R10 or
# C1..C4 (COURSE.md, "The card").

ZOO_PLUMBING='zoo_(cue|widen|preempt|step|poll|show|clock_step)|^[[:space:]]*[.]widen_us[[:space:]]*='
ZOO_RULE_RE='[RC][0-9]+'

zoo_header_field() {
	awk -v field="$1" '
		/^ \*\// { exit }
		/^ \* [A-Z][A-Za-z]*( [RC][0-9]+)?:/ { on = ($2 == field || $2 == field ":") }
		on { line = $0; sub(/^ \* +/, "", line); if (!started) sub(/^[A-Za-z]+:? */, "", line); text = text (started ? " " : "") line; started = 1 }
		END { print text }' "$2"
}

zoo_expect() {
	zoo_header_field Expect "$1" | tr ' ' '\n' | sed -n "s/^$2=\\([a-z-]*\\)\$/\\1/p" | head -n 1
}

zoo_main_detector() {
	local det
	local demo
	demo=$(zoo_header_field Demo "$1")
	for det in $demo $(zoo_header_field Expect "$1" | tr ' ' '\n' | grep -vE '=(missed|false-positive)$' | sed -n 's/^\([a-z]*\)=.*/\1/p'); do
		zoo_left_out "$det" || { echo "$det"; return 0; }
	done
}

zoo_knobs() {
	local src=$1 want=$2 line group dets vars det var where
	local -a groups detlist settings out=()
	line=$(zoo_header_field Knobs "$src")
	[[ -n $line ]] || return 0
	where=${src#"$ZOO_ROOT"/}
	IFS=';' read -ra groups <<<"$line"
	for group in "${groups[@]}"; do
		read -r dets vars <<<"$group"
		[[ -n ${dets-} && -n ${vars-} ]] ||
			zoo_die "$where: Knobs: group '${group# }' needs detectors and at least one VAR=value"
		IFS=',' read -ra detlist <<<"$dets"
		for det in "${detlist[@]}"; do
			[[ $det == all || " ${ZOO_DETECTORS[*]} " == *" $det "* ]] ||
				zoo_die "$where: Knobs: unknown detector '$det' (one of: ${ZOO_DETECTORS[*]} all)"
		done
		read -ra settings <<<"$vars"
		for var in "${settings[@]}"; do
			[[ $var =~ ^(ZOO_[A-Z_]+|[AT]SAN_OPTIONS|UBSAN_OPTIONS)=[^[:space:]]*$ ]] ||
				zoo_die "$where: Knobs: '$var' is not ZOO_VAR=value or ASAN_OPTIONS=..."
		done
		if [[ $dets == all || ,$dets, == *",$want,"* ]]; then
			out+=("${settings[@]}")
		fi
	done
	((${#out[@]} == 0)) || printf '%s\n' "${out[@]}"
}

zoo_bug_lines() {
	local f
	for f in "$@"; do
		grep -nE "BUG\($ZOO_RULE_RE" "$f" | sed "s|^\\([0-9]*\\):.*|$(basename "$f"):\\1|" || true
	done
}

zoo_card() {
	# shellcheck disable=SC2016 # the backticks are the card's, not a command
	sed -n 's/^| \([RC][0-9]*\) | `\([a-z-]*\)` | .*/\1 \2/p' "$ZOO_ROOT/COURSE.md"
}

zoo_rules() {
	{ zoo_header_field Rule "$1"; zoo_header_field Also "$1"; } | sed 's/:.*//' |
		grep -oE "$ZOO_RULE_RE" | awk '!seen[$0]++' | paste -sd' ' -
}

zoo_strip() {
	awk -v mode="$1" -v plumbing="$ZOO_PLUMBING" -v rule_re="$ZOO_RULE_RE" '
		function marker_at(s) { return match(s, "[ \t]*/\\*[ \t]*(BUG|FIX)\\(" rule_re "[^)]*\\)") }
		function emit(text) { out++; if (mode == "exercise" || mode == "quiz") print text }
		BEGIN { copy = (mode == "exercise" || mode == "plumbing") }
		NR == 1 && /^\/\*/ { header = 1 }
		header {
			if (/^ \*\//) { header = 0; after = 1 }
			if (!copy) next
			if ($0 ~ /^ \* [A-Z][A-Za-z]*( [RC][0-9]+)?:/) {
				field = $2; sub(/:$/, "", field)
				drop = (field ~ /^(Bug|Fix|Expect|Explore|Demo|Knobs)$/)
			} else if (!(drop && $0 ~ /^ \*  +[^ ]/)) drop = 0
			if (!drop) emit($0)
			next }
		after && !copy && /^[ \t]*$/ { next }
		$0 ~ plumbing { if (mode == "plumbing") printf "%d\t%s\n", out, $0; next }
		{ after = 0; line = $0; rules = ""; words = ""; cut = 0 }
		{
			while (marker_at(line)) {
				start = RSTART; rest = substr(line, RSTART); open_at = index(rest, "/*")
				close_at = index(substr(rest, open_at + 2), "*/")
				end = close_at ? start + open_at + close_at + 2 : length(line) + 1
				comment = substr(line, start, end - start)
				if (comment ~ /BUG\(/) {
					inside = comment; sub(/^[^(]*\(/, "", inside); sub(/\).*/, "", inside)
					while (match(inside, rule_re)) { rules = rules (rules == "" ? "" : " ") substr(inside, RSTART, RLENGTH); inside = substr(inside, RSTART + RLENGTH) }
					said = comment; sub(/^[ \t]*\/\*[ \t]*/, "", said); sub(/[ \t]*\*\/$/, "", said)
					words = words (words == "" ? "" : "; ") said
				}
				line = substr(line, 1, start - 1) substr(line, end)
				cut = 1
			}
			sub(/[ \t]+$/, "", line)
		}
		cut && line ~ /^[ \t]*$/ { if (rules != "") { pend_rules = pend_rules " " rules; pend_words = pend_words words; pend_orig = pend_orig ? pend_orig : NR } next }
		{
			n++
			emit(line)
			if (pend_rules != "") { rules = rules pend_rules; words = pend_words (words == "" ? "" : "; " words); orig = pend_orig; pend_rules = ""; pend_words = ""; pend_orig = 0 } else orig = NR
			if (rules != "" && mode == "bugs") { code = line; sub(/^[ \t]+/, "", code); gsub(/\t/, " ", code); printf "%d\t%d\t%s\t%s\t%s\n", n, orig, rules, code, words }
		}' "$2"
}

zoo_restore() {
	local broken=$1 file=$2 name=$3 copy
	copy=$(mktemp "${TMPDIR:-/tmp}/zoo-copy.XXXXXX")
	zoo_strip exercise "$broken" >"$copy"
	# diff's normal format says which lines of the copy survive in FILE, and
	# where: the map the plumbing is anchored by.
	{ diff -w "$copy" "$file" || true; echo "=copy $(wc -l <"$copy")"; zoo_strip plumbing "$broken"; cat "$file"; } |
		awk -v name="$name" -F'\t' '
			function range(r, part) { split(r, part, ","); lo = part[1]; hi = (2 in part) ? part[2] : part[1] }
			stage == 0 && /^=copy / { copied = substr($0, 7) + 0; stage = 1; next }
			stage == 0 && /^[0-9]/ {
				if (!match($0, /[acd]/)) next
				kind = substr($0, RSTART, 1); range(substr($0, 1, RSTART - 1)); olo = lo; ohi = hi
				range(substr($0, RSTART + 1)); nlo = lo; nhi = hi
				hunks++; hkind[hunks] = kind; hlo[hunks] = olo; hhi[hunks] = ohi; hnlo[hunks] = nlo; hnhi[hunks] = nhi
				next }
			stage == 0 { next }
			stage == 1 && /^[0-9]+\t/ { k = $1; text = substr($0, index($0, "\t") + 1); after[k] = after[k] text "\n"; groups[++ng] = k; next }
			stage == 1 { stage = 2; build_map() }
			stage == 2 { own[++nl] = $0 }
			function build_map(   s, h, off) {
				off = 0; h = 1
				for (s = 1; s <= copied; s++) {
					while (h <= hunks && hkind[h] == "a" && hlo[h] < s) { off += hnhi[h] - hnlo[h] + 1; h++ }
					if (h <= hunks && hkind[h] != "a" && s >= hlo[h] && s <= hhi[h]) {
						map[s] = 0
						if (s == hhi[h]) { off += (hkind[h] == "c" ? hnhi[h] - hnlo[h] + 1 : 0) - (hhi[h] - hlo[h] + 1); h++ }
					} else map[s] = s + off
				}
			}
			END {
				if (stage < 2) build_map()
				for (g = 1; g <= ng; g++) {
					k = groups[g]
					if (k in placed) continue
					placed[k] = 1
					if (k >= 1 && map[k] > 0) at = map[k] + 1
					else if (k + 1 <= copied && map[k + 1] > 0) at = map[k + 1]
					else {
						# Both neighbours were rewritten: after the nearest line
						# before that was not (the plumbing only ever waits a
						# bounded time, so a misplaced cue costs time, not a verdict).
						for (b = k - 1; b >= 1 && map[b] == 0; b--) ;
						at = b >= 1 ? map[b] + 1 : 1
					}
					# A step names the statement after it: the steps that end
					# the group go just before that line, if it survived.
					n = split(after[k], part, "\n") - 1; tail = ""; head = ""
					for (m = n; m >= 1 && part[m] ~ /zoo_(step|poll)\(/; m--) tail = part[m] "\n" tail
					for (j = 1; j <= m; j++) head = head part[j] "\n"
					step_at = (tail != "" && k + 1 <= copied && map[k + 1] > 0) ? map[k + 1] : at
					before[at] = before[at] head
					before[step_at] = before[step_at] tail
				}
				printf "#line 1 \"%s\"\n", name
				for (i = 1; i <= nl + 1; i++) {
					# The plumbing is numbered just before line i, so that a
					# step (named for the line after it) shows line i.
					if (i in before) {
						first = i - (split(before[i], part, "\n") - 1); if (first < 1) first = 1
						printf "#line %d \"%s\"\n%s#line %d \"%s\"\n", first, name, before[i], i, name
					}
					if (i <= nl) print own[i]
				}
			}'
	rm -f "$copy"
}
