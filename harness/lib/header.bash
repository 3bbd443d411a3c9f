# shellcheck shell=bash
# harness/lib/header.bash: the one reader of what a program says about itself:
# the header comment's fields, its BUG markers, and the copy a learner sees.
#
#   zoo_header_field F FILE  field F (Rule, Bug, Fix, Expect, Knobs, Demo, ...)
#                            of FILE's header comment, wrapped lines joined
#   zoo_expect FILE DET      the value FILE's Expect: line gives detector DET
#   zoo_main_detector FILE   the exhibit's demo detector: its Demo: field, or
#                            the first detector on its Expect: line
#   zoo_knobs FILE DET       the VAR=value settings FILE's Knobs: line gives DET,
#                            one a line (dies with one line if the line is wrong)
#   zoo_bug_lines FILE...    every line marked BUG(Rn), as "file.c:LINE"
#   zoo_strip MODE FILE      FILE as a learner sees it, markers cut out:
#                            exercise  header kept, less the fields that tell
#                                      the bug (Bug, Fix, Expect, Demo, Knobs)
#                            quiz      no header, numbered from the first code line
#                            bugs      for quiz: one line per BUG marker, tab-
#                                      separated: quiz line, file line, rules,
#                                      code, the marker's words
#
# A header is the comment that opens the file; a field starts at a line
# " * Name:" and runs until the next such line. A Knobs: line reads
# "DETECTOR[,DETECTOR] VAR=value...; ..." where the detector "all" stands for
# every one and a later group wins; it holds the settings a detector's runs
# need to keep the Expect: promise, and every run (test, demo, matrix, check,
# grade) applies them, so they are written nowhere else.

zoo_header_field() {
	awk -v field="$1" '
		/^ \*\// { exit }
		/^ \* [A-Z][A-Za-z]*( R[0-9]+)?:/ { on = ($2 == field || $2 == field ":") }
		on { line = $0; sub(/^ \* +/, "", line); if (!started) sub(/^[A-Za-z]+:? */, "", line); text = text (started ? " " : "") line; started = 1 }
		END { print text }' "$2"
}

zoo_expect() {
	zoo_header_field Expect "$1" | tr ' ' '\n' | sed -n "s/^$2=\\([a-z-]*\\)\$/\\1/p" | head -n 1
}

zoo_main_detector() {
	local det
	det=$(zoo_header_field Demo "$1")
	[[ -n $det ]] || det=$(zoo_header_field Expect "$1" | sed -n 's/^\([a-z]*\)=.*/\1/p')
	echo "$det"
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
			[[ $var =~ ^ZOO_[A-Z_]+=[^[:space:]]*$ ]] || zoo_die "$where: Knobs: '$var' is not ZOO_VAR=value"
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
		grep -n 'BUG(R[0-9]*' "$f" | sed "s|^\\([0-9]*\\):.*|$(basename "$f"):\\1|" || true
	done
}

zoo_strip() {
	awk -v mode="$1" '
		function marker_at(s) { return match(s, /[ \t]*\/\*[ \t]*(BUG|FIX)\(R[^)]*\)/) }
		NR == 1 && /^\/\*/ { header = 1 }
		header {
			if (/^ \*\//) { header = 0; after = 1 }
			if (mode != "exercise") next
			if ($0 ~ /^ \* [A-Z][A-Za-z]*( R[0-9]+)?:/) {
				field = $2; sub(/:$/, "", field)
				drop = (field ~ /^(Bug|Fix|Expect|Demo|Knobs)$/)
			} else if (!(drop && $0 ~ /^ \*  +[^ ]/)) drop = 0
			if (!drop) print
			next }
		after && mode != "exercise" && /^[ \t]*$/ { next }
		{ after = 0; line = $0; rules = ""; words = ""; cut = 0 }
		{
			while (marker_at(line)) {
				start = RSTART; rest = substr(line, RSTART); open_at = index(rest, "/*")
				close_at = index(substr(rest, open_at + 2), "*/")
				end = close_at ? start + open_at + close_at + 2 : length(line) + 1
				comment = substr(line, start, end - start)
				if (comment ~ /BUG\(/) {
					inside = comment; sub(/^[^(]*\(/, "", inside); sub(/\).*/, "", inside)
					while (match(inside, /R[0-9]+/)) { rules = rules (rules == "" ? "" : " ") substr(inside, RSTART, RLENGTH); inside = substr(inside, RSTART + RLENGTH) }
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
			if (mode != "bugs") print line
			if (pend_rules != "") { rules = rules pend_rules; words = pend_words (words == "" ? "" : "; " words); orig = pend_orig; pend_rules = ""; pend_words = ""; pend_orig = 0 } else orig = NR
			if (rules != "" && mode == "bugs") { code = line; sub(/^[ \t]+/, "", code); gsub(/\t/, " ", code); printf "%d\t%d\t%s\t%s\t%s\n", n, orig, rules, code, words }
		}' "$2"
}
