/// The register tables HepaBus devices use (coils and discrete inputs are not
/// part of our device protocols; the CLI reaches them directly).
public enum RegisterTable: String, Sendable, Hashable, CaseIterable {
    /// Holding registers (read/write: set-points, commands) and input registers (read-only:
    /// measurements, status).
    case holding, input
}
