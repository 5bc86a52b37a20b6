// Drivers: one per device family (see firmware-protocols/).
