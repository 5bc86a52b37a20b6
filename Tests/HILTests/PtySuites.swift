import Testing

/// Every test that runs a circuit over ptys, one at a time: on a two-core machine, two
/// simulated circuits at once would measure the machine, not the stack.
@Suite(.serialized) enum PtySuites {}
