# mk/ring.mk — the io_uring loop (ring.c, ring_relay.c) against real sockets under ASan + UBSan,
# and the bare splice relay of the benchmark's reference row. Included by the top-level Makefile.
#
#   make ring-asan        run Tests/c/ring_check (prints SKIP with the reason when io_uring is unavailable)

RING_SRC = CSources/MurderCore/ring.c CSources/MurderCore/ring_relay.c CSources/MurderCore/relay.c \
	CSources/MurderCore/scan.c
RING_DEPS = $(RING_SRC) CSources/MurderCore/ring_internal.h include/murder_core.h \
	Tests/c/ring_check.h Tests/c/ring_check.c Tests/c/ring_relay_check.c

.PHONY: ring-asan

ring-asan: $(SCAN_OUT)/ring_check
	$(SCAN_OUT)/ring_check

$(SCAN_OUT)/ring_check: $(RING_DEPS)
	@mkdir -p $(SCAN_OUT)
	$(SCAN_CC) $(SCAN_LD) $(SCAN_SAN) -O1 $(SCAN_WARN) -Iinclude -ITests/c -o $@ \
		Tests/c/ring_check.c Tests/c/ring_relay_check.c $(RING_SRC) -luring -lpthread
