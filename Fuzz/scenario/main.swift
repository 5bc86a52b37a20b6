// libFuzzer target: the HIL scenario parser (strict YAML, the step vocabulary, durations).
import FuzzSupport
import HIL

fuzzMain { bytes in
    _ = try? ScenarioParser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
}
