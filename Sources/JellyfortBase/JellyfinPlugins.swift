/// Facts about Jellyfin's plugin catalogue.
public enum JellyfinPlugins {
    /// The one repository Jellyfin itself publishes.
    public static let officialRepository = "https://repo.jellyfin.org/files/plugin/manifest.json"
}
