import Foundation
import JellyfortBase
import NIOSSL

/// What `audit --probe` was told: the name, where to reach it, and what it may try.
public struct ProbeTarget: Sendable {
    /// `--server`'s host name.
    public var name: String
    /// `--server`'s port (443 unless given).
    public var port: Int
    /// `--resolve NAME:IP`: addresses to use for the name instead of asking the resolver.
    public var resolved: [String]
    /// `--origin IP`: the origin's own addresses, behind a CDN.
    public var origins: [String]
    /// `--ca-file`: a private CA the certificate may chain to.
    public var extraRoots: [NIOSSLCertificate]
    /// `--probe-names`: names whose sign-in answer may be compared, without a credential.
    public var probeNames: [String]
    /// `--lan-cidr`: an address inside it is what a forger would claim.
    public var lanCIDRs: [String]

    public init(
        name: String, port: Int = 443, resolved: [String] = [], origins: [String] = [], extraRoots: [NIOSSLCertificate] = [],
        probeNames: [String] = [], lanCIDRs: [String] = []
    ) {
        self.name = name
        self.port = port
        self.resolved = resolved
        self.origins = origins
        self.extraRoots = extraRoots
        self.probeNames = probeNames
        self.lanCIDRs = lanCIDRs
    }

    /// Parses one `--resolve NAME:IP` (or `NAME:PORT:IP`, as curl writes it); the error says what is wrong.
    public static func parseResolve(_ text: String) throws(ProbeInputError) -> (name: String, address: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ProbeInputError(
                "--resolve '\(Sanitized.terminal(String(text.prefix(80))))' is not NAME:IP (e.g. --resolve reels.example.org:203.0.113.10)")
        }
        var address = parts[1]
        // curl's NAME:PORT:IP: drop the port.
        if IPAddress(address) == nil, let colon = address.firstIndex(of: ":"), Int(address[..<colon]) != nil,
            IPAddress(String(address[address.index(after: colon)...])) != nil
        {
            address = String(address[address.index(after: colon)...])
        }
        if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        guard IPAddress(address) != nil else {
            throw ProbeInputError(
                "--resolve \(Sanitized.terminal(String(text.prefix(80)))): '\(Sanitized.terminal(String(address.prefix(60))))' is not an IP address"
            )
        }
        return (parts[0].lowercased(), address)
    }

    /// An address a forger would claim: inside the declared LAN, or a typical home LAN.
    var forgedLANAddress: String {
        for entry in lanCIDRs {
            guard let network = IPNetwork(entry), network.address.isIPv4, network.prefixLength <= 30 else { continue }
            var bytes = network.address.bytes
            bytes[3] |= 10
            if let address = IPAddress(bytes: bytes), network.contains(address) { return address.description }
        }
        return "192.168.1.10"
    }
}

public struct ProbeInputError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
