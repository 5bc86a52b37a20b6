/// Entry point of the `hepabus` executable (filled in with the commands).
public enum HepabusMain {
    public static func run() async {}
}
