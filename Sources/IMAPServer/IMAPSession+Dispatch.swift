import MUpdate
import Spool
import Auth
import Transport
import Logging
import IMAPWire

extension IMAPSession {
    /// Runs one command in the state the session is in (RFC 3501 §3), then catches the selected
    /// mailbox up with other sessions' changes where RFC 3501 §7 allows it.
    func dispatch(_ tagged: TaggedCommand) async {
        let tag = tagged.tag
        let command = tagged.command
        expungeAllowed = command.allowsExpungeResponses
        // Any state.
        switch command {
        case .capability:
            untagged(
                .capability(ctx.capabilities(authenticated: identity != nil, mechanisms: mechanisms(), tls: conn.isTLS))
            )
            return finish(tag, "CAPABILITY completed", command)
        case .noop:
            return finish(tag, "NOOP completed", command)
        case .logout:
            untagged(.bye(ResponseText(text: "LOGOUT received")))
            ok(tag, "Completed")
            done = true
            return
        case .id:
            untagged(.id([IDField("name", "Murder"), IDField("vendor", "Murder project")]))
            return finish(tag, "ID completed", command)
        default: break
        }
        guard let identity else {
            switch command {
            case .login(let user, let password): await login(tag, user, password)
            case .authenticate(let mechanism, let initial): await authenticate(tag, mechanism, initial)
            case .startTLS: await startTLS(tag)
            default: bad(tag, "Please authenticate first")
            }
            return
        }
        _ = identity
        switch command {
        case .login, .authenticate: return bad(tag, "Already authenticated")
        case .startTLS: return bad(tag, "Already authenticated")
        case .enable(let caps): enable(tag, caps)
        case .select(let name, let params): await awayFromLoop { await select(tag, name, params, readOnly: false) }
        case .examine(let name, let params): await awayFromLoop { await select(tag, name, params, readOnly: true) }
        case .create(let name, let partition, let params): await create(tag, name, partition, params)
        case .delete(let name): await delete(tag, name)
        case .rename(let from, let to, let partition): await rename(tag, from, to, partition)
        case .subscribe(let name): subscribe(tag, name, true)
        case .unsubscribe(let name): subscribe(tag, name, false)
        case .list(let list): self.list(tag, list)
        case .lsub(let reference, let pattern): lsub(tag, reference, pattern)
        case .xlist(let reference, let pattern): xlist(tag, reference, pattern)
        case .namespace: namespace(tag)
        case .status(let name, let attrs): status(tag, name, attrs)
        case .append, .localAppend: bad(tag, "APPEND arrived without a message")
        case .idle: idle(tag)
        case .compress: no(tag, "COMPRESS is not available", code: .cannot)
        case .getACL(let name): getACL(tag, name)
        case .setACL(let name, let id, let rights): await setACL(tag, name, id, rights)
        case .deleteACL(let name, let id): await deleteACL(tag, name, id)
        case .listRights(let name, let id): listRights(tag, name, id)
        case .myRights(let name): myRights(tag, name)
        case .getQuota(let root): getQuota(tag, root)
        case .getQuotaRoot(let name): getQuotaRoot(tag, name)
        case .setQuota(let root, let limits): setQuota(tag, root, limits)
        case .getMetadata(let options, let name, let entries): getMetadata(tag, options, name, entries)
        case .setMetadata(let name, let values): setMetadata(tag, name, values)
        case .transfer(let transfer): await transferCommand(tag, transfer)
        default:
            guard selected != nil else { return bad(tag, "No mailbox selected") }
            await selectedCommand(tag, command)
        }
    }

    func selectedCommand(_ tag: String, _ command: Command) async {
        switch command {
        case .check: finish(tag, "CHECK completed", command)
        case .close: await close(tag, expunge: true)
        case .unselect: await close(tag, expunge: false)
        case .expunge: await expunge(tag, uids: nil)
        case .uidExpunge(let set): await expunge(tag, uids: set)
        case .copy(let set, let name): await copy(tag, set, name, uid: false, move: false)
        case .uidCopy(let set, let name): await copy(tag, set, name, uid: true, move: false)
        case .move(let set, let name): await copy(tag, set, name, uid: false, move: true)
        case .uidMove(let set, let name): await copy(tag, set, name, uid: true, move: true)
        case .fetch(let f): await fetch(tag, f, uid: false)
        case .uidFetch(let f): await fetch(tag, f, uid: true)
        case .store(let s): await store(tag, s, uid: false)
        case .uidStore(let s): await store(tag, s, uid: true)
        case .search(let s): await awayFromLoop { search(tag, s, uid: false) }
        case .uidSearch(let s): await awayFromLoop { search(tag, s, uid: true) }
        case .sort(let s): await awayFromLoop { sort(tag, s, uid: false) }
        case .uidSort(let s): await awayFromLoop { sort(tag, s, uid: true) }
        case .thread(let t): await awayFromLoop { thread(tag, t, uid: false) }
        case .uidThread(let t): await awayFromLoop { thread(tag, t, uid: true) }
        default: bad(tag, "Unexpected command")
        }
    }

    /// Completes a command that has no result of its own (the view catches up in ``tagged``).
    func finish(_ tag: String, _ text: String, _ command: Command) {
        ok(tag, text)
    }
}

extension Command {
    /// RFC 3501 §7.4.1: no EXPUNGE while answering FETCH, STORE or SEARCH (the UID forms may).
    var allowsExpungeResponses: Bool {
        switch self {
        case .fetch, .store, .search, .sort, .thread: return false
        default: return true
        }
    }
}
