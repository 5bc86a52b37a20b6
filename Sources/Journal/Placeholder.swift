// The event journal.
