import JellyfinAPI

/// The objects a real Jellyfin 10.11 server starts with (facts §1, §4.4, §5.1).
///
/// Two kinds of default matter and differ: what the server *creates* for a new user
/// (`newUserPolicy`) and what the C# DTO constructor fills in for a field a client leaves out of
/// a `POST …/Policy` (`policyDTODefaults`). A client that posts half a policy resets the rest to
/// the second set, which is the trap the emulator must reproduce.
enum JellyfinDefaults {
    static let authenticationProviderId = "Jellyfin.Server.Implementations.Users.DefaultAuthenticationProvider"
    static let passwordResetProviderId = "Jellyfin.Server.Implementations.Users.DefaultPasswordResetProvider"

    /// `new UserPolicy()`: the values a field takes when a posted policy omits it.
    static let policyDTODefaults: JSONObject = JSONObject([
        "IsAdministrator": false,
        "IsHidden": true,
        "EnableCollectionManagement": false,
        "EnableSubtitleManagement": false,
        "EnableLyricManagement": false,
        "IsDisabled": false,
        "BlockedTags": [],
        "AllowedTags": [],
        "EnableUserPreferenceAccess": true,
        "AccessSchedules": [],
        "BlockUnratedItems": [],
        "EnableRemoteControlOfOtherUsers": false,
        "EnableSharedDeviceControl": true,
        "EnableRemoteAccess": true,
        "EnableLiveTvManagement": true,
        "EnableLiveTvAccess": true,
        "EnableMediaPlayback": true,
        "EnableAudioPlaybackTranscoding": true,
        "EnableVideoPlaybackTranscoding": true,
        "EnablePlaybackRemuxing": true,
        "ForceRemoteSourceTranscoding": false,
        "EnableContentDeletion": false,
        "EnableContentDeletionFromFolders": [],
        "EnableContentDownloading": true,
        "EnableSyncTranscoding": true,
        "EnableMediaConversion": true,
        "EnabledDevices": [],
        "EnableAllDevices": true,
        "EnabledChannels": [],
        "EnableAllChannels": true,
        "EnabledFolders": [],
        "EnableAllFolders": true,
        "InvalidLoginAttemptCount": 0,
        "LoginAttemptsBeforeLockout": -1,
        "MaxActiveSessions": 0,
        "EnablePublicSharing": true,
        "BlockedMediaFolders": [],
        "BlockedChannels": [],
        "RemoteClientBitrateLimit": 0,
        "AuthenticationProviderId": .string(authenticationProviderId),
        "PasswordResetProviderId": .string(passwordResetProviderId),
        "SyncPlayAccess": "CreateAndJoinGroups",
    ])

    /// What `CreateUserInternalAsync` + `AddDefaultPermissions` give a new user on 10.11.7+:
    /// hidden, lockout off, unlimited sessions, Live TV management off.
    static var newUserPolicy: JSONObject {
        var policy = policyDTODefaults
        policy["EnableLiveTvManagement"] = false
        return policy
    }

    /// The first user, made by the startup wizard: an administrator who may delete and control others.
    static var firstAdminPolicy: JSONObject {
        var policy = newUserPolicy
        policy["IsAdministrator"] = true
        policy["EnableContentDeletion"] = true
        policy["EnableRemoteControlOfOtherUsers"] = true
        return policy
    }

    static let userConfiguration: JSONObject = JSONObject([
        "PlayDefaultAudioTrack": true,
        "SubtitleLanguagePreference": "",
        "DisplayMissingEpisodes": false,
        "GroupedFolders": [],
        "SubtitleMode": "Default",
        "DisplayCollectionsView": false,
        "EnableLocalPassword": false,
        "OrderedViews": [],
        "LatestItemsExcludes": [],
        "MyMediaExcludes": [],
        "HidePlayedInLatest": true,
        "RememberAudioSelections": true,
        "RememberSubtitleSelections": true,
        "EnableNextEpisodeAutoPlay": true,
        "CastReceiverId": "F007D354",
    ])

    static let officialRepository: JSONValue = [
        "Name": "Jellyfin Stable", "Url": .string(RepositoryInfo.officialURL), "Enabled": true,
    ]

