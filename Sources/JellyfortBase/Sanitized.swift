/// Text from a server or a file made safe for the place it is shown. A server name, a user or
/// device name, an error body or a line of a file can carry escape sequences that clear a
/// terminal, retitle its window or paint a fake "pass"; each sink gets its own treatment.
public enum Sanitized {
    /// For a terminal: escape sequences (CSI, OSC, DCS and the rest) removed, other C0 and C1
    /// controls, DEL and bidirectional overrides dropped. Tabs stay; line breaks stay only when
    /// `keepNewlines` (a one-line message must stay one line).
    public static func terminal(_ text: String, keepNewlines: Bool = false) -> String {
        var output = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:  // ESC: drop the whole sequence.
                guard let next = scalars.next() else { break }
                switch next.value {
                case 0x5B: skipCSI(&scalars)  // ESC [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: skipString(&scalars)  // OSC, DCS, SOS, PM, APC
                default: break  // a two-character sequence
                }
            case 0x9B: skipCSI(&scalars)
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F: skipString(&scalars)
            case 0x09: output.append(scalar)
            case 0x0A: output.append(keepNewlines ? scalar : " ")
            case 0x0D: if !keepNewlines { output.append(" ") }
            case 0x00...0x1F, 0x7F...0x9F: break
            case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F: break
            default: output.append(scalar)
            }
        }
        return String(output)
    }

    /// For Markdown (and the HTML it may become): controls dropped as for a terminal, HTML's
    /// special characters escaped, and Markdown's own punctuation escaped so a name cannot turn
    /// into a link, an image or a table cell.
    public static func markdown(_ text: String) -> String {
        var output = ""
        for character in terminal(text) {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "!", "{", "}": output += "\\" + String(character)
            default: output.append(character)
            }
        }
        return output
    }

    /// CSI: parameters and intermediates up to a final byte in 0x40–0x7E.
    private static func skipCSI(_ scalars: inout String.UnicodeScalarView.Iterator) {
        while let scalar = scalars.next() {
            if (0x40...0x7E).contains(scalar.value) { return }
        }
    }

    /// A control string: up to BEL, ST (ESC \) or the C1 ST.
    private static func skipString(_ scalars: inout String.UnicodeScalarView.Iterator) {
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x07, 0x9C: return
            case 0x1B:
                _ = scalars.next()
                return
            default: continue
            }
        }
    }
}
