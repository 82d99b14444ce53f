# mk/system.mk — sanitizer replay and libFuzzer harness for the system wrappers
# (CSources/System: SASL server exchange, digests, DEFLATE streams, file writeback). Included by the top-level Makefile.
#
#   make system-asan                replay fuzz/corpus/system and generated inputs under ASan + UBSan
#   make fuzz-system [SECONDS=60]   run libFuzzer over a working copy of that corpus

SYSTEM_SRC = CSources/System/sasl.c CSources/System/digest.c CSources/System/zstream.c CSources/System/file.c
SYSTEM_DEPS = $(SYSTEM_SRC) CSources/System/include/murder_system.h fuzz/system_fuzz.c
SYSTEM_LIBS = -lsasl2 -lcrypto -lz -lpthread

.PHONY: system-asan fuzz-system

system-asan: $(SCAN_OUT)/system_check
	ASAN_OPTIONS=detect_leaks=0 $(SCAN_OUT)/system_check fuzz/corpus/system

$(SCAN_OUT)/system_check: Tests/c/system_check.c $(SYSTEM_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) $(SCAN_SAN) -O1 $(SCAN_WARN) -ICSources/System/include -o $@ \
		Tests/c/system_check.c fuzz/system_fuzz.c $(SYSTEM_SRC) $(SYSTEM_LIBS)

$(SCAN_OUT)/system_fuzz: $(SYSTEM_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1 \
		$(SCAN_WARN) -ICSources/System/include -o $@ fuzz/system_fuzz.c $(SYSTEM_SRC) $(SYSTEM_LIBS)

fuzz-system: $(SCAN_OUT)/system_fuzz
	@mkdir -p fuzz/corpus-system-run
	cp -n fuzz/corpus/system/* fuzz/corpus-system-run/ 2>/dev/null || true
	cd $(SCAN_OUT) && ASAN_OPTIONS=detect_leaks=0 ./system_fuzz -max_total_time=$(SECONDS) -max_len=2048 \
		-print_final_stats=1 ../corpus-system-run 2> system-fuzz.log; status=$$?; \
		grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' system-fuzz.log; \
		exit $$status