    /// `ServerConfiguration` of a fresh 10.11 install. `EnableLegacyAuthorization` is true on
    /// 10.11 and false on 12.x; the emulator sets it from the version.
    static func serverConfiguration(serverName: String, legacyAuthorization: Bool) -> JSONObject {
        JSONObject([
            "LogFileRetentionDays": 3,
            "IsStartupWizardCompleted": true,
            "CachePath": "/cache",
            "EnableMetrics": false,
            "EnableNormalizedItemByNameIds": true,
            "IsPortAuthorized": true,
            "QuickConnectAvailable": true,
            "EnableCaseSensitiveItemIds": true,
            "DisableLiveTvChannelUserDataName": true,
            "MetadataPath": "",
            "PreferredMetadataLanguage": "en",
            "MetadataCountryCode": "US",
            "SortReplaceCharacters": [".", "+", "%"],
            "SortRemoveCharacters": [",", "&", "-", "{", "}", "'"],
            "SortRemoveWords": ["the", "a", "an"],
            "MinResumePct": 5,
            "MaxResumePct": 90,
            "MinResumeDurationSeconds": 300,
            "MinAudiobookResume": 5,
            "MaxAudiobookResume": 5,
            "InactiveSessionThreshold": 0,
            "LibraryMonitorDelay": 60,
            "LibraryUpdateDuration": 30,
            "CacheSize": 1800,
            "ImageSavingConvention": "Legacy",
            "MetadataOptions": [],
            "SkipDeserializationForBasicTypes": true,
            "ServerName": .string(serverName),
            "UICulture": "en-US",
            "SaveMetadataHidden": false,
            "ContentTypes": [],
            "RemoteClientBitrateLimit": 0,
            "EnableFolderView": false,
            "EnableGroupingMoviesIntoCollections": false,
            "EnableGroupingShowsIntoCollections": false,
            "DisplaySpecialsWithinSeasons": true,
            "CodecsUsed": [],
            "PluginRepositories": [officialRepository],
            "EnableExternalContentInSuggestions": true,
            "ImageExtractionTimeoutMs": 0,
            "PathSubstitutions": [],
            "EnableSlowResponseWarning": true,
            "SlowResponseThresholdMs": 500,
            "CorsHosts": ["*"],
            "ActivityLogRetentionDays": 30,
            "LibraryScanFanoutConcurrency": 0,
            "LibraryMetadataRefreshConcurrency": 0,
            "AllowClientLogUpload": true,
            "DummyChapterDuration": 0,
            "ChapterImageResolution": "MatchSource",
            "ParallelImageEncodingLimit": 0,
            "CastReceiverApplications": [
                ["Id": "F007D354", "Name": "Stable"], ["Id": "6F511C87", "Name": "Unstable"],
            ],
            "TrickplayOptions": [
                "EnableHwAcceleration": false, "EnableHwEncoding": false, "EnableKeyFrameOnlyExtraction": false,
                "ScanBehavior": "NonBlocking", "ProcessPriority": "BelowNormal", "Interval": 10000,
                "WidthResolutions": [320], "TileWidth": 10, "TileHeight": 10, "Qscale": 4, "JpegQuality": 90,
                "ProcessThreads": 1,
            ],
            "EnableLegacyAuthorization": .bool(legacyAuthorization),
        ])
    }

    /// `NetworkConfiguration` of a fresh install (facts §4.4).
    static let networkConfiguration: JSONObject = JSONObject([
        "BaseUrl": "",
        "EnableHttps": false,
        "RequireHttps": false,
        "CertificatePath": "",
        "CertificatePassword": "",
        "InternalHttpPort": 8096,
        "InternalHttpsPort": 8920,
        "PublicHttpPort": 8096,
        "PublicHttpsPort": 8920,
        "AutoDiscovery": true,
        "EnableUPnP": false,
        "EnableIPv4": true,
        "EnableIPv6": false,
        "EnableRemoteAccess": true,
        "LocalNetworkSubnets": [],
        "LocalNetworkAddresses": [],
        "KnownProxies": [],
        "IgnoreVirtualInterfaces": true,
        "VirtualInterfaceNames": ["veth"],
        "EnablePublishedServerUriByRequest": false,
        "PublishedServerUriBySubnet": [],
        "RemoteIPFilter": [],
        "IsRemoteIPFilterBlacklist": false,
    ])

    static let branding: JSONObject = JSONObject([
        "LoginDisclaimer": "", "CustomCss": "", "SplashscreenEnabled": false,
    ])
}

extension JSONObject {
    /// The fields whose names `other` does not have.
    func filter(notIn other: JSONObject) -> JSONObject {
        var kept = JSONObject()
        for (name, value) in pairs where other[name] == nil { kept[name] = value }
        return kept
    }

    /// Replace-whole semantics of a Jellyfin configuration POST: known fields from `posted`,
    /// every other known field from `defaults`, unknown fields dropped.
    func replacingKnownFields(with posted: JSONObject) -> JSONObject {
        var result = self
        for key in keys {
            if let value = posted[key] { result[key] = value }
        }
        return result
    }
}
