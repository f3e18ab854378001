/* Step this process's wall clock (CLOCK_REALTIME) by the seconds written in $PRACHA_CLOCK_OFFSET_FILE,
 * re-read at most once a second; CLOCK_MONOTONIC is left alone, as a real clock step leaves it.
 * libfaketime 0.9.10 would do it, but with FAKETIME_DONT_FAKE_MONOTONIC Python's time.sleep fails (EINVAL). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static long long offset_ns;
static long long checked = -1;

static void refresh(void) {
    struct timespec now;
    real_clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    if (now.tv_sec == checked) return;
    checked = now.tv_sec;
    const char *path = getenv("PRACHA_CLOCK_OFFSET_FILE");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    double seconds;
    if (fscanf(f, "%lf", &seconds) == 1) offset_ns = (long long)(seconds * 1e9);
    fclose(f);
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    if (!real_clock_gettime) real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
    int rc = real_clock_gettime(clock, ts);
    if (rc == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) {
        refresh();
        long long t = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + offset_ns;
        ts->tv_sec = t / 1000000000LL;
        ts->tv_nsec = t % 1000000000LL;
    }
    return rc;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    (void)tz;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (tv) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return 0;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
