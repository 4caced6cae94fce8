"""Development tools of ocpp-toolkit (not installed with the package)."""
