/// Every client of the API speaks in the base types (JSON values, versions, addresses, secrets).
@_exported import JellyfortBase
