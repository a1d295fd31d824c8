/// Jellyfin's rule for user names (UserManager.cs: `^(?!\s)[\w\ \-'._@+]+(?<!\s)$`, and 12.x
/// refuses "." and ".."), so a rename is refused when it is planned, not when it is sent.
public enum JellyfinUserName {
    /// Why Jellyfin would refuse `name`, or nil when it accepts it.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a name cannot be empty" }
        if name.count > 256 { return "a name of \(name.count) characters is too long" }
        if name == "." || name == ".." { return "Jellyfin refuses '.' and '..'" }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true {
            return "Jellyfin refuses names that start or end with a space"
        }
        for character in name where !isAllowed(character) {
            let shown =
                character.unicodeScalars.allSatisfy { $0.properties.generalCategory != .control && $0.value >= 0x20 }
                ? "'\(character)'" : "a control character"
            return "Jellyfin allows letters, digits, spaces and - ' . _ @ + in names, not \(shown)"
        }
        return nil
    }

    /// .NET's `\w`: letters, marks, decimal digits and connector punctuation; plus space - ' . _ @ +.
    private static func isAllowed(_ character: Character) -> Bool {
        if " -'._@+".contains(character) { return true }
        return character.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
                true
            default: false
            }
        }
    }
}
