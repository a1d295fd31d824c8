import Foundation
import JellyfinAPI
import JellyfortCore

struct StaleDevicesControl: Control {
    static let description = ControlDescription(
        id: "devices.stale", title: "No forgotten signed-in devices", guideItem: nil, severity: .low,
        rationale: "User tokens never expire. A phone sold or a TV in a holiday rental that has not been used for months still holds a working token to your server.",
        remediation: Remediation("Remove devices unused for 90 days in Dashboard → Devices (jellyfort harden does it).", fixable: true),
        evidence: [.api])

    static let maximumIdleDays = 90

    static let examples = [
        ControlExample("all recent", .pass, Sample.evidence()),
        ControlExample("a phone idle for 200 days", .fail, Sample.evidence(Sample.view { $0.devices = .observed([DeviceFacts(name: "Old phone", lastUserName: "mira", lastActivity: Sample.now.addingTimeInterval(-200 * 86_400))]) })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.devices.decide("the devices") { devices in
                let now = evidence.settings.now
                let stale = devices.filter { device in
                    device.hasToken && (device.lastActivity.map { now.timeIntervalSince($0) > Double(maximumIdleDays) * 86_400 } ?? true)
                }
                guard !stale.isEmpty else { return .pass("every signed-in device was used in the last \(maximumIdleDays) days") }
                return .fail("\(count(stale.count, of: devices.count, "device")) still signed in after \(maximumIdleDays) days unused", findings: stale.map { device in
                    let idle = device.lastActivity.map { "\(Int(now.timeIntervalSince($0) / 86_400)) days" } ?? "an unknown time"
                    return Finding(subject: "device:\(device.name)", message: "\(device.appName ?? "app") of \(device.lastUserName ?? "?"), unused for \(idle)",
                                   evidence: ["LastUserName": .string(device.lastUserName ?? ""), "DateLastActivity": device.lastActivity.map { .string(Scoring.iso8601($0)) } ?? .null])
                })
            }
        }
    }
}
