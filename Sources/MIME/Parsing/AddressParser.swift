public import IMAPWire

/// RFC 5322 address lists read into envelope addresses, leniently.
///
///     To: "Gray, Terry" <gray@cac.washington.edu>, team: a@b.example, c@d.example;
///     →  ("Gray, Terry" NIL "gray" "cac.washington.edu")
///        (NIL NIL "team" NIL)(NIL NIL "a" "b.example")(NIL NIL "c" "d.example")(NIL NIL NIL NIL)
///
/// Display names are the phrase's words joined by one space, quotes removed, encoded words
/// left as they are; with no phrase, a trailing comment (`gray@cac (Terry Gray)`) is the name.
/// A source route goes in `adl` (`@a,@b`). An address without a domain gets an empty host,
/// never NIL, so that it cannot be read as a group marker.
/// - SeeAlso: [RFC 5322 §3.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4),
///   [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public enum AddressParser {
    enum Token: Equatable {
        case word([UInt8])  // atom or dot-atom (dots kept)
        case quoted([UInt8])
        case literal([UInt8])  // [domain literal], brackets kept
        case comment([UInt8])
        case special(UInt8)
    }

    static let specials: Set<UInt8> = Set("<>@,;:".utf8)

    static func tokenize(_ b: [UInt8], limit: Int) -> [Token] {
        var out: [Token] = []
        var i = 0
        while i < b.count, out.count < limit {
            let c = b[i]
            if isWhitespace(c) {
                i += 1
            } else if c == UInt8(ascii: "\"") {
                var v: [UInt8] = []
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\"), i + 1 < b.count { i += 1 }
                    if b[i] != 0x0D && b[i] != 0x0A { v.append(b[i]) }
                    i += 1
                }
                i += 1
                out.append(.quoted(v))
            } else if c == UInt8(ascii: "(") {
                var depth = 0
                var v: [UInt8] = []
                while i < b.count {
                    let d = b[i]
                    if d == UInt8(ascii: "\\"), i + 1 < b.count {
                        i += 1
                        v.append(b[i])
                    } else if d == UInt8(ascii: "(") {
                        if depth > 0 { v.append(d) }
                        depth += 1
                    } else if d == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            break
                        }
                        v.append(d)
                    } else {
                        v.append(d)
                    }
                    i += 1
                }
                out.append(.comment(trimmed(v)))
            } else if c == UInt8(ascii: "[") {
                var v: [UInt8] = []
                while i < b.count, b[i] != UInt8(ascii: "]") {
                    if !isWhitespace(b[i]) { v.append(b[i]) }
                    i += 1
                }
                v.append(UInt8(ascii: "]"))
                i += 1
                out.append(.literal(v))
            } else if specials.contains(c) {
                out.append(.special(c))
                i += 1
            } else {
                var v: [UInt8] = []
                while i < b.count, !isWhitespace(b[i]), !specials.contains(b[i]), b[i] != UInt8(ascii: "\""),
                    b[i] != UInt8(ascii: "("), b[i] != UInt8(ascii: ")"), b[i] != UInt8(ascii: "[")
                {
                    v.append(b[i])
                    i += 1
                }
                if v.isEmpty {
                    i += 1  // a stray ")" or similar: skip it
                } else {
                    out.append(.word(v))
                }
            }
        }
        return out
    }

    /// Parses an address-list header value (From, To, Cc, …) into envelope entries.
    public static func parse(_ value: [UInt8], limits: MIMELimits = .default) -> [AddressListItem] {
        let tokens = tokenize(value, limit: limits.maxAddresses * 16)
        var items: [AddressListItem] = []
        var group: AddressGroup? = nil
        var phrase: [Token] = []
        var i = 0
        var count = 0

        func emit(_ a: Address) {
            guard count < limits.maxAddresses else { return }
            count += 1
            if group != nil { group?.members.append(a) } else { items.append(.address(a)) }
        }
        func closeGroup() {
            if let g = group { items.append(.group(g)) }
            group = nil
        }

        while i < tokens.count {
            let t = tokens[i]
            switch t {
            case .special(UInt8(ascii: "<")):
                // angle-addr = "<" [route] addr-spec ">"
                var j = i + 1
                var route: [UInt8] = []
                var inner: [Token] = []
                while j < tokens.count, tokens[j] != .special(UInt8(ascii: ">")) {
                    if case .comment = tokens[j] {} else { inner.append(tokens[j]) }
                    j += 1
                }
                if let colon = inner.firstIndex(of: .special(UInt8(ascii: ":"))),
                    inner.first == .special(UInt8(ascii: "@"))
                {
                    route = joined(inner[..<colon])
                    inner = Array(inner[(colon + 1)...])
                }
                let (local, host) = splitAddrSpec(inner[...])
                emit(Address(name: displayName(phrase), adl: route.isEmpty ? nil : route, mailbox: local, host: host))
                phrase = []
                i = j + 1
                // A trailing comment after an angle address is not a name: skip to the separator.
                while i < tokens.count, case .comment = tokens[i] { i += 1 }
            case .special(UInt8(ascii: ":")) where group == nil:
                group = AddressGroup(name: displayName(phrase) ?? [], members: [])
                phrase = []
                i += 1
            case .special(UInt8(ascii: "@")):
                // addr-spec = local-part "@" domain; the phrase so far was the local part.
                var j = i + 1
                var domain: [Token] = []
                var comment: [UInt8]? = nil
                while j < tokens.count {
                    if case .special(let s) = tokens[j], s != UInt8(ascii: ".") { break }
                    if case .comment(let c) = tokens[j] {
                        if !c.isEmpty { comment = c }
                    } else {
                        domain.append(tokens[j])
                    }
                    j += 1
                }
                let local = joined(phrase.filter { if case .comment = $0 { return false } else { return true } }[...])
                if comment == nil,
                    let c = phrase.compactMap({ t -> [UInt8]? in
                        if case .comment(let c) = t, !c.isEmpty { return c } else { return nil }
                    }).last
                {
                    comment = c
                }
                emit(Address(name: comment, adl: nil, mailbox: local, host: joined(domain[...])))
                phrase = []
                i = j
            case .special(UInt8(ascii: ",")), .special(UInt8(ascii: ";")):
                let words = phrase.filter { if case .comment = $0 { return false } else { return true } }
                if !words.isEmpty {
                    emit(Address(name: nil, adl: nil, mailbox: joined(words[...]), host: []))
                }
                phrase = []
                if t == .special(UInt8(ascii: ";")) { closeGroup() }
                i += 1
            case .special:
                i += 1  // stray ">" or ":" inside a group
            default:
                phrase.append(t)
                i += 1
            }
        }
        let words = phrase.filter { if case .comment = $0 { return false } else { return true } }
        if !words.isEmpty { emit(Address(name: nil, adl: nil, mailbox: joined(words[...]), host: [])) }
        closeGroup()
        return items
    }

    /// local-part and domain of the tokens inside `<…>`.
    static func splitAddrSpec(_ t: ArraySlice<Token>) -> ([UInt8], [UInt8]) {
        guard let at = t.lastIndex(of: .special(UInt8(ascii: "@"))) else { return (joined(t), []) }
        return (joined(t[..<at]), joined(t[(at + 1)...]))
    }

    /// Tokens glued back together without spaces (local parts, domains, routes).
    static func joined(_ t: ArraySlice<Token>) -> [UInt8] {
        var out: [UInt8] = []
        for tok in t {
            switch tok {
            case .word(let w), .quoted(let w), .literal(let w): out += w
            case .special(let s): out.append(s)
            case .comment: break
            }
        }
        return out
    }

    /// The phrase's words joined by single spaces; nil for no words.
    static func displayName(_ phrase: [Token]) -> [UInt8]? {
        var out: [UInt8] = []
        for tok in phrase {
            switch tok {
            case .word(let w), .quoted(let w), .literal(let w):
                if !out.isEmpty { out.append(0x20) }
                out += w
            default: break
            }
        }
        return out.isEmpty ? nil : out
    }
}
