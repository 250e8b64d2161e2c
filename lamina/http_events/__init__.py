"""HTTP-to-Lambda events, one builder per payload format (DESIGN decision 12): 2.0 for function
URLs (and HTTP APIs later), 1.0 for REST APIs' Lambda proxy integrations."""
