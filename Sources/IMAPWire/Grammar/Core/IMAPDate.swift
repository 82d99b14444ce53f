/// A calendar date as SEARCH uses it (`SINCE 1-Feb-1994`).
/// - SeeAlso: [RFC 3501 §9 date](https://www.rfc-editor.org/rfc/rfc3501#section-9)
public struct IMAPDate: Sendable, Hashable, Comparable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...IMAPDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func < (a: IMAPDate, b: IMAPDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// An INTERNALDATE: date, time and zone (`"17-Jul-1996 02:44:25 -0700"`).
/// - SeeAlso: [RFC 3501 §9 date-time](https://www.rfc-editor.org/rfc/rfc3501#section-9)
public struct InternalDate: Sendable, Hashable {
    public let date: IMAPDate
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// Offset from UTC in minutes (`-0700` is -420).
    public let zoneMinutes: Int

    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        guard let date = IMAPDate(year: year, month: month, day: day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second), (-1439...1439).contains(zoneMinutes)
        else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// The instant `seconds` after 1970-01-01T00:00:00Z, in the zone `zoneMinutes` east of UTC;
    /// nil outside the dates ``IMAPDate`` can hold. The inverse of ``secondsSinceEpoch``.
    public init?(secondsSinceEpoch seconds: Int64, zoneMinutes: Int) {
        let local = seconds + Int64(zoneMinutes) * 60
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let secs = Int(local - days * 86400)
        // Civil from days (H. Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        guard let year = Int(exactly: y) else { return nil }
        self.init(
            year: year, month: Int(m), day: Int(d), hour: secs / 3600, minute: secs % 3600 / 60, second: secs % 60,
            zoneMinutes: zoneMinutes
        )
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64 {
        // Days from civil (H. Hinnant's algorithm).
        let y = Int64(date.month <= 2 ? date.year - 1 : date.year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(date.month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(date.day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes * 60)
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // date = date-text: d-Mon-yyyy
    @discardableResult
    public mutating func writeDate(_ date: IMAPDate) -> Int {
        writeRaw("\(date.day)-\(IMAPDate.monthNames[date.month - 1])-\(date.year)")
    }

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    @discardableResult
    public mutating func writeInternalDate(_ d: InternalDate) -> Int {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = d.date.day < 10 ? " \(d.date.day)" : "\(d.date.day)"
        let z = abs(d.zoneMinutes)
        let zone = (d.zoneMinutes < 0 ? "-" : "+") + two(z / 60) + two(z % 60)
        let year = String(repeating: "0", count: max(0, 4 - String(d.date.year).count)) + String(d.date.year)
        return writeRaw(
            "\"\(day)-\(IMAPDate.monthNames[d.date.month - 1])-\(year) \(two(d.hour)):\(two(d.minute)):\(two(d.second)) \(zone)\""
        )
    }
}
