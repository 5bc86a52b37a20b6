import FirmwareProtocols
import HardwareInterfaces

// The one rule for a measured value that has a sentinel and status fault bits that
// explain it (pressure sensorFault, probe open/short, blood-leak sensorFault, heater
// element sensor fault):
//
// | fault bit | value on the wire      | result                                         |
// |-----------|------------------------|------------------------------------------------|
// | set       | sentinel               | .deviceFault naming the fault                  |
// | set       | a number               | .deviceFault: the device disowns the number     |
// | clear     | sentinel               | .implausibleValue: unavailable with no reason   |
// | clear     | outside the spec range | .implausibleValue                              |
// | clear     | in range               | the value                                      |
//
// A number next to a set fault bit is never used: the firmware has told us its
// measuring element failed, and it is safer to believe the fault than the number.

extension RegisterWords {
    /// The measured value of `register`, judged by the rule above against `faults`,
    /// the names of the fault bits that explain its sentinel which are set now.
    func measured(_ register: RegisterDefinition, faults: [String]) throws(DeviceError) -> Result<Double, DeviceError> {
        let decoded = try decoded(register)
        let raw = try words(of: register)
        if !faults.isEmpty {
            let reported: String
            switch decoded {
            case .failure(.unavailable): reported = "reads unavailable (\(hex(raw)))"
            case .success(let value): reported = "reported \(value) alongside it, discarded"
            case .failure: reported = "reported raw \(hex(raw)) alongside it, discarded"
            }
            return .failure(DeviceError(kind: .deviceFault, device: device,
                                        detail: "\(operation): \(register.name): device reports \(faults.joined(separator: ", ")); \(reported)"))
        }
        switch decoded {
        case .success(let value):
            return .success(value)
        case .failure(.unavailable):
            return .failure(DeviceError(kind: .implausibleValue, device: device,
                                        detail: "\(operation): \(register.name) reads unavailable (\(hex(raw))) but no fault bit explains it: the device is inconsistent"))
        case .failure(let error):
            return .failure(try implausible(register, error))
        }
    }
}
