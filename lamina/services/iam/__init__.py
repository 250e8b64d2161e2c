"""IAM: one per account, whatever the region (it is a global service)."""
