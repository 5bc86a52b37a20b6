// libFuzzer target: the circuit-file loader (strict YAML, then the circuit's own checks).
import CircuitConfiguration
import FuzzSupport

fuzzMain { bytes in
    _ = try? CircuitConfigurationLoader.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
}
