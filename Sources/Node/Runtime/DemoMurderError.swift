/// Why `murder demo` could not start: what went wrong and what to do about it, in one line for
/// the terminal.
///
///     murder demo: port 10143 (frontend) is already in use on 127.0.0.1; pick other ports with
///     --port-base (the demo uses the base and the 4 ports after it)
public struct DemoMurderError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// An option is out of range or names something this build does not have.
        case badOptions
        /// A port the demo needs is taken.
        case portInUse
        /// The data folder, a secret or a config file cannot be written or read.
        case dataFolder
        /// Putting the users and mailboxes in place failed.
        case seeding
        /// A node did not get ready in time.
        case notReady
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
