import Foundation

extension SASLServerSession {
    /// libsasl2's address form, `127.0.0.1;143` or `::1;143`, of `127.0.0.1:143` or `[::1]:143`.
    public static func address(_ address: String) -> String? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        let host = address[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host + ";" + address[address.index(after: colon)...]
    }
}
