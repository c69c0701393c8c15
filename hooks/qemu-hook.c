/*
 * Headroom's qemu hook: libvirt runs it as
 *     /etc/libvirt/hooks/qemu <guest> <operation> <sub-operation> <extra>
 * with the domain XML on stdin, on every start, stop, migration and daemon restart, and waits for
 * it. It forwards the call to the agent over a root-only UNIX socket and exits with the status the
 * agent answers. It never calls libvirt (that would deadlock libvirtd) and adds only the agent's
 * own work to a start: C, one connection, no interpreter to load.
 *
 * When the agent cannot be reached (not running, socket missing, no answer within the timeout) the
 * --agent-down policy decides: "start" (default) lets the VM start and the agent catches up on VMs
 * it finds running when it comes back; "refuse" fails the operation, for hosts where an
 * unwatched thin disk is worse than a VM that does not start.
 *
 * Wire format (bundles/virt HookProtocol): a header line
 *     HEADROOM-HOOK/1 <len guest> <len op> <len subop> <len extra> <len xml>\n
 * then the five fields' bytes; the reply is one line "<exit> <message>\n".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_XML (16 << 20)
#define MAX_REPLY 4096

static const char *socket_path = "/run/headroom/hook.sock";
static int refuse_when_down = 0;
static int timeout_ms = 30000;

static void usage(void) {
    fprintf(stderr, "usage: qemu-hook [--socket PATH] [--agent-down start|refuse] [--timeout-ms N] "
                    "<guest> <operation> <sub-operation> <extra>  (domain XML on stdin)\n");
    exit(2);
}

/* The agent could not take the call: the policy decides whether libvirt goes ahead. */
static int agent_down(const char *guest, const char *op, const char *why) {
    fprintf(stderr, "headroom: agent not reachable on %s (%s): %s of VM %s %s\n", socket_path, why, op, guest,
            refuse_when_down ? "refused (--agent-down refuse)" : "goes ahead; the agent catches up when it is back");
    return refuse_when_down ? 1 : 0;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads all of stdin; NULL when it is larger than the agent would accept. */
static char *read_stdin(size_t *len) {
    size_t cap = 64 * 1024, used = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (used == cap) {
            if (cap >= MAX_XML) { free(buf); return NULL; }
            cap *= 2;
            char *bigger = realloc(buf, cap);
            if (!bigger) { free(buf); return NULL; }
            buf = bigger;
        }
        ssize_t n = read(STDIN_FILENO, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            break; /* no stdin (run by hand): an empty XML */
        }
        if (n == 0) break;
        used += (size_t)n;
    }
    if (used > MAX_XML) { free(buf); return NULL; }
    *len = used;
    return buf;
}

int main(int argc, char **argv) {
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strcmp(argv[i], "--agent-down") == 0 && i + 1 < argc) {
            const char *p = argv[++i];
            if (strcmp(p, "start") == 0) refuse_when_down = 0;
            else if (strcmp(p, "refuse") == 0) refuse_when_down = 1;
            else usage();
        } else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
            timeout_ms = atoi(argv[++i]);
            if (timeout_ms <= 0) usage();
        } else {
            usage();
        }
    }
    if (argc - i != 4) usage();
    const char *fields[5] = {argv[i], argv[i + 1], argv[i + 2], argv[i + 3], NULL};
    const char *guest = fields[0], *op = fields[1];

    size_t xml_len = 0;
    char *xml = read_stdin(&xml_len);
    if (!xml) {
        fprintf(stderr, "headroom: the domain XML of %s is larger than %d bytes: not forwarded\n", guest, MAX_XML);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN); /* an agent that goes away mid-request is "agent down", not a crash */

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        fprintf(stderr, "headroom: socket path too long: %s\n", socket_path);
        return 2;
    }
    strcpy(addr.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        return agent_down(guest, op, strerror(errno));
    }

    char header[256];
    int header_len = snprintf(header, sizeof header, "HEADROOM-HOOK/1 %zu %zu %zu %zu %zu\n", strlen(fields[0]),
                              strlen(fields[1]), strlen(fields[2]), strlen(fields[3]), xml_len);
    if (write_all(fd, header, (size_t)header_len) < 0 || write_all(fd, fields[0], strlen(fields[0])) < 0 ||
        write_all(fd, fields[1], strlen(fields[1])) < 0 || write_all(fd, fields[2], strlen(fields[2])) < 0 ||
        write_all(fd, fields[3], strlen(fields[3])) < 0 || write_all(fd, xml, xml_len) < 0) {
        return agent_down(guest, op, strerror(errno));
    }
    free(xml);

    char reply[MAX_REPLY];
    size_t got = 0;
    long long deadline = now_ms() + timeout_ms;
    while (got < sizeof reply - 1 && (got == 0 || reply[got - 1] != '\n')) {
        long long left = deadline - now_ms();
        if (left <= 0) return agent_down(guest, op, "no answer in time");
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return agent_down(guest, op, ready == 0 ? "no answer in time" : strerror(errno));
        ssize_t n = read(fd, reply + got, sizeof reply - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    reply[got] = '\0';

    char *message = NULL;
    long exit_status = strtol(reply, &message, 10);
    if (message == reply || got == 0) return agent_down(guest, op, "an unreadable answer");
    while (*message == ' ') message++;
    message[strcspn(message, "\n")] = '\0';
    if (exit_status < 0) return agent_down(guest, op, *message ? message : "the agent turned the call away");
    if (*message) fprintf(stderr, "%s\n", message);
    return (int)(exit_status > 255 ? 1 : exit_status);
}
