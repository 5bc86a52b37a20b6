// Simulator: simulated device firmware and circuit physics.
