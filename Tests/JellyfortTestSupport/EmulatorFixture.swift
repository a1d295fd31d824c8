import Foundation
import JellyfinAPI
import JellyfinEmulator

/// A running emulator plus an API-key client for it; `withEmulator` stops both afterwards.
public struct EmulatorFixture: Sendable {
    public let emulator: JellyfinEmulator
    public let scenario: Scenario

    public var server: EmulatedServer { emulator.server }
    public var address: ServerAddress { try! ServerAddress(emulator.url) }

    /// A client signed in with the scenario's first API key (or anonymous when it has none).
    public func client(
        credential: Credential? = nil,
        headers: [(String, String)] = [],
        deviceId: String = "jellyfort-tests",
        configure: (inout JellyfinClientConfiguration) -> Void = { _ in }
    ) throws -> JellyfinClient {
        var configuration = JellyfinClientConfiguration(
            server: address, credential: credential ?? scenario.apiKeys.first.map { .apiKey(Secret($0.token)) })
        configuration.identity = ClientIdentity(device: "tests", deviceId: deviceId)
        configuration.additionalHeaders = headers
        configure(&configuration)
        return try JellyfinClient(configuration: configuration)
    }

    /// A client that signs in as a scenario user with that user's password.
    public func client(user: String, headers: [(String, String)] = [], deviceId: String = "jellyfort-tests") async throws -> JellyfinClient
    {
        guard let entry = scenario.users.first(where: { $0.name == user }) else {
            throw FixtureError("no user \(user) in \(scenario.name)")
        }
        let client = try client(credential: .password(user: user, password: Secret(entry.password)), headers: headers, deviceId: deviceId)
        try await client.signIn()
        return client
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Starts the emulator for a scenario (by name, or a modified one), runs `body`, stops it.
public func withEmulator<Result>(
    _ name: String,
    logDirectory: URL? = nil,
    modify: (inout Scenario) -> Void = { _ in },
    _ body: (EmulatorFixture) async throws -> Result
) async throws -> Result {
    var scenario = try Scenario.load(name)
    modify(&scenario)
    let emulator = try await JellyfinEmulator.start(scenario: scenario, logDirectory: logDirectory)
    do {
        let result = try await body(EmulatorFixture(emulator: emulator, scenario: scenario))
        await emulator.stop()
        return result
    } catch {
        await emulator.stop()
        throw error
    }
}

/// A fresh temporary folder, removed by the caller when done.
public func temporaryDirectory(_ label: String = "jellyfort") -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The repository's root folder, found from this file's location.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `Tests/Fixtures`: copies of the design and reference material the tests check against (the
/// controls catalogue; Jellyfin's OpenAPI document reduced to operations and schemas), so the
/// repository's tests stand alone.
public let fixturesFolder: URL = repositoryRoot.appendingPathComponent("Tests/Fixtures")
