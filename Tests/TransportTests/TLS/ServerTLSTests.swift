import Testing

@testable import Transport

@Suite(.enabled(if: TestCertificates.available, "openssl is not installed: no certificate to test with"))
struct ServerTLSTests {
    @Test("a matching certificate and key load")
    func loads() throws {
        let files = try TestCertificates.files()
        let tls = try ServerTLS(TLSConfiguration(certificateChainFile: files.certificate, privateKeyFile: files.key))
        #expect(tls.configuration.certificateChainFile == files.certificate)
    }

    enum Case: String, CaseIterable, Sendable {
        case missingCertificate, missingKey, emptyCertificate, certificateNotPEM, keyIsACertificate, keyOfAnother
    }

    @Test("an unusable file is reported with its path and the reason", arguments: Case.allCases)
    func errors(_ which: Case) throws {
        let files = try TestCertificates.files()
        let garbage = try TestCertificates.write("not a certificate\n", named: "garbage-\(which).pem")
        let empty = try TestCertificates.write("", named: "empty-\(which).pem")
        let missing = files.folder + "/missing.pem"
        let (certificate, key, code, named): (String, String, TLSSetupError.Code, String) =
            switch which {
            case .missingCertificate: (missing, files.key, .unreadable, missing)
            case .missingKey: (files.certificate, missing, .unreadable, missing)
            case .emptyCertificate: (empty, files.key, .unreadable, empty)
            case .certificateNotPEM: (garbage, files.key, .invalidCertificate, garbage)
            case .keyIsACertificate: (files.certificate, files.certificate, .invalidPrivateKey, files.certificate)
            case .keyOfAnother: (files.certificate, files.otherKey, .unusable, files.otherKey)
            }
        let error = #expect(throws: TLSSetupError.self) {
            try ServerTLS(TLSConfiguration(certificateChainFile: certificate, privateKeyFile: key))
        }
        #expect(error?.code == code)
        #expect(error?.file == named)
        #expect(error?.description.hasPrefix(named + ": ") == true)
    }

    @Test("a client trust store that is not PEM is refused, naming the file")
    func clientTrustRoots() throws {
        let garbage = try TestCertificates.write("nothing here\n", named: "roots.pem")
        let error = #expect(throws: TLSSetupError.self) {
            try ClientTLS(trustRootsFile: garbage, serverHostname: "localhost")
        }
        #expect(error?.file == garbage)
    }
}
