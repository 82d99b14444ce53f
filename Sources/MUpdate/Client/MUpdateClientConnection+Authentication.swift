import IMAPWire
import Logging
import Auth

extension MUpdateClientConnection {
    /// `AUTHENTICATE` with libsasl2's client (service `mupdate`), PLAIN when the server offers
    /// it, the initial response as a `{n+}` literal and each answer as a bare base64 line, the
    /// forms Cyrus's clients use:
    ///
    ///     C: A01 AUTHENTICATE "PLAIN" {20+}
    ///     C: AG11cGRhdGUAc2VjcmV0
    ///     S: A01 OK "Authenticated"
    ///
    /// A refusal is ``MUpdateError/Code/noAuthentication`` and closes the connection.
    ///
    /// - SeeAlso: [RFC 3656 §4.2](https://www.rfc-editor.org/rfc/rfc3656#section-4.2)
    func authenticate(deadline: ContinuousClock.Instant) async throws(MUpdateError) {
        let sasl: SASLClientSession
        let mechanism: String
        let initialResponse: [UInt8]?
        do {
            sasl = try SASLClientSession(
                serviceName: "mupdate", serverFQDN: configuration.serverName ?? configuration.host,
                authenticationID: configuration.authenticationID, authorizationID: configuration.authorizationID,
                password: configuration.password)
            let offered = capabilities.mechanisms
            let preferred = offered.filter { $0.uppercased() == "PLAIN" }
            (mechanism, initialResponse) = try sasl.start(serverMechanisms: preferred.isEmpty ? offered : preferred)
        } catch {
            throw await fail(
                .noAuthentication, "no usable SASL mechanism among \(capabilities.mechanisms) at \(configuration.address)",
                cause: error)
        }
        let tag = makeTag()
        try await write(
            command: MUpdateCommand(
                tag: tag, .authenticate(mechanism: mechanism, initialResponse: initialResponse.map(Self.base64))))
        var steps = 0
        while true {
            let response = try await nextResponse(deadline: deadline)
            let challenge: String
            switch response {
            case .completion(tag, .ok, _):
                logger.debug("authenticated to mupdate", metadata: ["master": "\(configuration.address)"])
                return
            case .completion(tag, let status, let text):
                throw await fail(
                    .noAuthentication,
                    "\(configuration.address) refused \(configuration.authenticationID): \(status.rawValue) \(text.text)")
            case .bye(let text):
                throw await fail(.noConnection, "\(configuration.address) said BYE: \(text.text)")
            case .saslChallenge(let text), .continuationRequest(let text):
                challenge = text
            default:
                continue
            }
            steps += 1
            guard steps <= 16, let bytes = Self.decodeBase64(challenge) else {
                try? await write(bytes: Array("*\r\n".utf8), action: "AUTHENTICATE")
                throw await fail(.protocolError, "bad SASL challenge from \(configuration.address)")
            }
            let answer: [UInt8]
            do {
                answer = try sasl.step(bytes)
            } catch {
                try? await write(bytes: Array("*\r\n".utf8), action: "AUTHENTICATE")
                throw await fail(.noAuthentication, "SASL exchange with \(configuration.address) failed", cause: error)
            }
            var buffer = EncodeBuffer(.clientLiteralPlus)
            buffer.writeMUpdateSASLResponse(.data(Self.base64(answer)))
            try await write(bytes: buffer.bytes, action: "AUTHENTICATE")
        }
    }
}
