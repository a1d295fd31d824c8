import JellyfortCore

/// Every control Jellyfort knows, in catalogue order (controls.md): the guide's items first, then
/// the controls beyond it. Ids are unique and never reused; a test holds this list to controls.md.
public let builtInControls: [any Control.Type] = [
    RootlessControl.self,
    LeastPrivilegeControl.self,
    ClientIPControl.self,
    MediaReadOnlyControl.self,
    PrivateLabelsControl.self,
    AutoUpdateControl.self,
    VersionCurrentControl.self,
    TLSControl.self,
    DirectPortClosedControl.self,
    KnownProxiesControl.self,
    SecurityHeadersControl.self,
    LogRedactionControl.self,
    IPAllowListControl.self,
    ObscureDomainControl.self,
    AdminPasswordControl.self,
    SeparateAdminControl.self,
    AdminRemoteAccessControl.self,
    HiddenUsersControl.self,
    LockoutControl.self,
    SingleSessionControl.self,
    AdminRenamedControl.self,
    NoDeletionControl.self,
    CDNOriginLockControl.self,
    StartupWizardControl.self,
    LegacyAuthorizationControl.self,
    MetricsControl.self,
    QuickConnectControl.self,
    RestartUnauthenticatedControl.self,
    LocalSubnetsControl.self,
    AutoDiscoveryControl.self,
    CORSControl.self,
    RemoteControlControl.self,
    APIKeysControl.self,
    StaleDevicesControl.self,
    PluginRepositoriesControl.self,
    BruteForceBanControl.self,
    UserEnumerationControl.self,
]

/// Looks a control up by id.
public func control(withId id: ControlID) -> (any Control.Type)? {
    builtInControls.first { $0.description.id == id }
}
