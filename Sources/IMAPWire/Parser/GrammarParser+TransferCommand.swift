/// Arguments of Murder's private XFER commands (``TransferCommand``).

extension GrammarParser {
    // xferput    = "XFERPUT" SP astring SP astring SP file-literal
    // xfercommit = "XFERCOMMIT" SP astring
    // xferabort  = "XFERABORT" SP astring
    static func parseTransferCommand(_ buffer: inout ParseBuffer, verb: String) throws -> TransferCommand {
        let owner = String(decoding: try spaced(&buffer, parseAString), as: UTF8.self)
        switch verb {
        case "XFERCOMMIT": return .commit(owner: owner)
        case "XFERABORT": return .abort(owner: owner)
        default:
            let path = String(decoding: try spaced(&buffer, parseAString), as: UTF8.self)
            try PL.space(&buffer)
            return .put(owner: owner, path: path, data: try parseFileLiteral(&buffer))
        }
    }

    // file-literal = ["~"] "{" number64 ["+"] "}" CRLF *OCTET ; bounded by maxLiteralSize, any octet
    static func parseFileLiteral(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        let (length, _, _) = try parseLiteralHeader(&buffer, binary: true)
        guard length <= buffer.limits.maxLiteralSize else {
            throw LimitExceeded(.literalSize, bound: buffer.limits.maxLiteralSize)
        }
        let n = Int(length)
        guard buffer.remaining >= n else { throw IncompleteMessage() }
        defer { buffer.index += n }
        return Array(buffer.bytes[buffer.index..<buffer.index + n])
    }
}
