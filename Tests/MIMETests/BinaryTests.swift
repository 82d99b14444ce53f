import MIME
import Testing

@Suite struct BinaryTests {
    static let message = Fixtures.message(
        """
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Transfer-Encoding: base64

        SGVs
        bG8=
        --b
        Content-Transfer-Encoding: quoted-printable

        a=3Db=
        c
        --b
        Content-Transfer-Encoding: 8bit

        raw
        --b
        Content-Transfer-Encoding: x-uuencode

        begin
        --b--

        """)

    @Test("BINARY decodes base64, quoted-printable and passes 8bit through")
    func decodes() {
        #expect(Self.message.binarySection([1]) == .content(Array("Hello".utf8)))
        #expect(Self.message.binarySection([2]) == .content(Array("a=bc".utf8)))
        #expect(Self.message.binarySection([3]) == .content(Array("raw".utf8)))
    }

    @Test("BINARY of an unknown encoding asks for UNKNOWN-CTE; a missing part is not found")
    func errors() {
        #expect(Self.message.binarySection([4]) == .unknownEncoding("x-uuencode"))
        #expect(Self.message.binarySection([9]) == .notFound)
        #expect(Self.message.binarySection([]) == .content(Self.message.bytes))
    }

    @Test(
        "base64 skips whitespace and junk",
        arguments: [("SGVsbG8=", "Hello"), ("SGVs\r\nbG8", "Hello"), ("S G V s !! b G 8 = *", "Hello"), ("", "")])
    func base64(input: String, expected: String) {
        #expect(Base64.decode(Array(input.utf8)) == Array(expected.unicodeScalars.map { UInt8($0.value) }))
    }

    @Test(
        "quoted-printable soft breaks, hex escapes and stray equals signs",
        arguments: [
            ("a=\r\nb", "ab"), ("a=\nb", "ab"), ("a=3d=3D", "a=="), ("a = b", "a = b"), ("a=zz", "a=zz"),
            ("trailing   \r\nx", "trailing\r\nx"), ("end=", "end"), ("=C3=A4", "ä"),
        ])
    func quotedPrintable(input: String, expected: String) {
        #expect(QuotedPrintable.decode(Array(input.utf8)) == Array(expected.utf8))
    }

    @Test(
        "encoded words",
        arguments: [
            ("=?UTF-8?B?SGVsbG8=?=", "Hello"), ("=?iso-8859-1?q?J=F6rg?=", "Jörg"),
            ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"), ("=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b"),
            ("=?windows-1252?Q?=80_5?=", "€ 5"), ("=?x-unknown?q?abc?=", "abc"), ("=?utf-8?x?abc?=", "=?utf-8?x?abc?="),
            ("plain =? text", "plain =? text"), ("=?utf-8*en?Q?hi?=", "hi"),
        ])
    func encodedWords(input: String, expected: String) {
        #expect(String(decoding: EncodedWord.decode(Array(input.utf8)), as: UTF8.self) == expected)
    }

    @Test("charsets convert to UTF-8")
    func charsets() {
        #expect(Charset.toUTF8([0x47, 0x72, 0xFC, 0xDF, 0x65], charset: "ISO-8859-1") == Array("Grüße".utf8))
        #expect(Charset.toUTF8([0x80, 0x93, 0x94], charset: "cp1252") == Array("€“”".utf8))
        #expect(Charset.toUTF8([0xA4], charset: "iso-8859-15") == Array("€".utf8))
        #expect(Charset.toUTF8([0xFF], charset: "koi8-r") == [0xFF])
    }
}
