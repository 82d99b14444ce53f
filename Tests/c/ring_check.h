/*
 * ring_check.h — helpers shared by ring_check.c (the loop's operations) and
 * ring_relay_check.c (the relay driver), both built into one sanitizer program.
 */
#ifndef RING_CHECK_H
#define RING_CHECK_H

#include "murder_core.h"

#include <stddef.h>
#include <stdint.h>

extern int failures;
extern const char *current;

void fail_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define CHECK(cond, ...)                                                                            \
    do {                                                                                            \
        if (!(cond))                                                                                \
            fail_at(__FILE__, __LINE__, __VA_ARGS__);                                               \
    } while (0)

uint64_t now_ms(void);
mc_loop *loop_new(uint32_t buf_size, uint32_t buf_count, uint32_t splice_min);
mc_loop *loop_new_head(uint32_t buf_size, uint32_t buf_count, uint32_t splice_min, uint32_t head_read);
void loop_free(mc_loop *l);
int next_event(mc_loop *l, mc_loop_event *ev, int ms);
int expect_event(mc_loop *l, uint64_t token, uint32_t kind, mc_loop_event *out, int ms, int line);
void socket_pair(int sv[2]);
void tcp_pair(int sv[2]);
int tcp_listener(uint16_t *port);
int tcp_connect(uint16_t port);
void write_all(int fd, const void *p, size_t n);
size_t read_exact(int fd, void *p, size_t n, int ms);
void fill_pattern(uint8_t *p, size_t n, uint32_t seed);

void relay_tests(void);

#endif
