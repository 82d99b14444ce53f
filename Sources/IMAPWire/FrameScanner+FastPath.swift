// The fast path of FrameScanner: a segment whose every byte, LF included, is in one buffer.
// Instead of feeding the byte-at-a-time machine, it finds the LF, quote, backslash and NUL
// bytes eight at a time, then reads the literal announcement backwards from the LF. The
// result is the state the byte-at-a-time machine would have reached at the LF; the
// differential tests hold the two (and scan.c) to the same events.

extension FrameScanner {
    /// For a fresh segment whose LF lies within `window` bytes at `p`: brings the segment state
    /// to what the byte-at-a-time machine would hold at that LF and returns the segment's length,
    /// LF included. Returns nil, changing nothing, if there is no LF in the window.
    mutating func fastSegment(_ p: UnsafeRawPointer, window: Int) -> Int? {
        // One pass finds the LF and, on the way, the quotes, backslashes and NUL bytes.
        var j = 0
        var quoted = false
        var nul = false
        var end = -1  // the LF
        while j < window {
            let r = Self.firstSpecial(p + j, count: window - j) + j
            if r == window { break }
            let c = p.load(fromByteOffset: r, as: UInt8.self)
            j = r + 1
            if c == Self.lf {
                end = r
                break
            } else if c == 0 {
                nul = true
            } else if c == Self.quote {
                quoted.toggle()
            } else if quoted && j < window {
                // A backslash inside quotes escapes the next byte, unless that is the LF.
                let e = p.load(fromByteOffset: j, as: UInt8.self)
                if e == Self.lf {
                    end = j
                    break
                }
                if e == 0 { nul = true }
                j += 1
            }
        }
        guard end >= 0 else { return nil }
        inQuote = quoted
        sawNUL = nul
        segLen = end + 1

        if token == .tag {
            // The tag ends at the first SP, CR or LF; the verb at the next one.
            @inline(__always) func tokenEnd(_ from: Int) -> Int {
                var k = from
                while k < end {
                    let c = p.load(fromByteOffset: k, as: UInt8.self)
                    if c == Self.sp || c == Self.cr { break }
                    k += 1
                }
                return k
            }
            let t = tokenEnd(0)
            tagLen = t
            if t > 0 { tagFirst = p.load(as: UInt8.self) }
            if t < end && p.load(fromByteOffset: t, as: UInt8.self) == Self.sp {
                let e = tokenEnd(t + 1)
                verbOff = t + 1
                verbLen = e - t - 1
                var word: UInt64 = 0
                for i in 0..<min(verbLen, 8) {
                    let c = p.load(fromByteOffset: t + 1 + i, as: UInt8.self)
                    word |= UInt64(c >= 0x61 && c <= 0x7A ? c - 0x20 : c) << UInt64(8 * i)
                }
                statusWord = word
            }
            token = .done
        }

        hasCR = end > 0 && p.load(fromByteOffset: end - 1, as: UInt8.self) == Self.cr
        tail = .none
        if !quoted { readAnnouncementBackwards(p, end: hasCR ? end - 1 : end) }
        return end + 1
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

    /// Index of the first LF, `"`, `\` or NUL in `count` bytes at `p`, or `count`.
    static func firstSpecial(_ p: UnsafeRawPointer, count: Int) -> Int {
        let lfs = ones &* UInt64(lf)
        let quotes = ones &* UInt64(quote)
        let backslashes = ones &* UInt64(backslash)
        var j = 0
        while j + 8 <= count {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let m = zeroBytes(w) | zeroBytes(w ^ lfs) | zeroBytes(w ^ quotes) | zeroBytes(w ^ backslashes)
            if m != 0 { return j + m.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < count {
            let c = p.load(fromByteOffset: j, as: UInt8.self)
            if c == 0 || c == lf || c == quote || c == backslash { return j }
            j += 1
        }
        return count
    }
}
