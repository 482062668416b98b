"""Config → CanvOS inputs: Dockerfile block, installer user-data, .arg, site user-data."""
