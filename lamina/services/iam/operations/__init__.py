"""IAM's operations, a class per family; the provider gathers them."""
