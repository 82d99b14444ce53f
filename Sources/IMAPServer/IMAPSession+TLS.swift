import MUpdate
import IMAPWire
import Logging
import Transport

extension IMAPSession {
    /// `STARTTLS`: TLS on this connection, then a fresh start (RFC 3501 §6.2.1: the client
    /// must forget the capabilities it learned; the server discards SASL state).
    ///
    ///     C: a1 STARTTLS
    ///     S: a1 OK Begin TLS negotiation now
    ///     <TLS handshake>
    ///     C: a2 CAPABILITY                     (encrypted)
    ///     S: * CAPABILITY IMAP4rev1 … AUTH=PLAIN
    ///
    /// A client that sent anything after STARTTLS before the handshake gets `BAD` and no TLS:
    /// those bytes were sent in plaintext and must not run as commands under TLS
    /// (CVE-2011-0411; RFC 3207 §4.2 asks the same of SMTP servers). Bytes that arrive after
    /// the OK reach the TLS handshake, never the command decoder (see ``Connection/startTLS(_:)``).
    ///
    /// - SeeAlso: [RFC 3501 §6.2.1](https://www.rfc-editor.org/rfc/rfc3501#section-6.2.1),
    ///   [RFC 9051 §6.2.1](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.1)
    func startTLS(_ tag: String) async {
        guard !conn.isTLS else { return bad(tag, "TLS is already active") }
        guard let tls = ctx.settings.tls else { return no(tag, "STARTTLS is not available on this server") }
        guard decoder.buffered == 0 else {
            logger.notice("STARTTLS refused: \(decoder.buffered) bytes pipelined after it from \(conn.remoteHost)")
            return bad(tag, "Data sent after STARTTLS before the TLS handshake; TLS not started")
        }
        ok(tag, "Begin TLS negotiation now")
        await flush()
        guard !done else { return }
        do {
            try await conn.startTLS(tls)
        } catch {
            logger.info("TLS negotiation failed: \(error)")
            done = true
            return
        }
        authentication = nil
        decoder.mode = .commands
        logger.debug("TLS active")
    }
}
