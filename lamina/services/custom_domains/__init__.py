"""API Gateway custom domain names, shared by `apigateway` and `apigatewayv2` as on AWS: the
store's rows (rows.py), the rules both APIs check (rules.py) and the edge's view of them, which
finds a request's API and stage by its Host and path (directory.py)."""
