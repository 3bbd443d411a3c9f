# Makefile: builds, tests and tours the concurrency bug zoo (one Makefile, no
# recursion). Every exhibit folder <act>/<NN>-<slug>/ is found by wildcard;
# each *.c in it becomes a program (an exhibit may have several: a writer and
# a reader, a helper one of them execs; code they share goes in a header
# beside them) in three variants under build/:
#   build/plain/...  gcc -g -O1        for Valgrind (helgrind, drd, memcheck) and stress runs
#   build/tsan/...   clang, ThreadSanitizer
#   build/asan/...   clang, AddressSanitizer + UndefinedBehaviorSanitizer
# `make help` lists the targets; the comment after ## on a target line is its help.

.DEFAULT_GOAL := all
ZOO   := harness/zoo
BUILD := build
EX    ?=

CC_plain := gcc
CC_tsan  := clang
CC_asan  := clang
COMMON   := -std=c11 -D_GNU_SOURCE -pthread -g -O1 -Wall -Wextra -Werror -Iharness -MMD -MP
CFLAGS_plain := $(COMMON)
CFLAGS_tsan  := $(COMMON) -fsanitize=thread
CFLAGS_asan  := $(COMMON) -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
VARIANTS := plain tsan asan

# Every folder NN-slug with a broken.c, one level down: the acts sort in
# course order by name, so the act list lives only in harness/lib/core.bash.
EXHIBITS := $(sort $(patsubst %/broken.c,%,$(wildcard */[0-9][0-9]-*/broken.c)))
# The harness's own test fixtures are programs too (harness/tests/fixtures/procs),
# and so are the tests of an act's shared code (act2-coroutines/runtime).
FIXTURES := harness/tests/fixtures/procs $(wildcard */runtime)
SOURCES  := $(foreach e,$(EXHIBITS) $(FIXTURES),$(wildcard $(e)/*.c))
PROGRAMS := $(foreach v,$(VARIANTS),$(patsubst %.c,$(BUILD)/$(v)/%,$(SOURCES)))

# A wrong EX= stops make before anything runs, with the harness's one line.
ifneq ($(strip $(EX)),)
EX_ERROR := $(shell $(ZOO) resolve $(EX) 2>&1 >/dev/null)
ifneq ($(EX_ERROR),)
$(error $(EX_ERROR))
endif
endif

.PHONY: all deps test soak demo mutants matrix exercise check lint learner clean help

all: $(PROGRAMS) ## build every exhibit's programs in all three variants

# One pattern rule per variant; -MMD -MP keeps header dependencies automatic.
define VARIANT_RULE
$(BUILD)/$(1)/%: %.c
	@mkdir -p $$(@D)
	@echo "  CC $(1)  $$<"
	@$$(CC_$(1)) $$(CFLAGS_$(1)) -o $$@ $$<
endef
$(foreach v,$(VARIANTS),$(eval $(call VARIANT_RULE,$(v))))
-include $(PROGRAMS:=.d)

deps: ## check the tools and Debian packages the zoo needs; install them as root
	@$(ZOO) deps

# These three check the packages, then build just the exhibits they run.
test: ## run every exhibit's tests, three files at a time (EX=exhibit or act for a part)
	@$(ZOO) deps && $(ZOO) test $(EX)

soak: ## run the tests 10 times with every CPU loaded by stress-ng (EX=part)
	@$(ZOO) deps && $(ZOO) soak $(EX)

demo: ## tour the zoo: each exhibit broken then fixed under its detector (EX=one)
	@$(ZOO) deps && $(ZOO) demo $(EX)

mutants: ## prove each exhibit's test fails on every mutant of fixed.c (EX=part)
	@$(ZOO) deps && $(ZOO) mutants $(EX)

matrix: ## run every detector on every exhibit and write MATRIX.md (EX=part)
	@$(ZOO) deps && $(ZOO) matrix $(EX)

exercise: ## start an exercise: a marker-free copy of EX's broken.c in workspace/
	@$(ZOO) exercise $(EX)

check: ## grade your workspace copy of EX with the exhibit's tests
	@$(ZOO) check $(EX)

lint: ## shellcheck, build every program afresh (gcc, clang), cppcheck, the C format, clangd's view
	@$(ZOO) lint

# The ZOO_FIXED hook: build one learner's file in the three variants.
learner: ## build SRC=file.c as OUT/<variant>/NAME (INC= adds an include folder)
	@test -n "$(SRC)" && test -n "$(OUT)" && test -n "$(NAME)" || \
		{ echo "make learner: needs SRC=file.c OUT=dir NAME=program" >&2; exit 2; }
	@$(foreach v,$(VARIANTS),mkdir -p $(OUT)/$(v) && \
		$(CC_$(v)) $(CFLAGS_$(v)) $(if $(INC),-I$(INC)) -o $(OUT)/$(v)/$(NAME) $(SRC) &&) true

# For clangd and editors: bear records every compiler call of a fresh plain
# build (-B: it must see each one), which also brings build/plain up to date;
# the sanitizer builds differ only by their -fsanitize flags. Remade when the
# Makefile or a program is newer; .clangd says what clangd adds to it.
compile_commands.json: Makefile $(SOURCES) ## the compile flags for clangd and editors (bear wraps the build)
	@command -v bear >/dev/null || { echo "make: bear is missing; install it with: sudo apt-get install -y bear" >&2; exit 1; }
	@bear --output $@.new -- $(MAKE) -B -s -j$$(nproc) --no-print-directory $(filter $(BUILD)/plain/%,$(PROGRAMS)) >/dev/null || \
		{ rm -f $@.new; exit 1; }
	@mv $@.new $@
	@echo "  wrote $@: $$(grep -c '"file":' $@) files, the build's flags"

clean: ## remove build/
	rm -rf $(BUILD)

help: ## list these targets
	@grep -E '^[a-z_.]+:.*## ' $(firstword $(MAKEFILE_LIST)) | \
		awk -F':.*## ' '{ printf "  make %-22s %s\n", $$1, $$2 }'
