import Testing

@testable import MUpdate

@Suite struct MUpdateErrorTests {
    @Test("codes carry the names of Cyrus's mupdate_err.et")
    func codes() {
        let codes: [MUpdateError.Code] = [
            .fail, .failReserve, .noConnection, .noAuthentication, .timeout, .badParameter, .protocolError,
            .mailboxUnknown,
        ]
        #expect(
            codes.map(\.name) == [
                "MUPDATE_FAIL", "MUPDATE_FAIL_RESERVE", "MUPDATE_NOCONN", "MUPDATE_NOAUTH", "MUPDATE_TIMEOUT",
                "MUPDATE_BADPARAM", "MUPDATE_PROTOCOL_ERROR", "MUPDATE_MAILBOX_UNKNOWN",
            ])
    }

    @Test("a refused RESERVE or DEACTIVATE fails the reservation, other refusals fail the operation")
    func completions() throws {
        let name: InternalMailboxName = "user.bob"
        let place = location("be1!p")
        #expect(MUpdateError(completion: .ok, text: "done", to: .reserve(name: name, location: place)) == nil)
        let reserve = try #require(
            MUpdateError(completion: .no, text: "mailbox already exists", to: .reserve(name: name, location: place)))
        #expect(reserve.code == .failReserve)
        #expect(reserve.message == "RESERVE answered NO: mailbox already exists")
        let deactivate = try #require(
            MUpdateError(completion: .no, text: "x", to: .deactivate(name: name, location: place)))
        #expect(deactivate.code == .failReserve)
        let delete = try #require(MUpdateError(completion: .bad, text: "x", to: .delete(name: name)))
        #expect(delete.code == .fail)
    }

    @Test("the description names the code, the message and the cause, and the location is recorded")
    func description() {
        let error = MUpdateError(.noConnection, "master unreachable", cause: MUpdateError(.timeout, "no answer"))
        #expect(error.description == "MUPDATE_NOCONN: master unreachable (MUPDATE_TIMEOUT: no answer)")
        #expect(error.location.file.hasSuffix("MUpdateErrorTests.swift"))
        #expect(error.location.line > 0)
    }
}
