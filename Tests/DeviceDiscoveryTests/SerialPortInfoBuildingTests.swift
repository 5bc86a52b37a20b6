import Foundation
import Testing
@testable import DeviceDiscovery

/// The interpretation of udev data, fed with fixtures shaped like real
/// `udevadm info --attribute-walk` output so it runs without hardware or udev.
@Suite("Building SerialPortInfo from udev data")
struct SerialPortInfoBuildingTests {
    typealias Ancestor = DeviceRecord.Ancestor

    /// An FT232R adapter as a udev daemon with our rules reports it.
    static let ftdiRecord = DeviceRecord(
        sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
        sysName: "ttyUSB0",
        devNode: "/dev/ttyUSB0",
        devLinks: [
            "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0",
            "/dev/hepabus/pump-main",
            "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2C3-if00-port0",
        ],
        properties: [
            "DEVNAME": "/dev/ttyUSB0",
            "SUBSYSTEM": "tty",
            "ID_VENDOR_ID": "0403",
            "ID_MODEL_ID": "6001",
            "ID_VENDOR": "FTDI",
            "ID_SERIAL_SHORT": "A1B2C3",
            "HEPABUS_ROLE": "pump-main",
        ],
        ancestors: [
            Ancestor(sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0",
                     subsystem: "usb-serial", devType: nil, driver: "ftdi_sio"),
            Ancestor(sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0",
                     subsystem: "usb", devType: "usb_interface", driver: "ftdi_sio",
                     sysAttributes: ["bInterfaceNumber": "00"]),
            Ancestor(sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2",
                     subsystem: "usb", devType: "usb_device", driver: "usb",
                     sysAttributes: [
                         "idVendor": "0403", "idProduct": "6001",
                         "manufacturer": "FTDI", "product": "FT232R USB UART ", "serial": "A1B2C3",
                     ]),
            Ancestor(sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1",
                     subsystem: "usb", devType: "usb_device", driver: "usb",
                     sysAttributes: ["idVendor": "1d6b", "idProduct": "0002", "manufacturer": "Linux"]),
            Ancestor(sysPath: "/sys/devices/pci0000:00/0000:00:14.0",
                     subsystem: "pci", devType: nil, driver: "xhci_hcd"),
        ]
    )

    @Test("USB adapter: identity comes from the nearest usb_device, not the root hub")
    func usbAdapterIdentity() throws {
        let port = try #require(SerialPortInfo(record: Self.ftdiRecord))
        #expect(port.devicePath == "/dev/ttyUSB0")
        #expect(port.name == "ttyUSB0")
        #expect(port.driver == "ftdi_sio")
        #expect(port.subsystem == "usb")
        #expect(port.usbVendorID == "0403")
        #expect(port.usbProductID == "6001")
        #expect(port.manufacturer == "FTDI")
        #expect(port.product == "FT232R USB UART")  // descriptor padding trimmed
        #expect(port.serialNumber == "A1B2C3")
        #expect(port.interfaceNumber == 0)
        #expect(port.properties["SUBSYSTEM"] == "tty")
    }

