/*
 * Benchmark of the SQLite store backend, not part of `make test`:
 *   bench_backend DIR N
 * writes N ~1 KiB JSON records under random-order keys in commits of 64 (as
 * a busy event loop would), closes, reopens and times load() of everything,
 * warm (file in the page cache, as right after the writes) and cold (file
 * evicted from the page cache with posix_fadvise first, which is as cold as
 * an unprivileged process can make it). DIR must not hold a store yet.
 * Figures go one per line, `sqlite: ...`. Build with -O2, no sanitizers:
 *   gcc -std=gnu11 -O2 -D_GNU_SOURCE -Isrc bench/bench_backend.c src/store/backend*.c \
 *       src/core/err.c src/core/alloc.c -lsqlite3 -o bench_backend
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/backend.h"

#define BATCH 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct fl_err *err)
{
    fprintf(stderr, "bench_backend: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

/* Record i: a key in scattered order (i * odd constant is a bijection mod
 * 2^32, so keys are unique) and a ConfigMap-like value of 900..1150 bytes. */
static size_t make_key(char *buf, size_t cap, unsigned i)
{
    unsigned h = i * 2654435761u;
    return (size_t)snprintf(buf, cap, "/registry/configmaps/ns-%03u/cm-%08x", h % 500, h);
}

static size_t make_value(char *buf, size_t cap, unsigned i, const char *key)
{
    unsigned h = i * 2654435761u;
    int pad = 700 + (int)(h % 250);
    return (size_t)snprintf(buf, cap,
                            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                            "\"cm-%08x\",\"namespace\":\"ns-%03u\",\"uid\":\"%08x-0000-4000-8000-"
                            "%012u\",\"resourceVersion\":\"%u\",\"labels\":{\"app\":\"bench\"}},"
                            "\"data\":{\"key\":\"%s\",\"blob\":\"%.*s\"}}",
                            h, h % 500, h, i, i + 1, key, pad,
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

struct counts {
    unsigned long n;
    unsigned long long bytes;
};

/* The store's callback would copy and parse; this one only counts, so the
 * figure is the backend's own cost. SQLite has already read every byte of
 * the row into its page buffers when the callback runs (no mmap). */
static int count(void *ctx, const struct fl_kv *kv)
{
    struct counts *c = ctx;
    c->n++;
    c->bytes += kv->keylen + kv->vlen;
    if (kv->vlen && kv->value[kv->vlen - 1] != '}')
        return -1;
    return 0;
}

static void evict(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

static void timed_load(const char *dir, unsigned long n, const char *label)
{
    struct fl_err err = {0};
    struct fl_backend *b = NULL;
    struct counts c = {0};
    uint64_t rev = 0;
    double t0 = now();
    if (fl_backend_sqlite_open(dir, &b, &err))
        die("reopen", &err);
    double t1 = now();
    if (fl_backend_load(b, count, &c, &rev, &err))
        die("load (or a value not ending in '}')", &err);
    double t2 = now();
    if (c.n != n || rev != n)
        die("load: wrong record count or revision", NULL);
    printf("sqlite: open took %.3f s (%s)\n", t1 - t0, label);
    printf("sqlite: %lu records loaded in %.2f s (%s, %.0f MiB of keys+values)\n", c.n, t2 - t1,
           label, (double)c.bytes / 1048576.0);
    fl_backend_close(b);
}

int main(int argc, char **argv)
{
    struct fl_err err = {0};
    struct fl_backend *b = NULL;
    char key[128], val[2048], path[4096];
    struct stat st;

    if (argc != 3) {
        fprintf(stderr, "usage: bench_backend DIR N\n");
        return 2;
    }
    const char *dir = argv[1];
    unsigned long n = strtoul(argv[2], NULL, 10);
    snprintf(path, sizeof(path), "%s/flotilla.db", dir);
    if (stat(path, &st) == 0) {
        fprintf(stderr, "bench_backend: %s exists; give an empty directory\n", path);
        return 2;
    }

    if (fl_backend_sqlite_open(dir, &b, &err))
        die("open", &err);
    double t0 = now();
    unsigned long commits = 0;
    for (unsigned long i = 0; i < n; i++) {
        size_t kl = make_key(key, sizeof(key), (unsigned)i);
        size_t vl = make_value(val, sizeof(val), (unsigned)i, key);
        struct fl_kv kv = {key, kl, val, vl, i + 1, i + 1};
        if (fl_backend_put(b, &kv, 0, &err))
            die("put", &err);
        if ((i + 1) % BATCH == 0 || i + 1 == n) {
            if (fl_backend_commit(b, i + 1, &err))
                die("commit", &err);
            commits++;
        }
    }
    double t1 = now();
    fl_backend_close(b);
    double t2 = now();
    stat(path, &st);
    printf("sqlite: %lu records written in %.2f s, %d per commit\n", n, t1 - t0, BATCH);
    printf("sqlite: %.0f commits/s\n", (double)commits / (t1 - t0));
    printf("sqlite: %.0f records/s\n", (double)n / (t1 - t0));
    printf("sqlite: close (final checkpoint) took %.2f s\n", t2 - t1);
    printf("sqlite: database file %.0f MiB\n", (double)st.st_size / 1048576.0);

    timed_load(dir, n, "warm");
    evict(path);
    timed_load(dir, n, "cold: evicted with fadvise");
    return 0;
}
