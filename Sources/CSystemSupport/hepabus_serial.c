#include "hepabus_serial.h"

#include <asm/termbits.h>
#include <linux/serial.h>
#include <string.h>
#include <sys/ioctl.h>

int hepabus_tiocexcl(int fd) { return ioctl(fd, TIOCEXCL); }
int hepabus_tiocnxcl(int fd) { return ioctl(fd, TIOCNXCL); }
int hepabus_tiocgexcl(int fd) {
    int flag = 0;
    if (ioctl(fd, TIOCGEXCL, &flag) != 0) return -1;
    return flag != 0;
}

int hepabus_set_custom_baud(int fd, uint32_t baud) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -1;
    t.c_cflag &= ~CBAUD;
    t.c_cflag |= BOTHER;
    t.c_cflag &= ~(CBAUD << IBSHIFT);
    t.c_cflag |= BOTHER << IBSHIFT;
    t.c_ospeed = baud;
    t.c_ispeed = baud;
    return ioctl(fd, TCSETS2, &t);
}

int hepabus_get_baud(int fd, uint32_t *baud) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -1;
    *baud = t.c_ospeed;
    return 0;
}

_Static_assert(sizeof(struct termios2) <= sizeof(((hepabus_line_state *)0)->bytes),
               "hepabus_line_state must hold a struct termios2");

int hepabus_input_queued(int fd, int *count) { return ioctl(fd, FIONREAD, count); }

int hepabus_save_line_state(int fd, hepabus_line_state *out) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -1;
    memset(out, 0, sizeof *out);
    memcpy(out->bytes, &t, sizeof t);
    return 0;
}

int hepabus_restore_line_state(int fd, const hepabus_line_state *in) {
    struct termios2 t;
    memcpy(&t, in->bytes, sizeof t);
    return ioctl(fd, TCSETS2, &t);
}

int hepabus_get_rs485(int fd, hepabus_rs485 *out) {
    struct serial_rs485 r;
    memset(&r, 0, sizeof r);
    if (ioctl(fd, TIOCGRS485, &r) != 0) return -1;
    out->enabled = (r.flags & SER_RS485_ENABLED) != 0;
    out->rts_on_send = (r.flags & SER_RS485_RTS_ON_SEND) != 0;
    out->rts_after_send = (r.flags & SER_RS485_RTS_AFTER_SEND) != 0;
    out->rx_during_tx = (r.flags & SER_RS485_RX_DURING_TX) != 0;
    out->delay_rts_before_send_ms = r.delay_rts_before_send;
    out->delay_rts_after_send_ms = r.delay_rts_after_send;
    return 0;
}

int hepabus_set_rs485(int fd, const hepabus_rs485 *in) {
    struct serial_rs485 r;
    memset(&r, 0, sizeof r);
    if (in->enabled) r.flags |= SER_RS485_ENABLED;
    if (in->rts_on_send) r.flags |= SER_RS485_RTS_ON_SEND;
    if (in->rts_after_send) r.flags |= SER_RS485_RTS_AFTER_SEND;
    if (in->rx_during_tx) r.flags |= SER_RS485_RX_DURING_TX;
    r.delay_rts_before_send = in->delay_rts_before_send_ms;
    r.delay_rts_after_send = in->delay_rts_after_send_ms;
    return ioctl(fd, TIOCSRS485, &r);
}