    @Test("role comes from HEPABUS_ROLE; links are sorted and split into by-id / by-path")
    func roleAndLinks() throws {
        let port = try #require(SerialPortInfo(record: Self.ftdiRecord))
        #expect(port.role == "pump-main")
        #expect(port.symlinks == [
            "/dev/hepabus/pump-main",
            "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2C3-if00-port0",
            "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0",
        ])
        #expect(port.byIDLinks == ["/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A1B2C3-if00-port0"])
        #expect(port.byPathLinks == ["/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0"])
    }

    @Test("an empty HEPABUS_ROLE means no role, and no property means no role")
    func emptyRole() throws {
        var record = Self.ftdiRecord
        record.properties["HEPABUS_ROLE"] = "  "
        #expect(try #require(SerialPortInfo(record: record)).role == nil)
        record.properties["HEPABUS_ROLE"] = nil
        #expect(try #require(SerialPortInfo(record: record)).role == nil)
    }

    @Test("without USB sysattrs, identity falls back to udev ID_* properties")
    func propertyFallback() throws {
        let record = DeviceRecord(
            sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.2/tty/ttyACM0",
            sysName: "ttyACM0",
            devNode: "/dev/ttyACM0",
            devLinks: [],
            properties: [
                "ID_VENDOR_ID": "2E8A",  // normalised to lowercase
                "ID_MODEL_ID": "000A",
                "ID_VENDOR": "Raspberry_Pi",
                "ID_VENDOR_ENC": "Raspberry\\x20Pi",
                "ID_MODEL": "Pico",
                "ID_SERIAL_SHORT": "E66058",
                "ID_USB_INTERFACE_NUM": "0a",  // hex, as udev prints it
                "DEVLINKS": "/dev/serial/by-id/usb-Raspberry_Pi_Pico_E66058-if00 /dev/serial/by-path/x",
            ],
            ancestors: [
                Ancestor(sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.2",
                         subsystem: "usb", devType: "usb_interface", driver: "cdc_acm"),
            ]
        )
        let port = try #require(SerialPortInfo(record: record))
        #expect(port.usbVendorID == "2e8a")
        #expect(port.usbProductID == "000a")
        #expect(port.manufacturer == "Raspberry Pi")  // _ENC decoded beats the underscored ID_VENDOR
        #expect(port.product == "Pico")
        #expect(port.serialNumber == "E66058")
        #expect(port.interfaceNumber == 10)
        #expect(port.driver == "cdc_acm")
        #expect(port.subsystem == "usb")
        #expect(port.byIDLinks == ["/dev/serial/by-id/usb-Raspberry_Pi_Pico_E66058-if00"])
    }

    @Test("sysattrs win over properties when both exist")
    func sysattrsWin() throws {
        var record = Self.ftdiRecord
        record.properties["ID_VENDOR_ID"] = "ffff"
        record.properties["ID_SERIAL_SHORT"] = "WRONG"
        let port = try #require(SerialPortInfo(record: record))
        #expect(port.usbVendorID == "0403")
        #expect(port.serialNumber == "A1B2C3")
    }

    /// A phantom legacy port on Linux >= 6.5, where serial-base sits between
    /// the tty and the platform device.
    static let phantomRecord = DeviceRecord(
        sysPath: "/sys/devices/platform/serial8250/serial8250:0/serial8250:0.1/tty/ttyS1",
        sysName: "ttyS1",
        devNode: "/dev/ttyS1",
        devLinks: [],
        properties: ["DEVNAME": "/dev/ttyS1"],
        ancestors: [
            Ancestor(sysPath: "/sys/devices/platform/serial8250/serial8250:0/serial8250:0.1",
                     subsystem: "serial-base", devType: "port", driver: "port"),
            Ancestor(sysPath: "/sys/devices/platform/serial8250/serial8250:0",
                     subsystem: "serial-base", devType: "ctrl", driver: "ctrl"),
            Ancestor(sysPath: "/sys/devices/platform/serial8250",
                     subsystem: "platform", devType: nil, driver: "serial8250"),
            Ancestor(sysPath: "/sys/devices/platform", subsystem: nil, devType: nil, driver: nil),
        ]
    )

    @Test("serial-base glue is skipped: phantom 8250 ports report platform/serial8250 and are hidden by default")
    func phantomLegacyPort() throws {
        let port = try #require(SerialPortInfo(record: Self.phantomRecord))
        #expect(port.subsystem == "platform")
        #expect(port.driver == "serial8250")
        #expect(port.usbVendorID == nil)
        #expect(port.interfaceNumber == nil)
        #expect(!port.isListed(includeAll: false))
        #expect(port.isListed(includeAll: true))
    }

    @Test("a real on-board UART on pnp is listed by default")
    func pnpPort() throws {
        let record = DeviceRecord(
            sysPath: "/sys/devices/pnp0/00:00/00:00:0/00:00:0.0/tty/ttyS0",
            sysName: "ttyS0",
            devNode: "/dev/ttyS0",
            devLinks: [],
            properties: [:],
            ancestors: [
                Ancestor(sysPath: "/sys/devices/pnp0/00:00/00:00:0/00:00:0.0",
                         subsystem: "serial-base", devType: "port", driver: "port"),
                Ancestor(sysPath: "/sys/devices/pnp0/00:00/00:00:0",
                         subsystem: "serial-base", devType: "ctrl", driver: "ctrl"),
                Ancestor(sysPath: "/sys/devices/pnp0/00:00", subsystem: "pnp", devType: nil, driver: "serial"),
            ]
        )
        let port = try #require(SerialPortInfo(record: record))
        #expect(port.subsystem == "pnp")
        #expect(port.driver == "serial")
        #expect(port.isListed(includeAll: false))
    }

    @Test("virtual ttys have no bus or driver and are never listed")
    func virtualTTY() throws {
        let record = DeviceRecord(
            sysPath: "/sys/devices/virtual/tty/tty0", sysName: "tty0", devNode: "/dev/tty0",
            devLinks: [], properties: ["DEVNAME": "tty0"], ancestors: []
        )
        let port = try #require(SerialPortInfo(record: record))
        #expect(port.driver == nil)
        #expect(port.subsystem == nil)
        #expect(!port.isListed(includeAll: false))
        #expect(!port.isListed(includeAll: true))
    }

    @Test("the device path falls back to DEVNAME; no node at all means no port")
    func devicePathFallback() throws {
        var record = DeviceRecord(
            sysPath: "/sys/devices/pnp0/00:01/tty/ttyS3", sysName: "ttyS3", devNode: nil,
            devLinks: [], properties: ["DEVNAME": "ttyS3"], ancestors: []
        )
        #expect(try #require(SerialPortInfo(record: record)).devicePath == "/dev/ttyS3")
        record.properties = [:]
        #expect(SerialPortInfo(record: record) == nil)
    }

    @Test("udev \\xNN escapes decode; malformed escapes stay literal")
    func escapeDecoding() {
        #expect(SerialPortInfo.decodeUdevEscapes("Silicon\\x20Labs\\x2f\\x28x\\x29") == "Silicon Labs/(x)")
        #expect(SerialPortInfo.decodeUdevEscapes("bad\\xZZ") == "bad\\xZZ")
        #expect(SerialPortInfo.decodeUdevEscapes("short\\x2") == "short\\x2")
        #expect(SerialPortInfo.decodeUdevEscapes("M\\xc3\\xbcller\\x20") == "Müller")
    }

    @Test("the public initialiser sorts symlinks, and the value survives a JSON round trip")
    func codableRoundTrip() throws {
        let port = SerialPortInfo(
            devicePath: "/dev/ttyUSB1", sysPath: "/sys/x/ttyUSB1", name: "ttyUSB1",
            symlinks: ["/dev/serial/by-path/b", "/dev/serial/by-id/a"],
            driver: "cp210x", subsystem: "usb", usbVendorID: "10c4", usbProductID: "ea60",
            interfaceNumber: 1, role: "heater", properties: ["HEPABUS_ROLE": "heater"]
        )
        #expect(port.symlinks == ["/dev/serial/by-id/a", "/dev/serial/by-path/b"])
        let decoded = try JSONDecoder().decode(SerialPortInfo.self, from: JSONEncoder().encode(port))
        #expect(decoded == port)
        #expect(decoded.byPathLinks == ["/dev/serial/by-path/b"])
    }

    @Test("errors name the failing call and errno in words")
    func errorDescriptions() {
        let scan = DiscoveryError.enumerationFailed(call: "udev_enumerate_scan_devices", errno: ENOMEM)
        #expect(scan.description.contains("udev_enumerate_scan_devices"))
        #expect(scan.description.contains(String(cString: strerror(ENOMEM))))
        #expect(scan.description.contains("errno \(ENOMEM)"))
        let noContext = DiscoveryError.udevUnavailable(errno: 0)
        #expect(noContext.description.contains("udev_new"))
        #expect(!noContext.description.contains("Success"))
    }
}
