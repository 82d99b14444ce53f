#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Lenient parsing of a `Date:` header: RFC 5322, its obsolete forms and common breakage.
///
///     Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)   →  1996-07-17T09:23:25Z
///     Date: 17 Jul 96 2:23 EDT                        (two-digit year, no seconds, named zone)
///     Date: Wed Jul 17 02:23:25 1996                  (asctime order, no zone: UTC)
///
/// The day of week is ignored; two-digit years below 50 are 20xx, others 19xx; three-digit
/// years add 1900; military zones count as `-0000` (RFC 5322 §4.3); a missing zone is UTC.
/// - SeeAlso: [RFC 5322 §3.3](https://www.rfc-editor.org/rfc/rfc5322#section-3.3),
///   [§4.3](https://www.rfc-editor.org/rfc/rfc5322#section-4.3)
public enum DateParser {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4 * 60, "est": -5 * 60, "cdt": -5 * 60, "cst": -6 * 60,
        "mdt": -6 * 60, "mst": -7 * 60, "pdt": -7 * 60, "pst": -8 * 60,
    ]

    /// The instant a Date header names, or nil when it cannot be read.
    public static func parse(_ value: [UInt8]) -> Date? {
        guard value.count <= 256 else { return nil }
        // Drop comments, split at whitespace and commas.
        var text: [UInt8] = []
        var depth = 0
        for b in value {
            if b == UInt8(ascii: "(") {
                depth += 1
            } else if b == UInt8(ascii: ")") {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                text.append(b == UInt8(ascii: ",") ? 0x20 : b)
            }
        }
        let tokens = text.split(whereSeparator: isWhitespace).map { String(decoding: $0, as: UTF8.self).lowercased() }
        var day: Int? = nil
        var month: Int? = nil
        var year: Int? = nil
        var time: (Int, Int, Int)? = nil
        var offsetMinutes = 0
        for t in tokens {
            if t.contains(":") {
                guard time == nil else { continue }
                let p = t.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard p.count == 2 || p.count == 3, let h = p[0], let m = p[1] else { return nil }
                let s = p.count == 3 ? (p[2] ?? 0) : 0
                guard h < 24, m < 60, s <= 60 else { return nil }
                time = (h, m, s)
            } else if t.hasPrefix("+") || t.hasPrefix("-"), t.count == 5, let v = Int(t.dropFirst()) {
                let minutes = v / 100 * 60 + v % 100
                offsetMinutes = t.hasPrefix("-") ? -minutes : minutes
            } else if let n = Int(t) {
                if day == nil, n >= 1, n <= 31, t.count <= 2 {
                    day = n
                } else if year == nil {
                    switch t.count {
                    case 1, 2: year = n < 50 ? 2000 + n : 1900 + n
                    case 3: year = 1900 + n
                    default: year = n
                    }
                }
            } else if month == nil, t.count >= 3, let m = months.firstIndex(of: String(t.prefix(3))) {
                month = m + 1
            } else if let z = zones[t] {
                offsetMinutes = z
            }
            // Day names, military zones and junk are ignored.
        }
        guard let day, let month, let year, year >= 1000, year < 10000 else { return nil }
        let (h, m, s) = time ?? (0, 0, 0)
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + h * 3600 + m * 60 + s - offsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
