import Foundation
import JellyfortBase
import JellyfortCore

struct StaleDevicesControl: Control {
    static let description = ControlDescription(
        id: .devicesStale, title: "No forgotten signed-in devices", guideItem: nil, severity: .low,
        rationale:
            "User tokens never expire. A phone sold or a TV in a holiday rental that has not been used for "
            + "months still holds a working token to your server.",
        remediation: Remediation("Remove devices unused for 90 days in Dashboard → Devices (jellyfort harden does it).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("all recent", .pass, Sample.evidence()),
        ControlExample(
            "a phone idle for 200 days", .fail,
            Sample.evidence(
                Sample.view {
                    $0.devices = .observed([
                        DeviceFacts(name: "Old phone", lastUserName: "mira", lastActivity: Sample.now.addingTimeInterval(-200 * 86_400))
                    ])
                })),
    ]

    /// Devices with a live token idle longer than the threshold (never used counts as idle).
    static func staleDevices(_ devices: [DeviceFacts], evidence: Evidence) -> [DeviceFacts] {
        let now = evidence.settings.now
        let days = evidence.settings.thresholds.staleDeviceDays
        return devices.filter { device in
            device.hasToken && (device.lastActivity.map { now.timeIntervalSince($0) > Double(days) * 86_400 } ?? true)
        }
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let days = evidence.settings.thresholds.staleDeviceDays
        return evidence.withServerView { view in
            view.devices.decide("the devices") { devices in
                let now = evidence.settings.now
                let stale = staleDevices(devices, evidence: evidence)
                guard !stale.isEmpty else { return .pass("every signed-in device was used in the last \(days) days") }
                return .fail(
                    "\(count(stale.count, of: devices.count, "device")) still signed in after \(days) days unused",
                    findings: stale.map { device in
                        let idle = device.lastActivity.map { "\(Int(now.timeIntervalSince($0) / 86_400)) days" } ?? "an unknown time"
                        return Finding(
                            subject: "device:\(device.name)",
                            message: "\(device.appName ?? "app") of \(device.lastUserName ?? "?"), unused for \(idle)",
                            evidence: [
                                "LastUserName": .string(device.lastUserName ?? ""),
                                "DateLastActivity": device.lastActivity.map { .string(Scoring.iso8601($0)) } ?? .null,
                            ])
                    })
            }
        }
    }
}

extension StaleDevicesControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard let view = evidence.api.value, let devices = view.devices.value else { return .nothing }
        let now = evidence.settings.now
        return FixPlan(
            changes: staleDevices(devices, evidence: evidence).filter { $0.id != view.credential.deviceId }.map { device in
                let idle = device.lastActivity.map { "\(Int(now.timeIntervalSince($0) / 86_400)) days" } ?? "since ever"
                return FixChange(
                    .devicesStale, .device(id: device.id, name: device.name), "signed in",
                    from: .string("\(device.lastUserName ?? "?"), idle \(idle)"), to: "signed out (cannot be rolled back)")
            })
    }

    static let fixExamples = [
        FixExample(
            "a phone idle for 200 days",
            Sample.evidence(
                Sample.view {
                    $0.devices = .observed([
                        DeviceFacts(name: "Old phone", lastUserName: "mira", lastActivity: Sample.now.addingTimeInterval(-200 * 86_400))
                    ])
                }))
    ]
}
