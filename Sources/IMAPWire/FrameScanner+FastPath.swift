// The fast path of FrameScanner: a segment whose every byte, LF included, is in one buffer.
// Instead of feeding the byte-at-a-time machine, it finds the LF and the quote, backslash and
// NUL bytes eight at a time, then reads the literal announcement backwards from the LF. The
// result is the state the byte-at-a-time machine would have reached at the LF; the
// differential tests hold the two (and scan.c) to the same events.

extension FrameScanner {
    /// Brings the segment state to what the byte-at-a-time machine would hold at the LF, for a
    /// fresh segment whose `count` bytes (the last one its LF) start at `p`.
    mutating func analyseSegment(_ p: UnsafeRawPointer, count: Int) {
        segLen = count
        let end = count - 1  // the LF
        if token != .done {
            var j = 0
            while j < end && token != .done {
                tokenStep(p.load(fromByteOffset: j, as: UInt8.self), at: j)
                j += 1
            }
        }

        // Quotes, escapes and NUL bytes.
        var j = 0
        while j < end {
            let r = Self.firstQuoteBackslashOrNUL(p + j, count: end - j) + j
            if r == end { break }
            let c = p.load(fromByteOffset: r, as: UInt8.self)
            j = r + 1
            if c == 0 {
                sawNUL = true
            } else if c == Self.quote {
                inQuote.toggle()
            } else if inQuote {
                // A backslash inside quotes escapes the next byte (which may be a NUL).
                if j < end {
                    if p.load(fromByteOffset: j, as: UInt8.self) == 0 { sawNUL = true }
                    j += 1
                }
            }
        }

        hasCR = end > 0 && p.load(fromByteOffset: end - 1, as: UInt8.self) == Self.cr
        tail = .none
        if !inQuote { readAnnouncementBackwards(p, end: hasCR ? end - 1 : end) }
    }

    /// Recognises `["~"] "{" 1*DIGIT ["+"] "}"` ending just before `end`. It cannot reach back
    /// into a quoted string: none of its bytes is a quote, and the segment ends outside quotes.
    mutating func readAnnouncementBackwards(_ p: UnsafeRawPointer, end: Int) {
        @inline(__always) func byte(_ k: Int) -> UInt8 { p.load(fromByteOffset: k, as: UInt8.self) }
        guard end >= 3, byte(end - 1) == UInt8(ascii: "}") else { return }
        var k = end - 2
        let nonSync = byte(k) == UInt8(ascii: "+")
        if nonSync { k -= 1 }
        let digitsEnd = k + 1
        while k >= 0 && byte(k) >= UInt8(ascii: "0") && byte(k) <= UInt8(ascii: "9") { k -= 1 }
        let digitsStart = k + 1
        guard digitsStart < digitsEnd, k >= 0, byte(k) == UInt8(ascii: "{") else { return }
        let binary = k >= 1 && byte(k - 1) == UInt8(ascii: "~")
        tailKind =
            switch (binary, nonSync) {
            case (false, false): .synchronizing
            case (false, true): .nonSynchronizing
            case (true, false): .binary
            case (true, true): .binaryNonSynchronizing
            }
        tailLen = 0
        tailOverflow = false
        for d in digitsStart..<digitsEnd { addDigit(byte(d)) }
        tail = .close
    }

    // MARK: - Word-at-a-time search

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `x` that is zero. Bits above the lowest set one may be
    /// false positives (a borrow), so only the lowest is used.
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }

    /// Index of the first LF in `count` bytes at `p`, or nil.
    static func firstLF(_ p: UnsafeRawPointer, count: Int) -> Int? {
        let lfs = ones &* UInt64(lf)
        var j = 0
        while j + 16 <= count {
            let a = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let b = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j + 8, as: UInt64.self))
            let ma = zeroBytes(a ^ lfs)
            let mb = zeroBytes(b ^ lfs)
            if ma | mb != 0 {
                return ma != 0 ? j + ma.trailingZeroBitCount >> 3 : j + 8 + mb.trailingZeroBitCount >> 3
            }
            j += 16
        }
        while j < count {
            if p.load(fromByteOffset: j, as: UInt8.self) == lf { return j }
            j += 1
        }
        return nil
    }

    /// Index of the first `"`, `\` or NUL in `count` bytes at `p`, or `count`.
    static func firstQuoteBackslashOrNUL(_ p: UnsafeRawPointer, count: Int) -> Int {
        let quotes = ones &* UInt64(quote)
        let backslashes = ones &* UInt64(backslash)
        var j = 0
        while j + 8 <= count {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let m = zeroBytes(w) | zeroBytes(w ^ quotes) | zeroBytes(w ^ backslashes)
            if m != 0 { return j + m.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < count {
            let c = p.load(fromByteOffset: j, as: UInt8.self)
            if c == 0 || c == quote || c == backslash { return j }
            j += 1
        }
        return count
    }
}
