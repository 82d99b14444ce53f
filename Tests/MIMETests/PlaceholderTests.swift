import Testing

@Suite struct PlaceholderTests {
    @Test("module links") func links() {}
}
