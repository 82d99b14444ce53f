# mk/relay.mk — exact-bytes tests and libFuzzer harness for the relay state machine (relay.c).
# Included by the top-level Makefile; uses the compiler settings of mk/scan.mk.
#
#   make relay-asan                 relay cases and fuzz/corpus/relay under ASan + UBSan
#   make fuzz-relay [SECONDS=60]    run libFuzzer (one job) over a working copy of that corpus

RELAY_SRC = CSources/MurderCore/relay.c CSources/MurderCore/scan.c
RELAY_DEPS = $(RELAY_SRC) CSources/MurderCore/relay_internal.h include/murder_core.h \
	Tests/c/relay_drive.h fuzz/relay_fuzz.c
RELAY_INC = -Iinclude -ICSources/MurderCore -ITests/c

.PHONY: relay-asan fuzz-relay

relay-asan: $(SCAN_OUT)/relay_check
	$(SCAN_OUT)/relay_check fuzz/corpus/relay

$(SCAN_OUT)/relay_check: Tests/c/relay_check.c $(RELAY_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) $(SCAN_SAN) -O1 $(SCAN_WARN) $(RELAY_INC) -o $@ \
		Tests/c/relay_check.c fuzz/relay_fuzz.c $(RELAY_SRC)

$(SCAN_OUT)/relay_fuzz: $(RELAY_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1 \
		$(SCAN_WARN) $(RELAY_INC) -o $@ fuzz/relay_fuzz.c $(RELAY_SRC)

# libFuzzer adds what it finds to fuzz/corpus-relay-run (not committed) and leaves crash-*
# files in fuzz/out; copy an input worth keeping into fuzz/corpus/relay by hand.
fuzz-relay: $(SCAN_OUT)/relay_fuzz
	@mkdir -p fuzz/corpus-relay-run
	cp -n fuzz/corpus/relay/* fuzz/corpus-relay-run/ 2>/dev/null || true
	cd $(SCAN_OUT) && ./relay_fuzz -max_total_time=$(SECONDS) -max_len=4096 -jobs=1 -workers=1 \
		-print_final_stats=1 ../corpus-relay-run 2> relay-fuzz.log; status=$$?; \
		grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' relay-fuzz.log; \
		echo "corpus: $$(ls ../corpus-relay-run | wc -l) files in fuzz/corpus-relay-run"; \
		exit $$status
