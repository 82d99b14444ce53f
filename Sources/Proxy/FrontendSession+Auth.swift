import Auth
import Foundation
import IMAPWire
import Logging
import MUpdate
import Transport

/// An AUTHENTICATE exchange in progress.
struct AuthenticationState {
    var tag: String
    var sasl: SASLServerSession
}

/// Client authentication at the frontend (SPEC.md §5): the same SASL database and rules as a
/// backend, except that a frontend accepts no proxy logins (SPEC.md §12).
extension FrontendSession {
    func newSASL() throws -> SASLServerSession {
        let sasl = try SASLServerSession(
            config: ctx.sasl, serviceName: "imap", serverFQDN: ctx.settings.saslServerName,
            localIP: SASLServerSession.address(client.localAddress), remoteIP: SASLServerSession.address(client.remoteAddress),
            proxyPolicy: ctx.proxyPolicy
        )
        sasl.tlsActive = client.isTLS
        return sasl
    }

    /// `LOGIN user password`, checked through libsasl2.
    func login(_ tag: String, _ user: [UInt8], _ password: [UInt8]) async {
        guard ctx.settings.allowPlaintext || client.isTLS else {
            return no(tag, "Plaintext logins are disabled", code: .privacyRequired)
        }
        let name = String(decoding: user, as: UTF8.self)
        do {
            let box = Unchecked(try newSASL())
            let secret = String(decoding: password, as: UTF8.self)
            let result = try await BlockingWork.run { try box.value.checkPassword(user: name, password: secret) }
            await authenticated(tag, result, how: "LOGIN")
        } catch {
            await failedLogin(tag, name, error)
        }
    }

    /// `AUTHENTICATE mechanism [initial-response]` (RFC 4959 SASL-IR).
    func authenticate(_ tag: String, _ mechanism: String, _ initial: SASLInitialResponse?) async {
        let sasl: SASLServerSession
        do {
            sasl = try newSASL()
        } catch {
            return no(tag, "Authentication is unavailable", code: .unavailable)
        }
        var response: [UInt8]? = nil
        switch initial {
        case nil: break
        case .empty: response = []
        case .base64(let text):
            guard let bytes = Data(base64Encoded: text) else { return bad(tag, "Invalid base64 in the initial response") }
            response = [UInt8](bytes)
        }
        do {
            let (box, name, first) = (Unchecked(sasl), mechanism.uppercased(), response)
            let step = try await BlockingWork.run { try box.value.start(mechanism: name, initialResponse: first) }
            await saslStep(tag, sasl, step)
        } catch {
            await failedLogin(tag, nil, error)
        }
    }

    func saslStep(_ tag: String, _ sasl: SASLServerSession, _ step: SASLStep) async {
        switch step {
        case .challenge(let bytes):
            authentication = AuthenticationState(tag: tag, sasl: sasl)
            decoder.mode = .lines
            var buffer = EncodeBuffer(.server)
            buffer.writeResponse(.continuation(bytes.isEmpty ? .responseText(ResponseText(text: "")) : .data(bytes)))
            write(buffer.bytes)
        case .success(let result):
            authentication = nil
            decoder.mode = .commands
            await authenticated(tag, result, how: "AUTHENTICATE")
        }
    }

    /// A line of an AUTHENTICATE exchange.
    func saslResponse(_ line: [UInt8], _ auth: AuthenticationState) async {
        authentication = nil
        decoder.mode = .commands
        var buffer = ParseBuffer(line, limits: .commands)
        guard let response = try? GrammarParser.parseAuthenticateResponse(&buffer) else {
            return bad(auth.tag, "Invalid base64 in the SASL response")
        }
        switch response {
        case .cancel:
            bad(auth.tag, "Authentication cancelled")
        case .base64(let text):
            guard let bytes = text.isEmpty ? Data() : Data(base64Encoded: text) else {
                return bad(auth.tag, "Invalid base64 in the SASL response")
            }
            do {
                let (box, answer) = (Unchecked(auth.sasl), [UInt8](bytes))
                let step = try await BlockingWork.run { try box.value.step(answer) }
                await saslStep(auth.tag, auth.sasl, step)
            } catch {
                await failedLogin(auth.tag, nil, error)
            }
        }
    }

    func authenticated(_ tag: String, _ result: AuthResult, how: String) async {
        switch ctx.proxyPolicy.authorize(authenticationID: result.authenticationID, authorizationID: result.authorizationID) {
        case .failure:
            // Never a proxy login at a frontend.
            no(tag, "Not authorized to act as that user", code: .authorizationFailed)
        case .success(let id):
            identity = id
            updateTimeout()
            logger[metadataKey: "user"] = "\(id.user)"
            logger.info("login: \(id.user) via \(how) from \(client.remoteHost)")
            await ensureInbox()
            ok(tag, "User logged in", code: .capability(ctx.capabilities(authenticated: true, mechanisms: [], tls: client.isTLS)))
        }
    }

    /// A user known to the sasldb whose INBOX is nowhere in the murder yet gets one: the
    /// placement policy picks a backend, and `CREATE INBOX` in the proxied session there
    /// creates and registers it (a backend creates no INBOX for a proxied login by itself).
    func ensureInbox() async {
        guard !isAdmin, let inbox = ns.internalName("INBOX", user: user) else { return }
        let key = InternalMailboxName(inbox)
        if ctx.list.record(key) != nil { return }
        _ = await ctx.list.barrier(timeout: ctx.settings.barrierTimeout)
        if ctx.list.record(key) != nil { return }
        guard let server = await placeNewMailbox() else { return }
        do {
            let link = try await link(for: server)
            let (_, answer) = try await exchange(link, Array("CREATE INBOX".utf8), untagged: .drop)
            _ = await ctx.list.barrier(timeout: ctx.settings.barrierTimeout)
            logger.info("INBOX of \(user) placed on \(server): \(Self.text(answer.bytes))")
        } catch {
            logger.warning("could not create the INBOX of \(user) on \(server): \(error)")
        }
    }

    /// The same answer whatever the reason (no user enumeration), after the throttle's delay.
    func failedLogin(_ tag: String, _ user: String?, _ error: any Error) async {
        logger.notice("authentication failed for \(user ?? "?") from \(client.remoteHost): \(error)")
        authentication = nil
        decoder.mode = .commands
        await flush()
        await ctx.throttle.failed(address: client.remoteHost)
        if let e = error as? AuthError {
            switch e.code {
            case .noMechanism: return no(tag, "Unsupported authentication mechanism", code: .cannot)
            case .tooWeak, .encrypt: return no(tag, "Authentication mechanism too weak", code: .privacyRequired)
            case .unavailable: return no(tag, "Authentication is unavailable", code: .unavailable)
            default: break
            }
        }
        no(tag, "Authentication failed", code: .authenticationFailed)
    }

    /// STARTTLS (RFC 3501 §6.2.1): refused once authenticated or with bytes pipelined after it.
    func startTLS(_ tag: String) async {
        guard let tls = ctx.settings.tls, !client.isTLS else { return bad(tag, "STARTTLS is not available") }
        guard identity == nil else { return bad(tag, "Already authenticated") }
        guard decoder.buffered == 0 else {
            return bad(tag, "Commands pipelined after STARTTLS are refused")
        }
        ok(tag, "Begin TLS negotiation now")
        await flush()
        do {
            try await client.startTLS(tls)
        } catch {
            logger.notice("TLS handshake failed: \(error)")
            done = true
        }
    }
}
