import Transport
import Logging
import Auth
import Foundation
import IMAPWire
import Spool
import MUpdate

/// An AUTHENTICATE exchange in progress.
struct AuthenticationState {
    var tag: String
    var sasl: SASLServerSession
}

extension IMAPSession {
    /// `LOGIN user password` — checked through libsasl2 (`sasl_checkpass`).
    func login(_ tag: String, _ user: [UInt8], _ password: [UInt8]) async {
        guard ctx.settings.allowPlaintext || conn.isTLS else {
            return no(tag, "Plaintext logins are disabled", code: .privacyRequired)
        }
        let name = String(decoding: user, as: UTF8.self)
        do {
            let sasl = try newSASL()
            let box = Unchecked(sasl)
            let secret = String(decoding: password, as: UTF8.self)
            let result = try await BlockingWork.run { try box.value.checkPassword(user: name, password: secret) }
            await authenticated(tag, result, how: "LOGIN")
        } catch {
            await failedLogin(tag, name, error)
        }
    }

    func newSASL() throws -> SASLServerSession {
        let sasl = try SASLServerSession(
            config: ctx.sasl, serviceName: "imap", serverFQDN: ctx.settings.saslServerName,
            localIP: SASLServerSession.address(conn.localAddress), remoteIP: SASLServerSession.address(conn.remoteAddress),
            proxyPolicy: ctx.proxyPolicy
        )
        // PLAIN and LOGIN are always allowed under TLS, whatever allow_plaintext says.
        sasl.tlsActive = conn.isTLS
        return sasl
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
            guard let bytes = Data(base64Encoded: text) else {
                return bad(tag, "Invalid base64 in the initial response")
            }
            response = [UInt8](bytes)
        }
        do {
            let (box, name, initial) = (Unchecked(sasl), mechanism.uppercased(), response)
            let step = try await BlockingWork.run { try box.value.start(mechanism: name, initialResponse: initial) }
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
            out.writeResponse(.continuation(bytes.isEmpty ? .responseText(ResponseText(text: "")) : .data(bytes)))
        case .success(let result):
            authentication = nil
            decoder.mode = .commands
            await authenticated(tag, result, how: "AUTHENTICATE")
        }
    }

    /// A line while the decoder is in line mode: a SASL response or IDLE's DONE.
    func lineInLinesMode(_ line: [UInt8]) async {
        if let idleTag {
            var buffer = ParseBuffer(line, limits: .commands)
            decoder.mode = .commands
            self.idleTag = nil
            do {
                try GrammarParser.parseIdleDone(&buffer)
                expungeAllowed = true
                ok(idleTag, "IDLE terminated")
            } catch {
                bad(idleTag, "Expected DONE")
            }
            return
        }
        guard let auth = authentication else {
            decoder.mode = .commands
            return
        }
        var buffer = ParseBuffer(line, limits: .commands)
        let response: AuthenticateResponse
        do {
            response = try GrammarParser.parseAuthenticateResponse(&buffer)
        } catch {
            authentication = nil
            decoder.mode = .commands
            return bad(auth.tag, "Invalid base64 in the SASL response")
        }
        switch response {
        case .cancel:
            authentication = nil
            decoder.mode = .commands
            bad(auth.tag, "Authentication cancelled")
        case .base64(let text):
            guard let bytes = text.isEmpty ? Data() : Data(base64Encoded: text) else {
                authentication = nil
                decoder.mode = .commands
                return bad(auth.tag, "Invalid base64 in the SASL response")
            }
            do {
                let (box, answer) = (Unchecked(auth.sasl), [UInt8](bytes))
                let step = try await BlockingWork.run { try box.value.step(answer) }
                await saslStep(auth.tag, auth.sasl, step)
            } catch {
                authentication = nil
                decoder.mode = .commands
                await failedLogin(auth.tag, nil, error)
            }
        }
    }

    func authenticated(_ tag: String, _ result: AuthResult, how: String) async {
        switch ctx.proxyPolicy.authorize(authenticationID: result.authenticationID, authorizationID: result.authorizationID) {
        case .failure(let error):
            await failedLogin(tag, result.authenticationID, error)
        case .success(let id):
            identity = id
            updateTimeout()
            // Administrators may send XFERPUT, whose literal is a whole message file.
            if id.isAdmin { decoder.largeLiteralVerbs = [TransferCommand.putVerb] }
            logger[metadataKey: "user"] = "\(id.user)"
            logger.info("login: \(id.user) as \(id.authenticatedAs) via \(how) from \(conn.remoteHost)")
            // In a murder a proxied session may be for a mailbox elsewhere than the user's
            // INBOX: the frontend asks for the INBOX with CREATE INBOX when it has none.
            if !(id.isProxied && ctx.registration != nil) { await createInboxIfMissing(id.user) }
            let caps = ctx.capabilities(authenticated: true, mechanisms: [])
            ok(tag, "User logged in", code: .capability(caps))
        }
    }

    /// Cyrus creates a user's INBOX when an admin creates `user.<id>`; a backend that finds a
    /// known user without one (e.g. right after `murder admin user add`) creates it here.
    @discardableResult
    func createInboxIfMissing(_ user: String) async -> (any Error)? {
        guard !ctx.proxyPolicy.proxyIdentities.contains(user), !ctx.settings.admins.contains(user) else { return nil }
        let inbox = "user." + Namespace.userID(user)
        guard ctx.spool.mailbox(named: inbox) == nil else { return nil }
        var failure: (any Error)?
        await changingList {
            guard ctx.spool.mailbox(named: inbox) == nil else { return }
            do {
                try await createRegistered(inbox, acl: "\(user)\t\(Rights.all)\t", defaultQuota: true)
            } catch {
                logger.warning("could not create INBOX of \(user): \(error)")
                failure = error
            }
        }
        return failure
    }

    /// A failed login: the same answer whatever the reason (no user enumeration), after the
    /// throttle's delay.
    func failedLogin(_ tag: String, _ user: String?, _ error: any Error) async {
        logger.notice("authentication failed for \(user ?? "?") from \(conn.remoteHost): \(error)")
        authentication = nil
        decoder.mode = .commands
        await flush()
        await ctx.throttle.failed(address: conn.remoteHost)
        if let e = error as? AuthError {
            switch e.code {
            case .noMechanism: return no(tag, "Unsupported authentication mechanism", code: .cannot)
            case .tooWeak, .encrypt: return no(tag, "Authentication mechanism too weak", code: .privacyRequired)
            case .notAuthorizedForProxy:
                return no(tag, "Not authorized to act as that user", code: .authorizationFailed)
            case .unavailable: return no(tag, "Authentication is unavailable", code: .unavailable)
            default: break
            }
        }
        no(tag, "Authentication failed", code: .authenticationFailed)
    }

    /// RFC 5161 ENABLE: CONDSTORE, QRESYNC (which implies CONDSTORE).
    func enable(_ tag: String, _ caps: [String]) {
        var now: [String] = []
        for cap in caps.map({ $0.uppercased() }) where ["CONDSTORE", "QRESYNC"].contains(cap) {
            if enabled.insert(cap).inserted { now.append(cap) }
            if cap == "QRESYNC" { enabled.insert("CONDSTORE") }
        }
        untagged(.enabled(now))
        ok(tag, "ENABLE completed")
    }
}
