/*
 * bare-libmodbus-bench: the C baseline of HepaBus's transport benchmark.
 *
 * Reads 10 holding registers (FC03, unit 1, address 0) N times with nothing
 * but libmodbus, over an RTU line (a pty in the benchmark) or Modbus TCP, and
 * prints ONE JSON line with the throughput and the CPU time per transaction:
 *
 *   bare-libmodbus-bench rtu PATH N
 *   bare-libmodbus-bench tcp HOST PORT N
 *
 *   {"impl":"c-libmodbus","transport":"rtu","transactions":N,"errors":E,
 *    "seconds":S,"tps":T,"cpu_us_per_tx":C, ...}
 *
 * It measures itself exactly as the Swift client of `hepabus-bench
 * client-swift` does, so the two are comparable: a warm-up of WARMUP reads
 * first (page faults, first-use costs, the server's buffers), then wall time
 * (CLOCK_MONOTONIC) and this process's CPU time (getrusage RUSAGE_SELF,
 * user + system) around the timed loop only. Each result is consumed (a
 * volatile checksum), as the Swift clients' ResultSink does.
 *
 * The timeouts match ModbusClientOptions' defaults (500 ms response, 50 ms
 * between bytes) and error recovery is off, as in ModbusClient; none of these
 * matter unless something goes wrong.
 *
 * Exit status: 0 when all N reads succeeded, 1 when some failed (the JSON
 * line is still printed, with "errors" > 0), 2 on usage or setup failure
 * (message on stderr, no JSON).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <modbus/modbus.h>

/* Untimed reads before the measurement; the same figure as the Swift client's. */
#define WARMUP 200
#define REGISTER_COUNT 10
#define UNIT 1

/* Where results go; volatile so the compiler keeps the work. */
static volatile uint64_t checksum;

static double monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system CPU time of the whole process (all threads), in seconds. */
static double process_cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6
         + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s rtu PATH N\n"
            "       %s tcp HOST PORT N\n"
            "Reads %d holding registers of unit %d N times with bare libmodbus and prints one JSON line.\n",
            argv0, argv0, REGISTER_COUNT, UNIT);
    return 2;
}

static long parse_count(const char *text) {
    char *end = NULL;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n <= 0) return -1;
    return n;
}

int main(int argc, char **argv) {
    const char *transport;
    modbus_t *ctx;
    long n;

    if (argc == 4 && strcmp(argv[1], "rtu") == 0) {
        transport = "rtu";
        n = parse_count(argv[3]);
        if (n < 0) return usage(argv[0]);
        /* The benchmark line is a pty: the rate is nominal, the format 8N1. */
        ctx = modbus_new_rtu(argv[2], 115200, 'N', 8, 1);
    } else if (argc == 5 && strcmp(argv[1], "tcp") == 0) {
        transport = "tcp";
        n = parse_count(argv[4]);
        if (n < 0) return usage(argv[0]);
        ctx = modbus_new_tcp_pi(argv[2], argv[3]);
    } else {
        return usage(argv[0]);
    }
    if (ctx == NULL) {
        fprintf(stderr, "bare-libmodbus-bench: cannot create the %s context: %s\n", transport, modbus_strerror(errno));
        return 2;
    }
    modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
    modbus_set_response_timeout(ctx, 0, 500000);
    modbus_set_byte_timeout(ctx, 0, 50000);
    if (modbus_set_slave(ctx, UNIT) != 0 || modbus_connect(ctx) != 0) {
        fprintf(stderr, "bare-libmodbus-bench: cannot connect (%s): %s\n", transport, modbus_strerror(errno));
        modbus_free(ctx);
        return 2;
    }

    uint16_t dest[REGISTER_COUNT];
    long warmupErrors = 0;
    for (int i = 0; i < WARMUP; i++) {
        if (modbus_read_registers(ctx, 0, REGISTER_COUNT, dest) != REGISTER_COUNT) warmupErrors++;
    }
    if (warmupErrors == WARMUP) {
        fprintf(stderr, "bare-libmodbus-bench: every warm-up read failed (%s): %s\n", transport, modbus_strerror(errno));
        modbus_close(ctx);
        modbus_free(ctx);
        return 2;
    }

    long errors = 0;
    const double cpu0 = process_cpu_seconds();
    const double t0 = monotonic_seconds();
    for (long i = 0; i < n; i++) {
        if (modbus_read_registers(ctx, 0, REGISTER_COUNT, dest) != REGISTER_COUNT) {
            errors++;
        } else {
            /* Keep something of each result, as the Swift clients' ResultSink does. */
            checksum += (uint64_t)dest[0] + REGISTER_COUNT;
        }
    }
    const double t1 = monotonic_seconds();
    const double cpu1 = process_cpu_seconds();

    modbus_close(ctx);
    modbus_free(ctx);

    const double seconds = t1 - t0;
    const double cpu = cpu1 - cpu0;
    /* seconds > 0: n >= 1 round trips always take measurable time on a monotonic clock. */
    printf("{\"impl\":\"c-libmodbus\",\"transport\":\"%s\",\"transactions\":%ld,\"errors\":%ld,"
           "\"seconds\":%.9f,\"cpu_seconds\":%.6f,\"tps\":%.3f,\"cpu_us_per_tx\":%.4f,"
           "\"warmup\":%d,\"libmodbus\":\"%s\"}\n",
           transport, n, errors, seconds, cpu, (double)n / seconds, cpu * 1e6 / (double)n,
           WARMUP, LIBMODBUS_VERSION_STRING);
    fflush(stdout);
    return errors > 0 ? 1 : 0;
}
