# mk/scan.mk — sanitizer replay and libFuzzer harness for the framing scanner (scan.c).
# Included by the top-level Makefile.
#
#   make scan-asan           replay fuzz/corpus/scan and generated streams under ASan + UBSan
#   make fuzz [SECONDS=60]   run libFuzzer over a working copy of the corpus (fuzz/corpus-run)

SCAN_CC ?= /opt/swift/usr/bin/clang
# ld.gold cannot link the sanitizer runtimes of this clang; its own lld can.
SCAN_LD ?= -fuse-ld=lld
SCAN_WARN = -Wall -Wextra -Werror
SCAN_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -g
SCAN_SRC = CSources/MurderCore/scan.c
SCAN_DEPS = $(SCAN_SRC) include/murder_core.h Tests/c/scan_replay.h
SCAN_OUT = fuzz/out
SECONDS ?= 60

.PHONY: scan-asan fuzz

scan-asan: $(SCAN_OUT)/scan_check
	$(SCAN_OUT)/scan_check fuzz/corpus/scan

$(SCAN_OUT)/scan_check: Tests/c/scan_check.c $(SCAN_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) $(SCAN_SAN) -O1 $(SCAN_WARN) -Iinclude -ITests/c -o $@ Tests/c/scan_check.c $(SCAN_SRC)

$(SCAN_OUT)/scan_fuzz: fuzz/scan_fuzz.c $(SCAN_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1 \
		$(SCAN_WARN) -Iinclude -ITests/c -o $@ fuzz/scan_fuzz.c $(SCAN_SRC)

# libFuzzer adds what it finds to fuzz/corpus-run (git-ignored) and leaves crash-* files in
# fuzz/out; copy an input worth keeping into fuzz/corpus/scan by hand.
fuzz: $(SCAN_OUT)/scan_fuzz
	@mkdir -p fuzz/corpus-run
	cp -n fuzz/corpus/scan/* fuzz/corpus-run/ 2>/dev/null || true
	cd $(SCAN_OUT) && ./scan_fuzz -max_total_time=$(SECONDS) -max_len=4096 -print_final_stats=1 \
		../corpus-run 2> fuzz.log; status=$$?; \
		grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' fuzz.log; \
		echo "corpus: $$(ls ../corpus-run | wc -l) files in fuzz/corpus-run"; \
		exit $$status
