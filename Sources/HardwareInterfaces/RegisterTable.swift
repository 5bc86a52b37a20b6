/// The register tables HepaBus devices use (coils and discrete inputs are not
/// part of our device protocols; the CLI reaches them directly).
public enum RegisterTable: String, Sendable, Hashable, CaseIterable {
    case holding, input
}
