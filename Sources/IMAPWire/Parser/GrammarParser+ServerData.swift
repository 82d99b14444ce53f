/// Server data of the extensions: NAMESPACE, ID, ACL, LISTRIGHTS, MYRIGHTS, QUOTA, QUOTAROOT
/// and METADATA.
extension GrammarParser {
    /// The data after one of these keywords, or nil when `keyword` is none of them.
    static func parseServerData(keyword: String, _ buffer: inout ParseBuffer) throws -> UntaggedResponse? {
        switch keyword.uppercased() {
        case "NAMESPACE": return .namespace(try parseNamespaceResponse(&buffer))
        // id-response = "ID" SP id-params-list ; id-params-list = "(" *(string SP nstring) ")" / nil
        case "ID":
            try PL.space(&buffer)
            if try buffer.peek() != UInt8(ascii: "(") {
                try parseNil(&buffer)
                return .id(nil)
            }
            return .id(
                try PL.parenthesized(&buffer) { buffer in
                    let key = String(decoding: try parseString(&buffer), as: UTF8.self)
                    try PL.space(&buffer)
                    return IDField(key, try parseNString(&buffer).map { String(decoding: $0, as: UTF8.self) })
                })
        // acl-data = "ACL" SP mailbox *(SP identifier SP rights)
        case "ACL":
            try PL.space(&buffer)
            let mailbox = try parseMailbox(&buffer)
            return .acl(
                mailbox,
                try parseSpacedItems(&buffer) { buffer in
                    let identifier = try parseAStringText(&buffer)
                    try PL.space(&buffer)
                    return ACLIdentifierRights(identifier: identifier, rights: try parseAStringText(&buffer))
                })
        // listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)
        case "LISTRIGHTS":
            try PL.space(&buffer)
            let mailbox = try parseMailbox(&buffer)
            try PL.space(&buffer)
            let identifier = try parseAStringText(&buffer)
            try PL.space(&buffer)
            let required = try parseAStringText(&buffer)
            let optional = try parseSpacedItems(&buffer) { try parseAStringText(&$0) }
            return .listRights(mailbox, identifier: identifier, required: required, optional: optional)
        // myrights-data = "MYRIGHTS" SP mailbox SP rights
        case "MYRIGHTS":
            try PL.space(&buffer)
            let mailbox = try parseMailbox(&buffer)
            try PL.space(&buffer)
            return .myRights(mailbox, rights: try parseAStringText(&buffer))
        // quota-response = "QUOTA" SP quota-root-name SP quota-list
        // quota-list = "(" quota-resource *(SP quota-resource) ")"
        // quota-resource = resource-name SP resource-usage SP resource-limit
        case "QUOTA":
            try PL.space(&buffer)
            let root = try parseAStringText(&buffer)
            try PL.space(&buffer)
            return .quota(
                root: root,
                try PL.parenthesized(&buffer) { buffer in
                    let resource = try parseAtom(&buffer)
                    try PL.space(&buffer)
                    let usage = try parseNumber64(&buffer)
                    try PL.space(&buffer)
                    return QuotaUsage(resource: resource, usage: usage, limit: try parseNumber64(&buffer))
                })
        // quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
        case "QUOTAROOT":
            try PL.space(&buffer)
            let mailbox = try parseMailbox(&buffer)
            return .quotaRoot(mailbox, roots: try parseSpacedItems(&buffer) { try parseAStringText(&$0) })
        // metadata-resp = "METADATA" SP mailbox SP (entry-values / entry-list)
        case "METADATA":
            try PL.space(&buffer)
            let mailbox = try parseMailbox(&buffer)
            try PL.space(&buffer)
            return .metadata(mailbox, try parseMetadataResult(&buffer))
        default:
            return nil
        }
    }

    // entry-values = "(" entry-value *(SP entry-value) ")" ; entry-value = entry SP value
    // entry-list = entry *(SP entry) ; entry = astring ; value = nstring / literal8
    public static func parseMetadataResult(_ buffer: inout ParseBuffer) throws -> MetadataResult {
        if try buffer.peek() == UInt8(ascii: "(") {
            return .values(
                try PL.parenthesized(&buffer, allowEmpty: false) { buffer in
                    let entry = try parseAStringText(&buffer)
                    try PL.space(&buffer)
                    return MetadataResult.Item(entry: entry, value: try parseMetadataResponseValue(&buffer))
                })
        }
        return .entries(try PL.oneOrMore(&buffer, separator: { try PL.space(&$0) }) { try parseAStringText(&$0) })
    }

    /// A metadata value: literals (and literal8) bounded by ``Limits/maxStringLiteralSize``.
    // value = nstring / literal8
    public static func parseMetadataResponseValue(_ buffer: inout ParseBuffer) throws -> [UInt8]? {
        switch try buffer.peek() {
        case UInt8(ascii: "{"), UInt8(ascii: "~"):
            return try parseLiteralBody(&buffer, binary: true, bound: UInt64(buffer.limits.maxStringLiteralSize))
        default:
            return try parseNString(&buffer)
        }
    }

    // namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
    public static func parseNamespaceResponse(_ buffer: inout ParseBuffer) throws -> NamespaceResponse {
        try PL.space(&buffer)
        let personal = try parseNamespace(&buffer)
        try PL.space(&buffer)
        let other = try parseNamespace(&buffer)
        try PL.space(&buffer)
        return NamespaceResponse(personal: personal, otherUsers: other, shared: try parseNamespace(&buffer))
    }

    /// `NIL` is empty; a space between descriptions is tolerated.
    // namespace = nil / "(" 1*namespace-descr ")"
    public static func parseNamespace(_ buffer: inout ParseBuffer) throws -> [NamespaceDescription] {
        if try buffer.peek() != UInt8(ascii: "(") {
            try parseNil(&buffer)
            return []
        }
        try PL.fixed(&buffer, "(")
        let descriptions = try PL.nested(&buffer) { buffer in
            var descriptions: [NamespaceDescription] = []
            repeat {
                guard descriptions.count < buffer.limits.maxListItems else {
                    throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
                }
                descriptions.append(try parseNamespaceDescr(&buffer))
                if try spaceThenParenthesis(buffer) { buffer.index += 1 }
            } while try buffer.peek() == UInt8(ascii: "(")
            return descriptions
        }
        try PL.fixed(&buffer, ")")
        return descriptions
    }

    // namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"
    // namespace-response-extension = SP string SP "(" string *(SP string) ")"
    public static func parseNamespaceDescr(_ buffer: inout ParseBuffer) throws -> NamespaceDescription {
        try PL.fixed(&buffer, "(")
        let description = try PL.nested(&buffer) { buffer in
            let prefix = String(decoding: try parseString(&buffer), as: UTF8.self)
            try PL.space(&buffer)
            let delimiter = try parseHierarchyDelimiter(&buffer)
            let extensions = try parseSpacedItems(&buffer) { buffer in
                let name = String(decoding: try parseString(&buffer), as: UTF8.self)
                try PL.space(&buffer)
                let values = try PL.parenthesized(&buffer, allowEmpty: false) {
                    String(decoding: try parseString(&$0), as: UTF8.self)
                }
                return NamespaceDescription.Extension(name: name, values: values)
            }
            return NamespaceDescription(prefix: prefix, delimiter: delimiter, extensions: extensions)
        }
        try PL.fixed(&buffer, ")")
        return description
    }

    static func parseAStringText(_ buffer: inout ParseBuffer) throws -> String {
        String(decoding: try parseAString(&buffer), as: UTF8.self)
    }
}
