import Auth
import Dispatch
import Foundation
import IMAPWire
import Logging
import Transport

extension MUpdateServerSession {
    static let authenticationFailed: MUpdateText = "authentication failed"

    /// `AUTHENTICATE mechanism [initial]` (RFC 3656 §4.2): challenges go out as bare base64
    /// lines (an empty line for an empty challenge), responses come back as base64 lines or
    /// `{n+}` literals, `*` cancels. Only ``MUpdateServerSettings/admins`` may authenticate;
    /// anyone else gets the same NO as a wrong password, after the failed-login delay.
    ///
    ///     C: A01 AUTHENTICATE "PLAIN" {16+}
    ///     C: AG11cGRhdGUAc2VjcmV0
    ///     S: A01 OK "Authenticated"
    func authenticate(_ tag: String, mechanism: String, initialResponse: String?) async {
        guard identity == nil else { return emit(.bad(tag, MUpdateResponseText.alreadyAuthenticated)) }
        var initial: [UInt8]?
        if let initialResponse {
            guard let bytes = Self.base64Decode(initialResponse) else {
                return emit(.bad(tag, MUpdateResponseText.badlyFormedArguments))
            }
            initial = bytes
        }
        let sasl: SASLServerSession
        do {
            sasl = try SASLServerSession(
                config: settings.sasl, serviceName: "mupdate", serverFQDN: settings.saslServerName,
                localIP: SASLServerSession.address(conn.localAddress), remoteIP: SASLServerSession.address(conn.remoteAddress))
            sasl.tlsActive = conn.isTLS
        } catch {
            logger.error("SASL unavailable", metadata: ["error": "\(error)"])
            return emit(.no(tag, Self.authenticationFailed))
        }
        do {
            let (box, name, first) = (Unchecked(sasl), mechanism.uppercased(), initial)
            let step = try await BlockingWork.run { try box.value.start(mechanism: name, initialResponse: first) }
            await saslStep(tag, sasl, step)
        } catch {
            await failedAuthentication(tag, error)
        }
    }

    func saslStep(_ tag: String, _ sasl: SASLServerSession, _ step: SASLStep) async {
        switch step {
        case .challenge(let bytes):
            authentication = (tag, sasl)
            decoder.mode = .saslResponses
            emit(.saslChallenge(bytes.isEmpty ? "" : Data(bytes).base64EncodedString()))
        case .success(let result):
            endAuthentication()
            let user = result.authorizationID.isEmpty ? result.authenticationID : result.authorizationID
            guard settings.admins.contains(user), settings.admins.contains(result.authenticationID) else {
                return await failedAuthentication(tag, "\(result.authenticationID) is not an admin of this server")
            }
            identity = user
            logger[metadataKey: "user"] = "\(user)"
            logger.info("authenticated", metadata: ["peer": "\(conn.remoteHost)"])
            await server.throttle.succeeded(address: conn.remoteHost)
            emit(.ok(tag, MUpdateResponseText.authenticated))
        }
    }

    /// The client's answer to a challenge.
    func saslResponse(_ response: MUpdateSASLResponse) async {
        guard let auth = authentication else {
            decoder.mode = .commands
            return
        }
        switch response {
        case .cancel:
            endAuthentication()
            emit(.bad(auth.tag, MUpdateResponseText.authenticationCanceled))
        case .data(let text):
            guard let bytes = Self.base64Decode(text) else {
                endAuthentication()
                return emit(.bad(auth.tag, MUpdateResponseText.badlyFormedArguments))
            }
            do {
                let box = Unchecked(auth.sasl)
                let step = try await BlockingWork.run { try box.value.step(bytes) }
                await saslStep(auth.tag, auth.sasl, step)
            } catch {
                endAuthentication()
                await failedAuthentication(auth.tag, error)
            }
        }
    }

    func endAuthentication() {
        authentication = nil
        decoder.mode = .commands
    }

    /// The one answer to every failed authentication, after the throttle's delay.
    func failedAuthentication(_ tag: String, _ why: any Sendable) async {
        endAuthentication()
        logger.notice("authentication failed", metadata: ["peer": "\(conn.remoteHost)", "reason": "\(why)"])
        await flush()
        await server.throttle.failed(address: conn.remoteHost)
        emit(.no(tag, Self.authenticationFailed))
    }

    /// base64 (RFC 4648) to bytes; the empty string is an empty response.
    static func base64Decode(_ text: String) -> [UInt8]? {
        if text.isEmpty { return [] }
        return Data(base64Encoded: text).map { [UInt8]($0) }
    }


    // MARK: STARTTLS

    /// `STARTTLS` (RFC 3656 §4.10): only before authentication and without TLS; after the
    /// handshake the banner is sent again. Bytes pipelined after the command are refused
    /// (CVE-2011-0411).
    ///
    ///     C: S01 STARTTLS
    ///     S: S01 OK Begin TLS negotiation now
    ///     <TLS handshake>
    ///     S: * AUTH "PLAIN" …                              (encrypted)
    func startTLS(_ tag: String) async {
        guard identity == nil else { return emit(.bad(tag, MUpdateResponseText.startTLSAfterAuthentication)) }
        guard !conn.isTLS else { return emit(.bad(tag, MUpdateResponseText.startTLSAlreadyDone)) }
        guard deflater == nil else { return emit(.bad(tag, MUpdateResponseText.startTLSAfterCompress)) }
        guard let tls = settings.tls else { return emit(.no(tag, Self.tlsUnavailable)) }
        guard decoder.buffered == 0 else { return emit(.bad(tag, Self.pipelinedAfterStartTLS)) }
        emit(.ok(tag, MUpdateResponseText.beginTLSNegotiation))
        await flush()
        guard !done else { return }
        do {
            try await conn.startTLS(tls)
        } catch {
            logger.info("TLS negotiation failed", metadata: ["error": "\(error)"])
            done = true
            return
        }
        writeBanner()
    }

    static let tlsUnavailable: MUpdateText = "TLS is not configured"
    static let pipelinedAfterStartTLS: MUpdateText = "data sent after STARTTLS before the TLS handshake"
}
