import AsyncHTTPClient
import Foundation
import JellyfortBase
import NIOCore
import NIOHTTP1

/// `--notify-url URL`: each ban and alert POSTed as the decision's JSON, with `title` and
/// `message` added so that ntfy and Gotify show it as it is. A notice that cannot be delivered
/// is reported on standard error and never holds up a ban.
public struct Notifier: Sendable {
    public let url: String

    public init(url: String) { self.url = url }

    /// The body sent: the decision plus a title and a message.
    public static func body(_ decision: WatchDecision) -> JSONValue {
        var object = decision.json.objectValue ?? JSONObject([:])
        object["title"] = .string("Jellyfort: \(decision.action.rawValue) \(decision.ip ?? "")".trimmingCharacters(in: .whitespaces))
        object["message"] = .string(decision.text)
        return .object(object)
    }

    /// Sends one notice; returns the error to print, if any.
    public func send(_ decision: WatchDecision) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "jellyfort-watch/1")
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(Self.body(decision))))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 64 << 10)
            return (200..<300).contains(response.status.code)
                ? nil : "the notice was refused by \(Sanitized.terminal(url)) (HTTP \(response.status.code))"
        } catch {
            return "the notice could not be sent to \(Sanitized.terminal(url)): \(error)"
        }
    }
}
