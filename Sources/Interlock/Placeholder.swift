// The safety interlock (see ../shared/design/SAFETY.md).
