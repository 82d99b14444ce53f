import IMAPWire
import Logging
import MUpdate
import Transport

/// COPY and MOVE (SPEC.md §7.4): relayed when both mailboxes share a backend; otherwise the
/// messages are streamed from the source into one MULTIAPPEND at the destination, and the
/// client is answered only once the destination committed.
///
///     C: a5 UID MOVE 7:9 shared/memo
///     S: * OK [COPYUID 1700000000 7:9 31:33] Moved
///     S: * 3 EXPUNGE …
///     S: a5 OK MOVE completed
extension FrontendSession {
    /// One message to carry over.
    struct Carried {
        var uid: UInt32
        var flags: [Flag]
        var date: InternalDate?
    }

    func copyOrMove(_ tagged: TaggedCommand, _ destination: MailboxName) async {
        let tag = tagged.tag
        guard let source = selected, let sourceLink = selectedLink else { return bad(tag, "No mailbox selected") }
        guard let target = await record(for: destination) else {
            return no(tag, "Mailbox does not exist", code: .tryCreate)
        }
        guard target.state == .active else { return no(tag, "Mailbox is being moved", code: .unavailable) }
        let targetServer = target.location.server.description
        if targetServer == source.server { return await proxy(tagged, to: sourceLink).map { _ in } ?? () }

        var isMove = false
        var byUID = false
        var set = SequenceSet.all
        switch tagged.command {
        case .copy(let s, _): set = s
        case .uidCopy(let s, _): (set, byUID) = (s, true)
        case .move(let s, _): (set, isMove) = (s, true)
        case .uidMove(let s, _): (set, isMove, byUID) = (s, true, true)
        default: return bad(tag, "Not a COPY or MOVE")
        }
        // Rights first (RFC 4314 §4): nothing changes when one is missing.
        let sourceRights = rights(ctx.list.record(source.record.name) ?? source.record)
        let targetRights = rights(target)
        guard targetRights.has("l") || targetRights.has("i") else { return no(tag, "Mailbox does not exist", code: .tryCreate) }
        guard sourceRights.has("r"), targetRights.has("i") else { return no(tag, "Permission denied", code: .noPerm) }
        if isMove {
            guard !source.readOnly else { return no(tag, "Mailbox is read-only", code: .readOnly) }
            guard sourceRights.has("t"), sourceRights.has("e") else { return no(tag, "Permission denied", code: .noPerm) }
        }
        guard let targetLink = await connected(tag, targetServer) else { return }

        // 1. What to carry, in order.
        var list = EncodeBuffer(.clientLiteralPlus)
        list.writeRaw(byUID ? "UID FETCH " : "FETCH ")
        list.writeSequenceSet(set)
        list.writeRaw(" (UID FLAGS INTERNALDATE)")
        var carried: [Carried] = []
        do {
            let (responses, answer) = try await exchange(sourceLink, list.bytes, untagged: .collect)
            for response in responses {
                guard case .untagged(let untagged)? = response.parsed() else { continue }
                if case .fetch(_, let attributes) = untagged {
                    var item = Carried(uid: 0, flags: [], date: nil)
                    for a in attributes {
                        switch a {
                        case .uid(let uid): item.uid = uid
                        case .flags(let flags): item.flags = flags.filter { $0 != .recent }
                        case .internalDate(let date): item.date = date
                        default: break
                        }
                    }
                    if item.uid != 0, !carried.contains(where: { $0.uid == item.uid }) { carried.append(item) }
                } else {
                    // EXISTS, EXPUNGE and the like belong to the client's view.
                    write(response.bytes)
                }
            }
            guard answer.status == .ok else {
                write(Array(tag.utf8) + answer.bytes.drop { $0 != 0x20 })
                return
            }
        } catch {
            return await backendFailed(tag, sourceLink, error)
        }
        guard !carried.isEmpty else { return ok(tag, isMove ? "MOVE completed" : "COPY completed") }

        // 2. Stream them into the destination.
        let appended: (uidValidity: UInt32, uids: SequenceSet)
        switch await carry(carried, from: sourceLink, to: targetLink, destination: destination, tag: tag) {
        case .success(let result): appended = result
        case .failure: return
        }
        let copyUID = ResponseCode.copyUID(
            uidValidity: appended.uidValidity, source: Self.compact(carried.map(\.uid)),
            destination: appended.uids)
        guard isMove else { return ok(tag, "COPY completed", code: copyUID) }

        // 3. MOVE: expunge exactly those messages at the source, relaying the EXPUNGEs.
        untagged(.state(.ok(ResponseText(code: copyUID, text: "Copied"))))
        var uids = EncodeBuffer(.clientLiteralPlus)
        uids.writeSequenceSet(Self.compact(carried.map(\.uid)))
        do {
            let (_, stored) = try await exchange(sourceLink, Array("UID STORE ".utf8) + uids.bytes + Array(" +FLAGS.SILENT (\\Deleted)".utf8), untagged: .forward)
            let (_, expunged) = try await exchange(sourceLink, Array("UID EXPUNGE ".utf8) + uids.bytes, untagged: .forward)
            guard stored.status == .ok, expunged.status == .ok else {
                return no(tag, "Copied, but the source messages could not be removed", code: copyUID)
            }
        } catch {
            return await backendFailed(tag, sourceLink, error)
        }
        ok(tag, "MOVE completed")
    }

