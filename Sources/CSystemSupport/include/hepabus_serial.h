#ifndef HEPABUS_SERIAL_SUPPORT_H
#define HEPABUS_SERIAL_SUPPORT_H
// Thin wrappers over Linux serial ioctls whose request macros (_IOR/_IOW) and
// kernel structs (termios2, serial_rs485) do not import into Swift, or clash
// with glibc's <termios.h>. Each returns 0 on success or -1 with errno set.

#include <stdint.h>

/// ioctl(TIOCEXCL): further open(2)s of the tty fail with EBUSY (except for CAP_SYS_ADMIN).
int hepabus_tiocexcl(int fd);
/// ioctl(TIOCNXCL): undo TIOCEXCL.
int hepabus_tiocnxcl(int fd);
/// ioctl(TIOCGEXCL): whether the tty is in exclusive mode (1/0), or -1.
int hepabus_tiocgexcl(int fd);

/// ioctl(TCSETS2) with BOTHER: set an arbitrary input and output baud rate,
/// keeping every other termios field as it is.
int hepabus_set_custom_baud(int fd, uint32_t baud);
/// ioctl(TCGETS2): read back the output baud rate the driver holds (c_ospeed).
int hepabus_get_baud(int fd, uint32_t *baud);

/// ioctl(FIONREAD): how many received bytes wait in the tty's input queue.
int hepabus_input_queued(int fd, int *count);

/// A tty's complete line settings (struct termios2, rates included), opaque to Swift.
typedef struct {
    unsigned char bytes[64];
} hepabus_line_state;

/// ioctl(TCGETS2): capture every setting of the line, the numeric rates included.
int hepabus_save_line_state(int fd, hepabus_line_state *out);
/// ioctl(TCSETS2): put back settings captured by hepabus_save_line_state.
int hepabus_restore_line_state(int fd, const hepabus_line_state *in);

/// The kernel's RS-485 settings (struct serial_rs485), flattened.
typedef struct {
    int enabled;            // SER_RS485_ENABLED
    int rts_on_send;        // SER_RS485_RTS_ON_SEND
    int rts_after_send;     // SER_RS485_RTS_AFTER_SEND
    int rx_during_tx;       // SER_RS485_RX_DURING_TX
    uint32_t delay_rts_before_send_ms;
    uint32_t delay_rts_after_send_ms;
} hepabus_rs485;

/// ioctl(TIOCGRS485).
int hepabus_get_rs485(int fd, hepabus_rs485 *out);
/// ioctl(TIOCSRS485).
int hepabus_set_rs485(int fd, const hepabus_rs485 *in);

#endif