    enum CarryFailure: Error { case answered }

    /// UIDs in the order given, runs of consecutive ones as ranges: `1,2,3,7` → `1:3,7`.
    static func compact(_ uids: [UInt32]) -> SequenceSet {
        var ranges: [ClosedRange<UInt32>] = []
        for uid in uids {
            if let last = ranges.last, last.upperBound &+ 1 == uid, uid != 0 {
                ranges[ranges.count - 1] = last.lowerBound...uid
            } else {
                ranges.append(uid...uid)
            }
        }
        return SequenceSet(ranges.map { $0.count == 1 ? SequenceRange($0.lowerBound) : SequenceRange($0) })
    }

    /// Streams each message's body from the source (`UID FETCH uid BODY.PEEK[]`) into one
    /// MULTIAPPEND at the destination (one APPEND per message without MULTIAPPEND) and returns
    /// the destination's APPENDUID. On failure the client has its answer.
    func carry(
        _ carried: [Carried], from source: BackendLink, to target: BackendLink, destination: MailboxName, tag: String
    ) async -> Result<(uidValidity: UInt32, uids: SequenceSet), CarryFailure> {
        let multi = target.has("MULTIAPPEND")
        var uidValidity: UInt32 = 0
        var ranges: [SequenceRange] = []
        var appendTag = ""
        func open() {
            appendTag = target.nextTag()
            var buffer = EncodeBuffer(.clientLiteralPlus)
            buffer.writeRaw("\(appendTag) APPEND ")
            buffer.writeMailbox(destination)
            target.pending += buffer.bytes
        }
        func close() async -> Bool {
            target.pending += [0x0D, 0x0A]
            await flush(target)
            do {
                let (_, answer) = try await readAnswer(target, tag: appendTag, untagged: .drop)
                guard answer.status == .ok else {
                    write(Array(tag.utf8) + answer.bytes.drop { $0 != 0x20 })
                    return false
                }
                if case .tagged(let t)? = answer.parsed(), case .appendUID(let v, let uids)? = t.state.text.code {
                    uidValidity = v
                    ranges += uids.ranges
                }
                return true
            } catch {
                await backendFailed(tag, target, error)
                return false
            }
        }
        if multi { open() }
        for item in carried {
            if !multi { open() }
            let fetchTag = source.nextTag()
            source.pending += Array("\(fetchTag) UID FETCH \(item.uid) BODY.PEEK[]\r\n".utf8)
            await flush(source)
            do throws(BackendUnavailable) {
                let deadline = ContinuousClock.now + ctx.settings.backendTimeout
                var sent = false
                reading: while true {
                    let event = try await nextEvent(source, before: deadline)
                    switch event {
                    case .line(let bytes, let info):
                        if info.isFirst, info.responseKind == .tagged, String(decoding: bytes[info.tag], as: UTF8.self) == fetchTag {
                            guard info.status == .ok, sent else {
                                // The message went away meanwhile: the destination must not get a partial one.
                                await drop(target)
                                no(tag, "A message could not be read from the source", code: .expungeIssued)
                                return .failure(.answered)
                            }
                            break reading
                        }
                        if let literal = info.literal, !sent {
                            var header = EncodeBuffer(.clientLiteralPlus)
                            let options = AppendOptions(flags: item.flags, internalDate: item.date)
                            header.writeAppendMessageHeader(AppendMessageHeader(options: options, length: literal.length))
                            target.pending += header.bytes
                            sent = true
                        }
                    case .literal(let chunk, _):
                        target.pending += chunk
                        if target.pending.count >= 256 * 1024 { await flush(target) }
                    case .invalid, .close:
                        throw BackendUnavailable(server: source.server, reason: "unreadable FETCH response")
                    }
                }
            } catch {
                // The destination's APPEND is cut off mid-command: it keeps nothing of it.
                await drop(target)
                await backendFailed(tag, source, error)
                return .failure(.answered)
            }
            if !multi { guard await close() else { return .failure(.answered) } }
        }
        if multi { guard await close() else { return .failure(.answered) } }
        return .success((uidValidity, SequenceSet(ranges)))
    }
}
